"""Pages of the shared core: dashboard, my tasks, audit trail, settings, health check."""

from .calendar import calendar
from .pages import audit_log, dashboard, healthz, my_tasks
from .settings import branch_edit, branches, company, numbering, numbering_edit

__all__ = [
    "audit_log",
    "branch_edit",
    "branches",
    "calendar",
    "company",
    "dashboard",
    "healthz",
    "my_tasks",
    "numbering",
    "numbering_edit",
]

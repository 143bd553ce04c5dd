"""Order change services: the only code that writes change requests (pages, API and jobs
call these). See the README for the rules."""

from .applying import apply_change, mark_invoices_corrected
from .approvals import approve_change, escalate_overdue, reject_change
from .requests import create_change_request, withdraw_change

__all__ = [
    "apply_change",
    "approve_change",
    "create_change_request",
    "escalate_overdue",
    "mark_invoices_corrected",
    "reject_change",
    "withdraw_change",
]

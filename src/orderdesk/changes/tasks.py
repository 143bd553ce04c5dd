"""Background jobs for order changes (Huey): escalate approvals past their working-hour
deadline. Safe to run twice: an approval is escalated once."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from orderdesk.accounts.selectors import system_user

from .services import escalate_overdue


@db_periodic_task(crontab(minute="*/15"))
def escalate_overdue_change_approvals() -> int:
    """Tell supervisors about change approvals past their deadline (变更审批超时升级)."""
    return escalate_overdue(by=system_user())

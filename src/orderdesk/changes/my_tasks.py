"""Order changes on "My tasks" (我的待办): the change approvals a user may decide (one queue
per department), the approved changes the requester still has to apply, and for finance
the invoices to correct after an applied change.

Registered with ``core.worklist`` in ``ChangesConfig.ready()``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core import money, workcalendar
from orderdesk.core.worklist import Task

from . import selectors
from .models import ChangeKind, ChangeRequest, Department


def page_of(request: ChangeRequest) -> str:
    """The request's page: its proposal, impact and the approval forms."""
    return reverse("changes:detail", args=[request.pk])


def approval_tasks(user: Any) -> list[Task]:
    """The change approvals awaiting ``user``, most urgent first."""
    if not getattr(user, "is_authenticated", False):
        return []
    approvals = selectors.approvals_for(user)
    if not approvals:
        return []
    calendar = workcalendar.current()
    now = timezone.now()
    return [
        Task(
            kind=_("Order change: {department}").format(
                department=Department(approval.department).label
            ),
            title=title(approval.request),
            url=page_of(approval.request),
            due_at=approval.due_at,
            detail=" · ".join(part for part in (summary(approval.request), approval.why) if part),
            time_left=calendar.working_hours_between(now, approval.due_at),
            flag=_("Escalated") if approval.escalated_at else "",
        )
        for approval in approvals
    ]


def apply_tasks(user: Any) -> list[Task]:
    """Approved changes the user asked for, still to apply."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        Task(
            kind=_("Approved order changes to apply"),
            title=title(request),
            url=page_of(request),
            due_at=request.decided_at,
            detail=summary(request),
        )
        for request in selectors.to_apply_for(user)[:200]
    ]


def invoice_tasks(user: Any) -> list[Task]:
    """For finance: issued invoices an applied change left to correct."""
    if not getattr(user, "is_authenticated", False):
        return []
    tasks = []
    for request in selectors.invoice_corrections_for(user)[:200]:
        invoices = (request.impact or {}).get("invoices") or []
        tasks.append(
            Task(
                kind=_("Invoices to correct after an order change"),
                title=title(request),
                url=page_of(request),
                due_at=request.applied_at,
                detail=" · ".join(
                    (
                        _("{invoice}: credit note {amount}")
                        if item.get("action") == "credit_note"
                        else _("{invoice}: extra invoice {amount}")
                    ).format(invoice=item.get("number"), amount=money.yuan(item.get("amount")))
                    for item in invoices
                ),
            )
        )
    return tasks


def title(request: ChangeRequest) -> str:
    order = request.order
    return f"{request.number} · {order.number} {order.customer.name}"


def summary(request: ChangeRequest) -> str:
    """What changes and what it does to the total, in one line."""
    kinds = ", ".join(
        str(ChangeKind(kind).label) for kind in request.kinds if kind in ChangeKind.values
    )
    difference = Decimal(str((request.impact or {}).get("difference") or "0"))
    parts = [kinds] if kinds else []
    if difference:
        parts.append(
            _("total {sign}{amount}").format(
                sign="+" if difference > 0 else "", amount=money.yuan(difference)
            )
        )
    return " · ".join(parts)

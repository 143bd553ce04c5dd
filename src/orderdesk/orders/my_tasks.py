"""The order review queues on "My tasks" (我的待办): one task per pending review step the
user may decide, grouped by step, with the working time left and approve / reject links.

Registered with ``core.worklist`` in ``OrdersConfig.ready()``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.roles import ROLE_BY_NAME
from orderdesk.core import money, workcalendar
from orderdesk.core.worklist import Task

from . import selectors
from .models import ReviewStep, Step


def review_tasks(user: Any) -> list[Task]:
    """The review steps awaiting ``user``, most urgent first."""
    if not getattr(user, "is_authenticated", False):
        return []
    steps = selectors.steps_awaiting(user)
    if not steps:
        return []
    calendar = workcalendar.current()
    now = timezone.now()
    back = "?" + urlencode({"next": reverse("core:my_tasks")})
    tasks = []
    for step in steps:
        order = step.order
        url = reverse("orders:detail", args=[order.pk])
        time_left = (
            calendar.working_hours_between(now, step.due_at) if step.due_at is not None else None
        )
        tasks.append(
            Task(
                kind=str(Step(step.step).label),
                title=f"{order.number} {order.customer.name}",
                url=f"{url}#step-{step.step}",
                due_at=step.due_at,
                detail=summary(step),
                actions=(
                    (_("Approve"), reverse("orders:approve", args=[order.pk, step.step]) + back),
                    (_("Reject"), reverse("orders:reject", args=[order.pk, step.step]) + back),
                ),
                time_left=time_left,
                flag=_("Escalated") if step.escalated_at else "",
            )
        )
    return tasks


def summary(step: ReviewStep) -> str:
    """The amount and what the system found, in one line."""
    parts = [money.yuan(step.order.total_amount)]
    findings = step.findings or {}
    credit = findings.get("credit") or {}
    if credit.get("blocked"):
        parts.append(
            _("credit exceeded: limit {limit}, exposure {exposure}, excess {excess}").format(
                limit=money.yuan(Decimal(credit["limit"])),
                exposure=money.yuan(Decimal(credit["exposure"])),
                excess=money.yuan(Decimal(credit["excess"])),
            )
        )
        if step.decision.get("finance_reason"):
            parts.append(
                _("finance's reason: {reason}").format(reason=step.decision["finance_reason"])
            )
    elif credit:
        parts.append(_("within the credit limit"))
    if short := findings.get("short"):
        parts.append(_("{count} line(s) short of stock").format(count=len(short)))
    if late := findings.get("late"):
        parts.append(_("{count} line(s) wanted before their lead time").format(count=len(late)))
    if custom := findings.get("custom"):
        parts.append(_("custom-made: {skus}").format(skus=", ".join(custom)))
    if role := findings.get("role"):
        label = ROLE_BY_NAME[role].label if role in ROLE_BY_NAME else role
        parts.append(_("price needs {role}").format(role=label))
    return " · ".join(parts)

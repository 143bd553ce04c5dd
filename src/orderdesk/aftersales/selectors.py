"""Reads for after-sales cases: who sees which cases, "My tasks"."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.selectors import role_names
from orderdesk.core import permissions, workcalendar
from orderdesk.core.errors import NotFound
from orderdesk.core.worklist import Task
from orderdesk.orders.selectors import orders_visible_to

from .models import ACTIVE, Case, CaseKind, CaseStatus

SERVICE_ROLES = frozenset({"customer_service", "customer_service_manager"})
MAX_ID = 2**63 - 1


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """The cases of the orders ``user`` may see."""
    return Case.objects.filter(order__in=orders_visible_to(user)).select_related(
        "order", "order__customer", "owner", "created_by"
    )


def case_for(user: Any, case_id: int) -> Case:
    """One case, or a 404 for missing and hidden ones alike."""
    if not 1 <= case_id <= MAX_ID:
        raise NotFound(code="case_not_found")
    case = cases_visible_to(user).filter(pk=case_id).first()
    if case is None:
        raise NotFound(code="case_not_found")
    return case


def search_cases(
    user: Any,
    *,
    status: str | None = None,
    order_id: int | None = None,
    kind: str | None = None,
    owner_id: int | None = None,
) -> QuerySet[Case]:
    cases = cases_visible_to(user)
    if status:
        cases = cases.filter(status=status)
    if order_id:
        cases = cases.filter(order_id=order_id)
    if kind:
        cases = cases.filter(kind=kind)
    if owner_id:
        cases = cases.filter(owner_id=owner_id)
    return cases


def cases_of_order(order: Any) -> QuerySet[Case]:
    return Case.objects.filter(order=order).select_related("owner").order_by("-created_at", "-id")


def my_tasks(user: Any) -> list[Task]:
    """ "My tasks" source: the user's open and in-progress cases, and for customer service
    the unassigned ones, with the working time left until they are due."""
    if getattr(user, "pk", None) is None or not permissions.has(user, "aftersales.handle_cases"):
        return []
    mine = Case.objects.filter(owner=user, status__in=ACTIVE)
    cases = list(mine.select_related("order", "order__customer").order_by("due_at")[:200])
    if SERVICE_ROLES & set(role_names(user)):
        unassigned = Case.objects.filter(owner__isnull=True, status__in=ACTIVE)
        cases += list(
            unassigned.select_related("order", "order__customer").order_by("due_at")[:200]
        )
    if not cases:
        return []
    calendar = workcalendar.current()
    now = timezone.now()
    return [
        Task(
            kind=_("After-sales cases") if case.owner_id else _("Unassigned after-sales cases"),
            title=f"{case.number} · {CaseKind(case.kind).label} · {case.order.number} "
            f"{case.order.customer.name}",
            url=reverse("aftersales:detail", args=[case.pk]),
            due_at=case.due_at,
            detail=f"{CaseStatus(case.status).label} · {case.description[:120]}",
            time_left=calendar.working_hours_between(now, case.due_at),
        )
        for case in cases
    ]

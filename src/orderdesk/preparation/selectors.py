"""Reads for preparation (备货): prepared quantities per order line, the order's preparation
status, pick lists visible to a user, "My tasks"."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from orderdesk.accounts.selectors import role_names
from orderdesk.core.errors import NotFound
from orderdesk.core.worklist import Task
from orderdesk.orders.models import Order, OrderLine
from orderdesk.orders.selectors import orders_visible_to

from .models import PickLine, PickList, PickListStatus

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MAX_ID = 2**63 - 1


def prepared_by_line(order: Order) -> dict[int, Decimal]:
    """Order line id → quantity picked so far on the order's pick lists that are not
    cancelled. Lines with nothing picked may be absent."""
    rows = (
        PickLine.objects.filter(pick_list__order=order, picked_quantity__gt=0)
        .exclude(pick_list__status=PickListStatus.CANCELLED)
        .values("order_line_id")
        .annotate(total=Sum("picked_quantity"))
        .order_by()
    )
    return {row["order_line_id"]: row["total"] for row in rows if row["total"]}


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """Whole percent, rounded down (99.9 % is not "100 %")."""
    if whole <= 0:
        return ZERO
    return (min(part, whole) * HUNDRED / whole).quantize(Decimal(1), rounding=ROUND_DOWN)


@dataclass(frozen=True)
class LinePreparation:
    line: OrderLine
    ordered: Decimal
    prepared: Decimal
    percent: Decimal


@dataclass(frozen=True)
class Preparation:
    lines: list[LinePreparation]
    ordered: Decimal
    prepared: Decimal
    percent: Decimal
    """The order's overall preparation: prepared over ordered, all lines together (each line
    counted at most to its ordered quantity)."""


def preparation_status(order: Order) -> Preparation:
    prepared = prepared_by_line(order)
    lines = []
    for line in order.lines.order_by("line_no"):
        done = min(prepared.get(line.pk, ZERO), line.quantity)
        lines.append(LinePreparation(line, line.quantity, done, percent(done, line.quantity)))
    ordered = sum((each.ordered for each in lines), ZERO)
    total = sum((each.prepared for each in lines), ZERO)
    return Preparation(lines, ordered, total, percent(total, ordered))


def pick_lists_visible_to(user: Any) -> QuerySet[PickList]:
    """Pick lists of the orders ``user`` may see."""
    return PickList.objects.filter(order__in=orders_visible_to(user)).select_related(
        "order", "order__customer", "warehouse", "created_by", "completed_by"
    )


def search_pick_lists(
    user: Any,
    *,
    warehouse_id: int | None = None,
    status: str | None = None,
    order_id: int | None = None,
) -> QuerySet[PickList]:
    pick_lists = pick_lists_visible_to(user)
    if warehouse_id:
        pick_lists = pick_lists.filter(warehouse_id=warehouse_id)
    if status:
        pick_lists = pick_lists.filter(status=status)
    if order_id:
        pick_lists = pick_lists.filter(order_id=order_id)
    return pick_lists.annotate(line_count=Count("lines")).order_by("-created_at", "-id")


def pick_list_for(user: Any, pick_list_id: int) -> PickList:
    """One pick list, or one 404 for missing and hidden ones."""
    if not 1 <= pick_list_id <= MAX_ID:
        raise NotFound(code="pick_list_not_found")
    found = pick_lists_visible_to(user).filter(pk=pick_list_id).first()
    if found is None:
        raise NotFound(code="pick_list_not_found")
    return found


def lines_of(pick_list: PickList) -> list[PickLine]:
    return list(
        pick_list.lines.select_related("order_line", "product").order_by(
            "location", "order_line__line_no", "id"
        )
    )


def pick_lists_of(order: Order) -> QuerySet[PickList]:
    return (
        PickList.objects.filter(order=order)
        .select_related("warehouse")
        .order_by("-created_at", "-id")
    )


def my_tasks(user: Any) -> list[Task]:
    """ "My tasks" source: open pick lists, for warehouse staff."""
    if getattr(user, "pk", None) is None or "warehouse" not in role_names(user):
        return []
    open_lists = (
        PickList.objects.filter(status=PickListStatus.OPEN)
        .select_related("order", "order__customer", "warehouse")
        .annotate(line_count=Count("lines"))
        .order_by("created_at", "id")[:200]
    )
    return [
        Task(
            kind=_("Pick lists to pick"),
            title=f"{each.number} · {each.order.number} {each.order.customer.name}",
            url=reverse("preparation:detail", args=[each.pk]),
            detail=_("{warehouse}, {count} line(s)").format(
                warehouse=each.warehouse.name, count=each.line_count
            ),
        )
        for each in open_lists
    ]

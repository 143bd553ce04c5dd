"""Reads for orders: who sees which orders, locks, settings, review queues."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from orderdesk.accounts.selectors import role_names
from orderdesk.core import permissions
from orderdesk.core.context import request_memo
from orderdesk.core.errors import NotFound
from orderdesk.customers.selectors import team_of

from .models import Order, ReviewSettings, ReviewStep, StepStatus

ALL, TEAM = "orders.view_all_orders", "orders.view_team_orders"


def orders_visible_to(user: Any) -> QuerySet[Order]:
    """Everyone's orders for the departments that work on them; a sales manager's team's;
    a salesperson's own (as salesperson or as the one who entered them)."""
    orders = Order.objects.all()
    if permissions.has(user, ALL):
        return orders
    if permissions.has(user, TEAM):
        return orders.filter(salesperson__in=team_of(user))
    if getattr(user, "pk", None) is None:
        return orders.none()
    return orders.filter(Q(salesperson=user) | Q(created_by=user))


def order_for(user: Any, order_id: int) -> Order:
    order = (
        orders_visible_to(user)
        .select_related("customer", "salesperson", "contact")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(code="order_not_found")
    return order


def lock_order(order_id: int) -> Order:
    """The order row locked (not its customer's: orders of one customer do not queue)."""
    return Order.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order_id)


def lock_visible_order(user: Any, order_id: int) -> Order:
    """The order locked, if ``user`` may see it (one query for both); else 404."""
    order = (
        orders_visible_to(user)
        .select_for_update(of=("self",))
        .select_related("customer__credit", "salesperson")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(code="order_not_found")
    return order


SETTINGS_MEMO = "orders.review_settings"


def review_settings() -> ReviewSettings:
    """The company's review settings, read once per request (``core.context.request_memo``;
    ``services.settings`` drops the request's copy when it changes them)."""
    memo = request_memo()
    if memo is not None and isinstance(found := memo.get(SETTINGS_MEMO), ReviewSettings):
        return found
    row, _created = ReviewSettings.objects.get_or_create(pk=1)
    if memo is not None:
        memo[SETTINGS_MEMO] = row
    return row


def current_steps(order: Order) -> list[ReviewStep]:
    """The steps of the order's latest submission, in stage order."""
    return list(
        ReviewStep.objects.filter(order=order, round=order.review_round)
        .select_related("decided_by")
        .order_by("stage", "id")
    )


def pending_steps() -> QuerySet[ReviewStep]:
    return ReviewStep.objects.filter(status=StepStatus.PENDING).select_related(
        "order", "order__customer"
    )


def search_orders(
    user: Any,
    *,
    q: str = "",
    status: str | list[str] = "",
    customer: int | None = None,
    salesperson: int | None = None,
    channel: str = "",
    received_from: dt.date | None = None,
    received_until: dt.date | None = None,
    overdue_review: bool = False,
) -> QuerySet[Order]:
    """The order list (page and API): newest received first, ``(received_at, id)`` keyset
    order so deep pages stay fast. ``q`` matches the order number prefix or the customer's
    name, code or pinyin initials."""
    orders = orders_visible_to(user).select_related("customer", "salesperson")
    if q := (q or "").strip():
        orders = orders.filter(
            Q(number__startswith=q.upper())
            | Q(customer__name__icontains=q)
            | Q(customer__code__startswith=q.upper())
            | Q(customer__pinyin__startswith=q.lower())
        )
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        orders = orders.filter(status__in=statuses)
    if customer:
        orders = orders.filter(customer_id=customer)
    if salesperson:
        orders = orders.filter(salesperson_id=salesperson)
    if channel:
        orders = orders.filter(channel=channel)
    if received_from:
        orders = orders.filter(received_at__date__gte=received_from)
    if received_until:
        orders = orders.filter(received_at__date__lte=received_until)
    if overdue_review:
        late = ReviewStep.objects.filter(
            status=StepStatus.PENDING, due_at__lt=timezone.now()
        ).values("order_id")
        orders = orders.filter(pk__in=late)
    return orders.order_by("-received_at", "-id")


def steps_awaiting(user: Any) -> list[ReviewStep]:
    """Pending review steps this user may decide ("my tasks"), most urgent first."""
    from .services.review import may_decide

    steps = pending_steps().order_by("due_at", "id")
    if not getattr(user, "is_system", False):
        roles = set(role_names(user))
        if not roles:
            return []
        steps = steps.filter(role__in=[*roles, "sales_manager", "general_manager"])
    return [step for step in steps[:500] if may_decide(user, step)]

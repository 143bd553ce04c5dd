"""Reads for orders: who sees which orders, locks, settings, review queues."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from orderdesk.core import permissions
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
    return Order.objects.select_for_update().select_related("customer").get(pk=order_id)


def review_settings() -> ReviewSettings:
    found, _created = ReviewSettings.objects.get_or_create(pk=1)
    return found


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

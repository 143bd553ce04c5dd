"""Cancelling, holding and resuming an order (取消 / 挂起)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.core import permissions
from orderdesk.core.errors import InvalidTransition
from orderdesk.core.reasons import require_reason

from .. import lifecycle, selectors
from ..models import Order, OrderStatus, ReviewStep, StepStatus
from .drafts import release_reservations

CANCEL = "orders.cancel_orders"


def cancel(order: Order, *, by: Any, reason: str) -> Order:
    """Cancel before shipment, with a reason; stock held for the order is released."""
    permissions.require(by, CANCEL)
    reason = require_reason(reason)
    with transaction.atomic():
        locked = selectors.lock_visible_order(by, order.pk)
        lifecycle.move(
            locked, OrderStatus.CANCELLED, by=by, reason=reason, action="order_cancelled"
        )
        ReviewStep.objects.filter(
            order=locked, status__in=(StepStatus.WAITING, StepStatus.PENDING)
        ).update(status=StepStatus.SUPERSEDED)
        release_reservations(locked, by=by)
    return locked


def hold(order: Order, *, by: Any, reason: str) -> Order:
    """Put the order on hold (挂起); review steps keep their state and deadlines."""
    permissions.require(by, CANCEL)
    reason = require_reason(reason)
    with transaction.atomic():
        locked = selectors.lock_visible_order(by, order.pk)
        held_from = locked.status
        lifecycle.move(locked, OrderStatus.ON_HOLD, by=by, reason=reason, action="order_held")
        locked.held_from = held_from
        locked.save(update_fields=["held_from"])
    return locked


def resume(order: Order, *, by: Any, reason: str = "") -> Order:
    permissions.require(by, CANCEL)
    with transaction.atomic():
        locked = selectors.lock_visible_order(by, order.pk)
        if locked.status != OrderStatus.ON_HOLD:
            raise InvalidTransition(_("Only an order on hold can be resumed."), code="not_on_hold")
        lifecycle.move(
            locked,
            locked.held_from,
            by=by,
            reason=(reason or "").strip(),
            action="order_resumed",
        )
    return locked

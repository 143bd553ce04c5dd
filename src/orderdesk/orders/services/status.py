"""Cancelling, holding and resuming an order (取消 / 挂起)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
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
        if locked.status != OrderStatus.ON_HOLD or not locked.held_from:
            raise InvalidTransition(_("Only an order on hold can be resumed."), code="not_on_hold")
        target = locked.held_from
        # The held-from status is where the order goes back to; the table allows it.
        locked.status = target
        locked.held_from = ""
        locked.status_reason = (reason or "").strip()
        locked.save(update_fields=["status", "held_from", "status_reason", "updated_at"])
        audit.record(
            locked,
            "order_resumed",
            by=by,
            changes={"status": (OrderStatus.ON_HOLD, target)},
            reason=locked.status_reason,
        )
    return locked

"""The order's state machine (订单状态): the one table of allowed transitions.

Every service that changes ``Order.status`` goes through :func:`move`, so an illegal
transition is refused the same way everywhere (409 ``invalid_transition``) and each one is
audited with who, when and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core import audit
from orderdesk.core.errors import InvalidTransition

from .models import Order, OrderStatus

S = OrderStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.IN_REVIEW, S.CANCELLED, S.ON_HOLD}),
    S.IN_REVIEW: frozenset({S.APPROVED, S.RETURNED, S.CANCELLED, S.ON_HOLD}),
    S.RETURNED: frozenset({S.IN_REVIEW, S.CANCELLED, S.ON_HOLD}),
    S.APPROVED: frozenset({S.AWAITING_CONFIRMATION, S.RELEASED, S.CANCELLED, S.ON_HOLD}),
    S.AWAITING_CONFIRMATION: frozenset({S.RELEASED, S.CANCELLED, S.ON_HOLD}),
    S.RELEASED: frozenset(
        {S.IN_PRODUCTION, S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED, S.ON_HOLD}
    ),
    S.IN_PRODUCTION: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED, S.ON_HOLD}),
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED, S.ON_HOLD}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    # Resuming returns to the status the order was held in (``Order.held_from``), see
    # ``allowed``; a held order can also be cancelled when that status could be.
    S.ON_HOLD: frozenset(),
}
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
"""Statuses whose content may be edited directly; later changes go through change requests."""
CANCELLABLE = frozenset(status for status, targets in TRANSITIONS.items() if S.CANCELLED in targets)
TIMESTAMPS: dict[str, str] = {
    S.IN_REVIEW: "submitted_at",
    S.APPROVED: "approved_at",
    S.RELEASED: "released_at",
    S.CANCELLED: "cancelled_at",
}


def allowed(current: str, target: str, *, held_from: str = "") -> bool:
    if current == S.ON_HOLD:
        return bool(held_from) and (
            target == held_from or (target == S.CANCELLED and held_from in CANCELLABLE)
        )
    return target in TRANSITIONS.get(current, frozenset())


def move(
    order: Order,
    target: str,
    *,
    by: Any,
    reason: str = "",
    action: str = "",
    also: Sequence[str] = (),
) -> None:
    """Move a locked ``order`` to ``target`` and audit it; the caller holds the transaction.
    ``also``: other fields the caller changed, saved in the same update."""
    current = order.status
    if not allowed(current, target, held_from=order.held_from):
        raise InvalidTransition(
            _("A {current} order cannot become {target}.").format(
                current=OrderStatus(current).label, target=OrderStatus(target).label
            ),
            fields={"status": OrderStatus(current).label},
        )
    order.status = target
    order.status_reason = reason
    fields = ["status", "status_reason", "updated_at", *also]
    if current == S.ON_HOLD:
        order.held_from = ""
        fields.append("held_from")
    if stamp := TIMESTAMPS.get(target):
        setattr(order, stamp, timezone.now())
        fields.append(stamp)
    order.save(update_fields=fields)
    audit.record(
        order,
        action or f"order_{target}",
        by=by,
        changes={"status": (current, target)},
        reason=reason,
    )


def require_editable(order: Order) -> None:
    if order.status not in EDITABLE:
        raise InvalidTransition(
            _(
                "A {status} order cannot be edited; once approved, changes go through a "
                "change request."
            ).format(status=OrderStatus(order.status).label),
            code="order_not_editable",
        )

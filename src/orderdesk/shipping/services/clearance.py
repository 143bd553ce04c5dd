"""The release to ship (发货放行): finance's clearance of an order for shipment.

- A-grade customers ship per their contract terms: the clearance is recorded
  automatically when the first shipment is confirmed (or explicitly, :func:`clear_per_terms`).
- B and C customers ship once the balance is received (款到发货): the payments billing has
  allocated to the order's deposit requests and invoices cover the order total. The
  clearance is then recorded automatically when the first shipment is confirmed, or by
  finance beforehand (:func:`clear_on_payments`), with the amount and the receipt numbers.
- An urgent shipment without the paperwork: the customer-service supervisor (or the general
  manager) approves it with a reason (:func:`approve_urgent`); the paperwork stays an open
  item on finance's "My tasks" until :func:`complete_paperwork`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import Conflict, ValidationFailed
from orderdesk.core.money import yuan
from orderdesk.orders import receivables
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.orders.receivables import OrderPaid
from orderdesk.orders.services.releasing import credit_grade

from ..models import Clearance, ClearanceKind

CLEAR = "shipping.clear_shipments"
URGENT = "shipping.approve_urgent_shipments"
PER_TERMS_GRADES = frozenset({"A"})
CLEARABLE = frozenset(
    {
        OrderStatus.APPROVED,
        OrderStatus.AWAITING_CONFIRMATION,
        OrderStatus.RELEASED,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.ON_HOLD,
    }
)


def ships_per_terms(order: Order) -> bool:
    return credit_grade(order) in PER_TERMS_GRADES


def missing_clearance(order: Order) -> str:
    """What stops shipping ``order`` for lack of clearance (empty: nothing)."""
    found = Clearance.objects.filter(order=order).first()
    if found is not None or ships_per_terms(order):
        return ""
    paid = balance_paid(order)
    return "" if paid.amount >= balance_due(order) else unpaid_message(order, paid)


def ensure_cleared(order: Order, *, by: Any) -> Clearance:
    """The locked ``order``'s clearance; an A-grade order is cleared per its contract terms
    now, a B or C one on the payments received; otherwise 409 ``not_cleared`` naming what
    is missing."""
    found = Clearance.objects.filter(order=order).first()
    if found is not None:
        return found
    if ships_per_terms(order):
        note = _("A grade: per contract terms")
        return create(order, ClearanceKind.CONTRACT_TERMS, by=by, note=note)
    paid = balance_paid(order)
    if paid.amount < balance_due(order):
        message = unpaid_message(order, paid)
        raise Conflict(message, code="not_cleared", fields={"clearance": message})
    return create_paid(order, paid, by=by)


def create(order: Order, kind: str, *, by: Any, **values: Any) -> Clearance:
    clearance = Clearance.objects.create(order=order, kind=kind, cleared_by=by, **values)
    audit.record(
        order,
        "shipment_clearance",
        by=by,
        changes={
            "clearance": (None, kind),
            **{name: (None, value) for name, value in values.items() if value not in ("", None)},
        },
        reason=values.get("note", ""),
    )
    return clearance


def lock_clearable(by: Any, order: Order) -> Order:
    locked = order_selectors.lock_visible_order(by, order.pk)
    if locked.status not in CLEARABLE:
        raise Conflict(
            _("A {status} order is not released to ship.").format(
                status=OrderStatus(locked.status).label
            ),
            code="order_not_clearable",
        )
    return locked


def clean_text(value: Any, limit: int) -> str:
    return str(value or "").strip()[:limit]


def clear_per_terms(order: Order, *, by: Any, note: str = "") -> Clearance:
    """Finance clears an A-grade order per its contract terms."""
    permissions.require(by, CLEAR)
    with transaction.atomic():
        locked = lock_clearable(by, order)
        require_uncleared(locked)
        if not ships_per_terms(locked):
            raise ValidationFailed(
                _(
                    "Only A-grade customers ship per contract terms; the others ship once "
                    "the balance is received."
                ),
                code="terms_not_allowed",
            )
        return create(locked, ClearanceKind.CONTRACT_TERMS, by=by, note=clean_text(note, 1000))


def require_uncleared(order: Order) -> None:
    found = Clearance.objects.filter(order=order).first()
    if found is not None:
        raise Conflict(
            _("Order {number} is already released to ship ({kind}).").format(
                number=order.number, kind=ClearanceKind(found.kind).label
            ),
            code="already_cleared",
        )


def balance_paid(order: Order) -> OrderPaid:
    """What billing has received on ``order`` (its deposits and invoices)."""
    return receivables.source().paid_on_order(order)


def balance_due(order: Order) -> Decimal:
    """What a B or C customer must have paid before the order ships: the whole order."""
    return order.total_amount


def paid_in_full(order: Order) -> OrderPaid | None:
    paid = balance_paid(order)
    return paid if paid.amount >= balance_due(order) else None


def clear_on_payments(order: Order, *, by: Any, note: str = "") -> Clearance:
    """Finance releases a B- or C-grade order to ship once billing shows the balance
    received (款到发货): the payments allocated to the order's deposit requests and invoices
    cover the order total. The clearance records the amount and the receipt numbers."""
    permissions.require(by, CLEAR)
    with transaction.atomic():
        locked = lock_clearable(by, order)
        require_uncleared(locked)
        paid = balance_paid(locked)
        if paid.amount < balance_due(locked):
            message = unpaid_message(locked, paid)
            raise ValidationFailed(
                message, code="balance_not_received", fields={"clearance": message}
            )
        return create_paid(locked, paid, by=by, note=clean_text(note, 1000))


def create_paid(order: Order, paid: OrderPaid, *, by: Any, note: str = "") -> Clearance:
    return create(
        order,
        ClearanceKind.PAYMENT_RECEIVED,
        by=by,
        amount_received=paid.amount,
        reference=", ".join(paid.receipts)[:100],
        note=note,
    )


def unpaid_message(order: Order, paid: OrderPaid) -> str:
    return _(
        "Order {number} (grade {grade}) ships once its balance is received: {paid} of {due} "
        "has been paid. Record the customer's payment in billing and allocate it to the "
        "order's deposit request or invoice, or let the customer-service supervisor approve "
        "an urgent shipment with a reason."
    ).format(
        number=order.number,
        grade=credit_grade(order),
        paid=yuan(paid.amount),
        due=yuan(balance_due(order)),
    )


def approve_urgent(order: Order, *, reason: str, by: Any) -> Clearance:
    """The customer-service supervisor lets an order ship before its paperwork is complete;
    the paperwork stays open for finance."""
    permissions.require(by, URGENT)
    reason = clean_text(reason, 1000)
    if not reason:
        raise ValidationFailed(
            _("Give the reason for the urgent shipment."),
            code="reason_required",
            fields={"reason": _("Required.")},
        )
    with transaction.atomic():
        locked = lock_clearable(by, order)
        require_uncleared(locked)
        return create(locked, ClearanceKind.URGENT, by=by, note=reason, paperwork_open=True)


def complete_paperwork(order: Order, *, note: str, by: Any) -> Clearance:
    """Finance closes the paperwork of an urgent shipment (what was received, the
    reference)."""
    permissions.require(by, CLEAR)
    note = clean_text(note, 1000)
    if not note:
        raise ValidationFailed(
            _("Describe the paperwork received (payment, reference, documents)."),
            code="note_required",
            fields={"note": _("Required.")},
        )
    with transaction.atomic():
        locked = order_selectors.lock_visible_order(by, order.pk)
        found = Clearance.objects.select_for_update().filter(order=locked).first()
        if found is None or not found.paperwork_open:
            raise Conflict(
                _("Order {number} has no open paperwork.").format(number=locked.number),
                code="no_open_paperwork",
            )
        found.paperwork_open = False
        found.paperwork_completed_at = timezone.now()
        found.paperwork_completed_by = by
        found.paperwork_note = note
        found.save(
            update_fields=[
                "paperwork_open",
                "paperwork_completed_at",
                "paperwork_completed_by",
                "paperwork_note",
            ]
        )
        audit.record(
            locked,
            "shipment_paperwork_completed",
            by=by,
            changes={"paperwork_open": (True, False)},
            reason=note,
        )
        return found

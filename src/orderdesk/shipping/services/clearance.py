"""The release to ship (发货放行): finance's clearance of an order for shipment.

- A-grade customers ship per their contract terms: the clearance is recorded
  automatically when the first shipment is confirmed (or explicitly, :func:`clear_per_terms`).
- B and C customers ship once the balance due before shipment is received. **Stand-in until
  billing (issue 7)**: finance records the amount received with its reference
  (:func:`record_payment_clearance`); billing replaces this step with the real payments.
- An urgent shipment without the paperwork: the customer-service supervisor (or the general
  manager) approves it with a reason (:func:`approve_urgent`); the paperwork stays an open
  item on finance's "My tasks" until :func:`complete_paperwork`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import Conflict, ValidationFailed
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.models import Order, OrderStatus
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
    return _(
        "Order {number} (grade {grade}) is not released to ship: finance must record the "
        "balance received before shipment, or the customer-service supervisor must approve an "
        "urgent shipment with a reason."
    ).format(number=order.number, grade=credit_grade(order))


def ensure_cleared(order: Order, *, by: Any) -> Clearance:
    """The locked ``order``'s clearance; an A-grade order is cleared per its contract terms
    now; otherwise 409 ``not_cleared`` naming what is missing."""
    found = Clearance.objects.filter(order=order).first()
    if found is not None:
        return found
    if message := missing_clearance(order):
        raise Conflict(message, code="not_cleared", fields={"clearance": message})
    return create(order, ClearanceKind.CONTRACT_TERMS, by=by, note=_("A grade: per contract terms"))


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
                    "Only A-grade customers ship per contract terms; record the balance "
                    "received instead."
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


def parse_amount(value: Any, errors: dict[str, str]) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors["amount_received"] = _("Enter an amount, e.g. 5000.00.")
        return Decimal(0)
    if not amount.is_finite() or amount <= 0:
        errors["amount_received"] = _("Enter the amount received, more than 0.")
    elif amount != amount.quantize(Decimal("0.01")):
        errors["amount_received"] = _("At most 2 decimal places (fen).")
    elif amount > Decimal("999999999999.99"):
        errors["amount_received"] = _("The amount is too large.")
    return amount


def record_payment_clearance(
    order: Order, *, amount_received: Any, reference: str, by: Any, note: str = ""
) -> Clearance:
    """Finance records the balance received before shipment (stand-in until billing)."""
    permissions.require(by, CLEAR)
    errors: dict[str, str] = {}
    amount = parse_amount(amount_received, errors)
    reference = clean_text(reference, 100)
    if not reference:
        errors["reference"] = _("Enter the payment reference (bank slip or voucher number).")
    with transaction.atomic():
        locked = lock_clearable(by, order)
        if not errors and amount > locked.total_amount:
            errors["amount_received"] = _("More than the order total {total}.").format(
                total=locked.total_amount
            )
        if errors:
            raise ValidationFailed(_("Correct the highlighted fields."), fields=errors)
        require_uncleared(locked)
        return create(
            locked,
            ClearanceKind.PAYMENT_RECEIVED,
            by=by,
            amount_received=amount,
            reference=reference,
            note=clean_text(note, 1000),
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

"""Releasing an approved order to production and the warehouse (订单下达).

The rule (issue 5 capability 6, MISSION §5): an A-grade customer's order may be released
before the customer's signed confirmation comes back — the confirmation must have been sent,
stays open and is chased afterwards; B- and C-grade customers' orders need the confirmation
*and*, when the order asks for one (``deposit_percent`` > 0), the deposit before release.
With the company setting "credit check at release", a customer whose credit is exceeded now
is held too, unless finance granted an exception at review.

The deposit is received in billing: finance requests it (定金) and allocates the customer's
payment to the request; billing supplies the amount received through ``orders.receivables``
and :func:`deposit_required` is the figure to meet.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.core import permissions
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.money import to_fen, yuan

from .. import checks, lifecycle, receivables, selectors
from ..models import ConfirmationStatus, Order, OrderStatus, Step, StepStatus

RELEASE = "orders.release_orders"
EARLY_RELEASE_GRADES = frozenset({"A"})
ZERO = Decimal(0)


def deposit_required(order: Order) -> Decimal:
    """The deposit the order asks for: the amount set on the order, else ``deposit_percent``
    of the total, rounded half-up to the fen."""
    if order.deposit_amount and order.deposit_amount > 0:
        return to_fen(order.deposit_amount)
    if not order.deposit_percent or order.deposit_percent <= 0:
        return ZERO
    return to_fen(order.total_amount * order.deposit_percent / 100)


def deposit_received(order: Order) -> Decimal:
    """What the customer has paid against the order's deposit requests (from billing)."""
    return receivables.source().deposit_received(order)


def credit_grade(order: Order) -> str:
    """The customer's credit grade; a customer without a credit file counts as C."""
    credit = getattr(order.customer, "credit", None)
    return credit.grade if credit is not None else "C"


def release_blockers(order: Order) -> dict[str, tuple[str, str]]:
    """What stops ``order`` from being released: ``{field: (code, what to do)}``, in the
    order the checks run (confirmation, deposit, credit). Empty means it may go."""
    blockers: dict[str, tuple[str, str]] = {}
    grade = credit_grade(order)
    confirmed = order.confirmation_status == ConfirmationStatus.CONFIRMED
    if grade in EARLY_RELEASE_GRADES:
        if order.confirmation_status == ConfirmationStatus.NOT_SENT:
            blockers["confirmation"] = (
                "confirmation_not_sent",
                _(
                    "Send the order confirmation to the customer first: an A-grade customer's "
                    "order may be released before it comes back, and it is chased afterwards."
                ),
            )
    else:
        if not confirmed:
            blockers["confirmation"] = (
                "confirmation_missing",
                _(
                    "A grade {grade} customer must confirm the order first: upload the signed "
                    "confirmation, or wait until the customer confirms by the link."
                ).format(grade=grade),
            )
        due = deposit_required(order)
        received = deposit_received(order) if due > 0 else ZERO
        if due > 0 and received < due:
            blockers["deposit"] = (
                "deposit_missing",
                _(
                    "A deposit of {due} is due before release and {received} has been "
                    "received; finance requests the deposit in billing and allocates the "
                    "customer's payment to it."
                ).format(due=yuan(due), received=yuan(received)),
            )
    settings = selectors.review_settings()
    if settings.credit_check_on_release:
        position = checks.credit_position(order, settings)
        if position["blocked"] and not credit_exception_granted(order):
            blockers["credit"] = ("credit_blocked", credit_message(position))
    return blockers


def credit_message(position: dict[str, Any]) -> str:
    if Decimal(position["excess"]) > 0:
        return _(
            "The customer's credit is exceeded by {excess} (limit {limit}, open receivables "
            "and other orders {exposure}, this order {order}); finance must clear it first."
        ).format(
            excess=yuan(position["excess"]),
            limit=yuan(position["limit"]),
            exposure=yuan(position["exposure"]),
            order=yuan(position["order"]),
        )
    return _("The customer has {overdue} overdue; finance must clear the credit first.").format(
        overdue=yuan(position["overdue"])
    )


def credit_exception_granted(order: Order) -> bool:
    """Finance (or the general manager) approved the latest review despite the credit."""
    return any(
        step.step == Step.FINANCE
        and step.status == StepStatus.APPROVED
        and step.decision.get("credit_exception")
        for step in selectors.current_steps(order)
    )


def release(order: Order, *, by: Any) -> Order:
    """Release an approved order, or one awaiting the customer's confirmation (订单下达).

    Refuses (422) with every missing item named at once: the confirmation, the deposit, the
    credit (see the module docstring); a status that cannot be released is a 409.
    """
    permissions.require(by, RELEASE)
    with transaction.atomic():
        locked = selectors.lock_visible_order(by, order.pk)
        if not lifecycle.allowed(locked.status, OrderStatus.RELEASED):
            lifecycle.move(locked, OrderStatus.RELEASED, by=by)  # raises the clear 409
        if blockers := release_blockers(locked):
            first_code = next(iter(blockers.values()))[0]
            raise ValidationFailed(
                _("To release order {number}: {todo}").format(
                    number=locked.number,
                    todo=" ".join(message for _code, message in blockers.values()),
                ),
                code=first_code,
                fields={field: message for field, (_code, message) in blockers.items()},
            )
        early = locked.confirmation_status != ConfirmationStatus.CONFIRMED
        lifecycle.move(
            locked,
            OrderStatus.RELEASED,
            by=by,
            action="order_released",
            reason=_(
                "Released before the customer's confirmation (grade {grade}); the confirmation "
                "is still chased."
            ).format(grade=credit_grade(locked))
            if early
            else "",
        )
    return locked

"""Reservations (库存预留): hold stock for an order line, release it, ship it.

Never oversell: every check of available stock happens while the stock rows involved are
locked (``select_for_update`` in primary-key order, so concurrent reservations queue and
never deadlock; SQLite serialises writers with ``BEGIN IMMEDIATE``), and the database
refuses ``reserved > on_hand`` as a last line of defence.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.catalog.models import Product
from orderdesk.core import permissions
from orderdesk.core.errors import ValidationFailed

from .. import selectors
from ..errors import InsufficientStock, ReservationClosed, ReservationExists
from ..models import MovementKind, Reservation, ReservationStatus, StockLevel
from .ledger import (
    clean_product,
    clean_quantity,
    clean_reference,
    clean_warehouse,
    lock_level,
    post,
    raise_if,
)

RESERVE, MANAGE = "inventory.reserve_stock", "inventory.manage_stock"
ZERO = Decimal(0)


def reserve(
    product: Any,
    quantity: Any,
    *,
    reference: str,
    by: Any,
    warehouse: Any = None,
    source: models.Model | None = None,
) -> Reservation:
    """Hold ``quantity`` of ``product`` for ``reference`` (e.g. ``orders.OrderLine:17``).

    Without a warehouse, the first active warehouse (by creation) that can serve the whole
    quantity is used; a reservation is never split. A shortfall raises
    :class:`InsufficientStock` with the largest quantity one warehouse could serve and the
    restock date. One open reservation per reference.
    """
    permissions.require(by, RESERVE)
    errors: dict[str, str] = {}
    quantity = clean_quantity(quantity, errors)
    found = clean_product(product, errors, orderable=True)
    place = clean_warehouse(warehouse, errors) if warehouse is not None else None
    reference = clean_reference(reference, errors, required=True)
    raise_if(errors)
    found = cast(Product, found)
    shortfall: Decimal | None = None
    try:
        with transaction.atomic():
            ids = [place.pk] if place is not None else selectors.active_warehouse_ids()
            levels = selectors.lock_levels(found.pk, ids)
            # A second open reservation for the reference is refused by the partial unique
            # index when the reservation is inserted: no query for it while the lock is held.
            chosen = next((level for level in levels if level.available >= quantity), None)
            if chosen is None:
                shortfall = max((level.available for level in levels), default=ZERO)
            else:
                reservation = hold(chosen, found, quantity, reference, by=by, source=source)
    except IntegrityError as error:
        if not is_duplicate_reference(error):
            raise
        raise ReservationExists(
            _("{reference} already holds stock; release it first.").format(reference=reference),
            fields={"reference": _("Already reserved.")},
        ) from error
    if shortfall is not None:
        restock_on = selectors.restock_on(found, place)
        raise InsufficientStock(
            _("Only {available} {unit} of {sku} available; more expected on {date}.").format(
                available=shortfall, unit=found.unit, sku=found.sku, date=restock_on
            ),
            available=shortfall,
            restock_on=restock_on,
        )
    return reservation


def is_duplicate_reference(error: IntegrityError) -> bool:
    """PostgreSQL names the violated index; SQLite names the column."""
    text = str(error)
    return "one_open_reservation_per_reference" in text or "inventory_reservation.reference" in text


def hold(
    level: StockLevel,
    product: Any,
    quantity: Decimal,
    reference: str,
    *,
    by: Any,
    source: models.Model | None,
) -> Reservation:
    level.product = product
    reservation = Reservation.objects.create(
        product=product,
        warehouse_id=level.warehouse_id,
        quantity=quantity,
        reference=reference,
        created_by=by if getattr(by, "pk", None) else None,
    )
    post(
        level,
        MovementKind.RESERVATION,
        quantity,
        by=by,
        reference=reference,
        reservation=reservation,
        source=source,
        audited=reservation,
        action="stock_reserved",
    )
    return reservation


def lock_open(reservation: Reservation) -> tuple[StockLevel, Reservation]:
    """Lock the reservation's stock row, then the reservation (always in this order)."""
    level = lock_level(reservation.product, reservation.warehouse)
    locked = selectors.lock_reservation(reservation.pk)
    if locked.status != ReservationStatus.OPEN:
        raise ReservationClosed(
            _("The reservation for {reference} is already {status}.").format(
                reference=locked.reference, status=locked.get_status_display()
            )
        )
    return level, locked


def release(reservation: Reservation, *, by: Any, reason: str = "") -> Reservation:
    """Give back what a reservation still holds (释放预留), e.g. when the order is cancelled."""
    if not (permissions.has(by, RESERVE) or permissions.has(by, MANAGE)):
        permissions.require(by, RESERVE)
    with transaction.atomic():
        level, locked = lock_open(reservation)
        remaining = locked.quantity - locked.issued
        locked.status = ReservationStatus.RELEASED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        post(
            level,
            MovementKind.RELEASE,
            remaining,
            by=by,
            reason=(reason or "").strip(),
            reference=locked.reference,
            reservation=locked,
            audited=locked,
            action="reservation_released",
        )
    return locked


def issue(reservation: Reservation, *, by: Any, quantity: Any = None) -> Reservation:
    """Ship reserved stock (出库): on hand and reserved both drop by ``quantity`` (default:
    all that is still open). A partial issue leaves the rest reserved."""
    permissions.require(by, MANAGE)
    errors: dict[str, str] = {}
    wanted = clean_quantity(quantity, errors) if quantity is not None else None
    raise_if(errors)
    with transaction.atomic():
        level, locked = lock_open(reservation)
        remaining = locked.quantity - locked.issued
        wanted = remaining if wanted is None else wanted
        if wanted > remaining:
            raise ValidationFailed(
                _("Only {remaining} is still reserved for {reference}.").format(
                    remaining=remaining, reference=locked.reference
                ),
                code="more_than_reserved",
                fields={"quantity": _("At most {remaining}.").format(remaining=remaining)},
            )
        locked.issued += wanted
        fields = ["issued"]
        if locked.issued == locked.quantity:
            locked.status = ReservationStatus.ISSUED
            locked.closed_at = timezone.now()
            fields += ["status", "closed_at"]
        locked.save(update_fields=fields)
        post(
            level,
            MovementKind.ISSUE,
            wanted,
            by=by,
            reference=locked.reference,
            reservation=locked,
            audited=locked,
            action="stock_issued",
        )
    return locked

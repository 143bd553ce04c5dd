"""Reservations (库存预留): hold stock for an order line, release it, ship it.

Never oversell: every check of available stock happens while the stock rows involved are
locked (``select_for_update`` in primary-key order, so concurrent reservations queue and
never deadlock; SQLite serialises writers with ``BEGIN IMMEDIATE``), and the database
refuses ``reserved > on_hand`` as a last line of defence.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple, cast

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
    Posting,
    check_product,
    clean_product,
    clean_quantity,
    clean_reference,
    clean_warehouse,
    lock_level,
    post,
    post_many,
    raise_if,
    write_back,
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
        raise exists(reference) from error
    if shortfall is not None:
        raise shortage(found, shortfall, place)
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


class Wanted(NamedTuple):
    """One reservation asked of :func:`reserve_many` (the arguments of :func:`reserve`)."""

    product: Product
    quantity: Decimal
    reference: str
    source: models.Model | None = None


Outcome = Reservation | InsufficientStock | ReservationExists


def reserve_many(wanted: Sequence[Wanted], *, by: Any) -> list[Outcome]:
    """:func:`reserve` for many lines at once (the warehouse approving a large order) in a
    fixed number of queries: every stock row involved is locked in one query, in primary-key
    order; the lines are then served in the order given, each from the first warehouse row
    that can serve all of it, exactly as one :func:`reserve` after the other would, and the
    reservations, levels, ledger lines and audit entries are written in bulk. Returns, per
    line, its reservation or the refusal (:class:`InsufficientStock` with the restock date,
    :class:`ReservationExists`) instead of raising it; an invalid line raises as
    :func:`reserve` does. Should another transaction open a reservation for one of the
    references meanwhile (the unique index refuses the bulk insert), the lines are reserved
    one by one."""
    permissions.require(by, RESERVE)
    if not wanted:
        return []
    errors: dict[str, str] = {}
    products = Product.objects.in_bulk({item.product.pk for item in wanted})
    items = []
    for item in wanted:
        quantity = clean_quantity(item.quantity, errors)
        product = check_product(products.get(item.product.pk), errors, orderable=True)
        reference = clean_reference(item.reference, errors, required=True)
        raise_if(errors)
        items.append(Wanted(cast(Product, product), quantity, reference, item.source))
    outcomes: list[Any]
    try:
        with transaction.atomic():
            outcomes = list(hold_many(items, by=by))
    except IntegrityError as error:
        if not is_duplicate_reference(error):
            raise
        outcomes = []
        for item in items:
            try:
                outcomes.append(
                    reserve(
                        item.product, item.quantity, reference=item.reference, by=by,
                        source=item.source,
                    )
                )  # fmt: skip
            except (InsufficientStock, ReservationExists) as refusal:
                outcomes.append(refusal)
    for n, outcome in enumerate(outcomes):
        if isinstance(outcome, Decimal):  # the shortfall: when more comes, outside the lock
            outcomes[n] = shortage(items[n].product, outcome, None)
    return cast(list[Outcome], outcomes)


def hold_many(
    items: Sequence[Wanted], *, by: Any
) -> list[Reservation | Decimal | ReservationExists]:
    ids = selectors.active_warehouse_ids()
    levels: dict[int, list[StockLevel]] = {}
    for level in (
        StockLevel.objects.select_for_update()
        .filter(product_id__in={item.product.pk for item in items}, warehouse_id__in=ids)
        .order_by("pk")
    ):
        levels.setdefault(level.product_id, []).append(level)
    taken = set(
        Reservation.objects.filter(
            status=ReservationStatus.OPEN, reference__in={item.reference for item in items}
        ).values_list("reference", flat=True)
    )
    outcomes: list[Reservation | Decimal | ReservationExists] = []
    held: list[tuple[Reservation, StockLevel, Wanted]] = []
    claimed: dict[int, Decimal] = {}  # by earlier lines of this call, per stock row
    for item in items:
        if item.reference in taken:
            outcomes.append(exists(item.reference))
            continue
        rows = [
            (level, level.available - claimed.get(level.pk, ZERO))
            for level in levels.get(item.product.pk, [])
        ]
        chosen = next((level for level, available in rows if available >= item.quantity), None)
        if chosen is None:
            outcomes.append(max((available for _level, available in rows), default=ZERO))
            continue
        chosen.product = item.product
        claimed[chosen.pk] = claimed.get(chosen.pk, ZERO) + item.quantity
        taken.add(item.reference)
        reservation = Reservation(
            product=item.product,
            warehouse_id=chosen.warehouse_id,
            quantity=item.quantity,
            reference=item.reference,
            created_by=by if getattr(by, "pk", None) else None,
        )
        held.append((reservation, chosen, item))
        outcomes.append(reservation)
    Reservation.objects.bulk_create([reservation for reservation, _level, _item in held])
    post_many(
        [
            Posting(
                level,
                MovementKind.RESERVATION,
                item.quantity,
                reference=item.reference,
                reservation=reservation,
                source=item.source,
                audited=reservation,
                action="stock_reserved",
            )
            for reservation, level, item in held
        ],
        by=by,
    )
    return outcomes


def exists(reference: str) -> ReservationExists:
    return ReservationExists(
        _("{reference} already holds stock; release it first.").format(reference=reference),
        fields={"reference": _("Already reserved.")},
    )


def shortage(product: Product, available: Decimal, place: Any) -> InsufficientStock:
    restock_on = selectors.restock_on(product, place)
    return InsufficientStock(
        _("Only {available} {unit} of {sku} available; more expected on {date}.").format(
            available=available, unit=product.unit, sku=product.sku, date=restock_on
        ),
        available=available,
        restock_on=restock_on,
    )


def issue_many(wanted: Sequence[tuple[Reservation, Decimal]], *, by: Any) -> list[Reservation]:
    """:func:`issue` for many reservations at once (a large shipment) in a fixed number of
    queries: the stock rows, then the reservations, locked in one query each (primary-key
    order, as :func:`lock_open` does one by one), every quantity checked as :func:`issue`
    checks it, then written in bulk."""
    permissions.require(by, MANAGE)
    errors: dict[str, str] = {}
    amounts = []
    for _reservation, quantity in wanted:
        amounts.append(clean_quantity(quantity, errors))
        raise_if(errors)
    if not wanted:
        return []
    with transaction.atomic():
        pairs = {(reservation.product_id, reservation.warehouse_id) for reservation, _q in wanted}
        levels = {
            (level.product_id, level.warehouse_id): level
            for level in StockLevel.objects.select_for_update()
            .filter(
                product_id__in={product for product, _warehouse in pairs},
                warehouse_id__in={warehouse for _product, warehouse in pairs},
            )
            .order_by("pk")
        }  # one warehouse per shipment: exactly the rows involved
        locked = Reservation.objects.select_for_update().in_bulk(
            [reservation.pk for reservation, _q in wanted]
        )
        now = timezone.now()
        postings = []
        done = []
        for (given, _quantity), amount in zip(wanted, amounts, strict=True):
            reservation = locked[given.pk]
            if reservation.status != ReservationStatus.OPEN:
                raise ReservationClosed(
                    _("The reservation for {reference} is already {status}.").format(
                        reference=reservation.reference,
                        status=reservation.get_status_display(),
                    )
                )
            remaining = reservation.quantity - reservation.issued
            if amount > remaining:
                raise ValidationFailed(
                    _("Only {remaining} is still reserved for {reference}.").format(
                        remaining=remaining, reference=reservation.reference
                    ),
                    code="more_than_reserved",
                    fields={"quantity": _("At most {remaining}.").format(remaining=remaining)},
                )
            reservation.issued += amount
            if reservation.issued == reservation.quantity:
                reservation.status = ReservationStatus.ISSUED
                reservation.closed_at = now
            level = levels[(reservation.product_id, reservation.warehouse_id)]
            postings.append(
                Posting(
                    level,
                    MovementKind.ISSUE,
                    amount,
                    reference=reservation.reference,
                    reservation=reservation,
                    audited=reservation,
                    action="stock_issued",
                )
            )
            done.append(reservation)
        write_back(
            sorted(locked.values(), key=lambda reservation: reservation.pk),
            ("issued", "status", "closed_at"),
        )
        post_many(postings, by=by)
    return done

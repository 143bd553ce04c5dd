"""Shipments (发货单): entry from an order, tracking numbers, confirmation.

- :func:`create_shipment` makes a draft from a released order: lines default to what is
  still to ship; each line may ship at most ordered × (1 + over-shipment tolerance) minus
  what the order's other draft and sent shipments already hold. Consignee and address are
  pre-filled from the order.
- :func:`confirm_shipment` (the goods left): the order must be released to ship
  (``clearance.ensure_cleared``), a consignee/address other than the order's needs a
  reason, the quantities are checked again with the order row locked (two confirmations
  for one order queue and cannot over-ship), the reserved stock is issued
  (``inventory.services.issue``), the order becomes partially shipped or shipped, and the
  shipping notice goes to the customer after commit.
- :func:`set_tracking` adds or corrects the tracking number (format per carrier); a sent
  shipment's notice is sent again.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from functools import partial
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.selectors import acting_for
from orderdesk.core import audit, numbering, permissions, workcalendar
from orderdesk.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from orderdesk.inventory import selectors as stock_selectors
from orderdesk.inventory import services as stock
from orderdesk.inventory.models import Warehouse
from orderdesk.orders import lifecycle
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.models import Order, OrderLine, OrderStatus

from .. import selectors, tracking
from ..models import COUNTED, SENT, Carrier, Shipment, ShipmentLine, ShipmentStatus
from . import clearance, notices

SHIP = "shipping.ship_orders"
STOCK, RESERVE = "inventory.manage_stock", "inventory.reserve_stock"
SHIPPABLE = frozenset(
    {OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED}
)
ZERO = Decimal(0)
QUANTUM = Decimal("0.001")
PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,24}$")
ADDRESS_FIELDS = ("consignee", "consignee_phone", "province", "city", "district", "address")


# --- helpers --------------------------------------------------------------------------------


def require_shippable(order: Order) -> None:
    if order.status in SHIPPABLE:
        return
    status = OrderStatus(order.status).label
    if order.status == OrderStatus.CANCELLED:
        message = _("Order {number} was cancelled; it cannot be shipped.")
    elif order.status == OrderStatus.ON_HOLD:
        message = _("Order {number} is on hold; resume it before shipping.")
    elif order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED):
        message = _("Order {number} is already fully shipped.")
    else:
        message = _("Order {number} is not released yet ({status}); release it before shipping.")
    raise InvalidTransition(
        message.format(number=order.number, status=status),
        code="order_not_shippable",
        fields={"order": status},
    )


def order_defaults(order: Order) -> dict[str, str]:
    """Consignee and address as the order has them."""
    return {
        "consignee": order.consignee or order.contact_name,
        "consignee_phone": order.consignee_phone or order.contact_phone,
        "province": order.delivery_province,
        "city": order.delivery_city,
        "district": order.delivery_district,
        "address": order.delivery_address,
    }


def differences(shipment: Shipment, order: Order) -> list[str]:
    """The consignee/address fields where the shipment differs from the order."""
    expected = order_defaults(order)
    return [
        name
        for name in ADDRESS_FIELDS
        if (getattr(shipment, name) or "").strip() != (expected[name] or "").strip()
    ]


def limits(
    order: Order, *, exclude_shipment: int | None = None, statuses: Any = COUNTED
) -> dict[int, Decimal]:
    """``{order_line_id: most that may still go}`` given the tolerance and the order's
    other shipments of ``statuses`` (entry: drafts and sent; confirmation: sent only, so
    a stale draft cannot block the one that really leaves)."""
    tolerance = selectors.shipping_settings().over_shipment_percent
    taken = selectors.quantities_by_line(
        order, statuses=statuses, exclude_shipment=exclude_shipment
    )
    result = {}
    for line in order.lines.all():
        ceiling = (line.quantity * (1 + tolerance / 100)).quantize(QUANTUM, rounding=ROUND_DOWN)
        result[line.pk] = max(ceiling - taken.get(line.pk, ZERO), ZERO)
    return result


def remaining(order: Order) -> dict[int, Decimal]:
    """What is still to ship per line without tolerance (the entry form's defaults)."""
    taken = selectors.quantities_by_line(order, statuses=COUNTED)
    return {
        line.pk: max(line.quantity - taken.get(line.pk, ZERO), ZERO) for line in order.lines.all()
    }


def parse_quantity(value: Any) -> Decimal | None:
    try:
        found = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not found.is_finite() or found != found.quantize(QUANTUM) or abs(found) >= 10**11:
        return None
    return found


def clean_lines(
    order: Order, wanted: list[dict[str, Any]] | None, errors: dict[str, str]
) -> list[tuple[OrderLine, Decimal]]:
    """``wanted``: ``[{"line_no" | "order_line_id", "quantity"}]``; ``None`` = all that is
    still to ship. Rows with quantity 0 are left out."""
    lines = {line.pk: line for line in order.lines.all()}
    by_no = {line.line_no: line for line in lines.values()}
    if wanted is None:
        open_ = remaining(order)
        chosen = [(lines[pk], qty) for pk, qty in open_.items() if qty > 0]
        return sorted(chosen, key=lambda item: item[0].line_no)
    chosen, seen = [], set()
    for index, row in enumerate(wanted):
        key = f"lines.{index}"
        row = row if isinstance(row, dict) else {}
        line = None
        if row.get("order_line_id") not in (None, ""):
            line = (
                lines.get(int(row["order_line_id"]))
                if str(row["order_line_id"]).isdigit()
                else None
            )
        elif row.get("line_no") not in (None, ""):
            line = by_no.get(int(row["line_no"])) if str(row["line_no"]).isdigit() else None
        if line is None:
            errors[f"{key}.line_no"] = _("No such line on order {number}.").format(
                number=order.number
            )
            continue
        if line.pk in seen:
            errors[f"{key}.line_no"] = _("Line {no} is listed twice.").format(no=line.line_no)
            continue
        seen.add(line.pk)
        qty = parse_quantity(row.get("quantity"))
        if qty is None or qty < 0:
            errors[f"{key}.quantity"] = _("Enter a quantity of 0 or more, at most 3 decimals.")
            continue
        if qty > 0:
            chosen.append((line, qty))
    return sorted(chosen, key=lambda item: item[0].line_no)


def check_quantities(
    order: Order,
    chosen: list[tuple[OrderLine, Decimal]],
    errors: dict[str, str],
    *,
    exclude_shipment: int | None = None,
    statuses: Any = COUNTED,
) -> None:
    allowed = limits(order, exclude_shipment=exclude_shipment, statuses=statuses)
    for line, qty in chosen:
        most = allowed.get(line.pk, ZERO)
        if qty > most:
            errors[f"line_{line.line_no}.quantity"] = _(
                "Line {no} ({sku}): {quantity} is more than the {most} {unit} still to ship."
            ).format(
                no=line.line_no,
                sku=line.sku,
                quantity=qty.normalize(),
                most=most.normalize(),
                unit=line.unit,
            )


def clean_carrier(value: Any, errors: dict[str, str]) -> Carrier | None:
    carrier = selectors.carrier_by_key(value)
    if carrier is None:
        errors["carrier"] = _("Choose a carrier.") if not value else _("Unknown carrier.")
    elif not carrier.active:
        errors["carrier"] = _("{carrier} is no longer used.").format(carrier=carrier.name)
        return None
    return carrier


def clean_tracking(carrier: Carrier | None, value: Any, errors: dict[str, str]) -> str:
    """The tracking number as stored: normalised for carriers with a format, trimmed text
    for the others; empty is allowed (it can be added later)."""
    text = str(value or "").strip()
    if not text or carrier is None:
        return text[:60]
    if not carrier.tracking_pattern:
        if len(text) > 60:
            errors["tracking_number"] = _("Use at most 60 characters.")
        return text[:60]
    number = tracking.normalise(text)
    if not tracking.matches(carrier.tracking_pattern, number):
        errors["tracking_number"] = _(
            "This is not a {carrier} tracking number (for example {example})."
        ).format(carrier=carrier.name, example=carrier.tracking_example)
    return number[:60]


def clean_address(values: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    limits_ = {
        "consignee": 50,
        "consignee_phone": 30,
        "province": 20,
        "city": 30,
        "district": 30,
        "address": 200,
    }
    cleaned = {}
    for name, limit in limits_.items():
        text = str(values.get(name) or "").strip()
        if len(text) > limit:
            errors[name] = _("Use at most {limit} characters.").format(limit=limit)
        cleaned[name] = text[:limit]
    phone = cleaned["consignee_phone"]
    if phone and not PHONE.match(phone):
        errors["consignee_phone"] = _("Enter a phone number (digits, e.g. 13800138000).")
    return cleaned


def clean_warehouse(order: Order, value: Any, errors: dict[str, str]) -> Warehouse | None:
    if value not in (None, ""):
        key = int(value) if isinstance(value, str) and value.strip().isdigit() else value
        found = stock_selectors.warehouse_by_key(key)
        if found is None or not found.is_active:
            errors["warehouse"] = _("Unknown or inactive warehouse.")
        return found
    # Default: where the order's stock is reserved, else the first active warehouse.
    for line in order.lines.all():
        reservation = stock_selectors.open_reservations(line.reference).first()
        if reservation is not None:
            return reservation.warehouse
    found = stock_selectors.active_warehouses().first()
    if found is None:
        errors["warehouse"] = _("No active warehouse.")
    return found


def clean_date(value: Any, name: str, errors: dict[str, str]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None


def clean_packages(value: Any, errors: dict[str, str]) -> int:
    try:
        packages = int(str(1 if value in (None, "") else value).strip())
    except ValueError:
        packages = 0
    if not 1 <= packages <= 100000:
        errors["packages"] = _("Enter the number of packages, at least 1.")
        return 1
    return packages


def expected_arrival(ship_date: dt.date, carrier: Carrier | None) -> dt.date:
    days = carrier.transit_working_days if carrier is not None else 3
    return workcalendar.add_working_days(ship_date, days)


def lock_shipment(pk: int) -> Shipment:
    return Shipment.objects.select_for_update(of=("self",)).select_related("carrier").get(pk=pk)


# --- writes -------------------------------------------------------------------------------


def create_shipment(
    order: Order,
    *,
    by: Any,
    lines: list[dict[str, Any]] | None = None,
    warehouse: Any = None,
    carrier: Any = None,
    tracking_number: str = "",
    packages: Any = 1,
    ship_date: Any = None,
    address: dict[str, Any] | None = None,
    difference_reason: str = "",
    note: str = "",
) -> Shipment:
    """A draft shipment (发货单) for ``order``; ``lines`` default to what is still to ship;
    ``address`` (consignee, consignee_phone, province, city, district, address) defaults to
    the order's."""
    permissions.require(by, SHIP)
    with transaction.atomic():
        locked = order_selectors.lock_visible_order(by, order.pk)
        require_shippable(locked)
        errors: dict[str, str] = {}
        chosen = clean_lines(locked, lines, errors)
        if not chosen and not errors:
            errors["lines"] = _("Nothing to ship: every line is shipped or already on a shipment.")
        check_quantities(locked, chosen, errors)
        found_carrier = clean_carrier(carrier, errors)
        number = clean_tracking(found_carrier, tracking_number, errors)
        place = clean_warehouse(locked, warehouse, errors)
        day = clean_date(ship_date, "ship_date", errors) or timezone.localdate()
        count = clean_packages(packages, errors)
        values = clean_address({**order_defaults(locked), **(address or {})}, errors)
        if errors:
            raise ValidationFailed(
                _("The shipment cannot be saved; correct the highlighted fields."),
                code="invalid_shipment",
                fields=errors,
            )
        shipment = Shipment.objects.create(
            number=numbering.next_number("shipment", on=day),
            order=locked,
            ship_date=day,
            warehouse=cast(Warehouse, place),
            carrier=cast(Carrier, found_carrier),
            tracking_number=number,
            packages=count,
            expected_arrival=expected_arrival(day, found_carrier),
            difference_reason=str(difference_reason or "").strip()[:500],
            note=str(note or "").strip()[:500],
            created_by=by,
            **values,
        )
        ShipmentLine.objects.bulk_create(
            ShipmentLine(shipment=shipment, order_line=line, quantity=qty) for line, qty in chosen
        )
        audit.record(
            shipment,
            "shipment_created",
            by=by,
            changes={
                "order": (None, locked.number),
                "lines": (None, {line.line_no: str(qty) for line, qty in chosen}),
                "carrier": (None, found_carrier.code if found_carrier else ""),
            },
        )
    return shipment


def set_tracking(
    shipment: Shipment, *, by: Any, tracking_number: str, carrier: Any = None
) -> Shipment:
    """Add or correct the carrier and tracking number; a sent shipment's notice goes again."""
    permissions.require(by, SHIP)
    with transaction.atomic():
        order_selectors.lock_visible_order(by, shipment.order_id)
        locked = lock_shipment(shipment.pk)
        if locked.status not in (ShipmentStatus.DRAFT, ShipmentStatus.SHIPPED):
            raise Conflict(
                _(
                    "Shipment {number} is {status}; its tracking number can no longer change."
                ).format(number=locked.number, status=locked.get_status_display()),
                code="shipment_closed",
            )
        errors: dict[str, str] = {}
        found = clean_carrier(carrier, errors) if carrier not in (None, "") else locked.carrier
        number = clean_tracking(found, tracking_number, errors)
        if not number and "tracking_number" not in errors:
            errors["tracking_number"] = _("Enter the tracking number.")
        if errors:
            raise ValidationFailed(
                _("Correct the highlighted fields."), code="invalid_tracking", fields=errors
            )
        found = cast(Carrier, found)
        before = (locked.carrier.code, locked.tracking_number)
        locked.carrier = found
        locked.tracking_number = number
        locked.expected_arrival = expected_arrival(locked.ship_date, found)
        locked.save(update_fields=["carrier", "tracking_number", "expected_arrival"])
        audit.record(
            locked,
            "shipment_tracking",
            by=by,
            changes={
                "carrier": (before[0], found.code),
                "tracking_number": (before[1], number),
            },
        )
        if locked.status == ShipmentStatus.SHIPPED:
            transaction.on_commit(partial(notices.deliver_notice, locked.pk, by.pk))
    return locked


def update_draft(shipment: Shipment, *, by: Any, lines: list[dict[str, Any]]) -> Shipment:
    """Change a draft's quantities (the rows given; 0 removes a line)."""
    permissions.require(by, SHIP)
    with transaction.atomic():
        order = order_selectors.lock_visible_order(by, shipment.order_id)
        locked = lock_shipment(shipment.pk)
        require_draft(locked)
        errors: dict[str, str] = {}
        chosen = clean_lines(order, lines, errors)
        if not chosen and not errors:
            errors["lines"] = _("A shipment needs at least one line.")
        check_quantities(order, chosen, errors, exclude_shipment=locked.pk)
        if errors:
            raise ValidationFailed(
                _("Correct the highlighted fields."), code="invalid_shipment", fields=errors
            )
        locked.lines.all().delete()
        ShipmentLine.objects.bulk_create(
            ShipmentLine(shipment=locked, order_line=line, quantity=qty) for line, qty in chosen
        )
        audit.record(
            locked,
            "shipment_changed",
            by=by,
            changes={"lines": (None, {line.line_no: str(qty) for line, qty in chosen})},
        )
    return locked


def require_draft(shipment: Shipment) -> None:
    if shipment.status != ShipmentStatus.DRAFT:
        raise Conflict(
            _("Shipment {number} is already {status}.").format(
                number=shipment.number, status=shipment.get_status_display()
            ),
            code="shipment_not_draft",
        )


def cancel_shipment(shipment: Shipment, *, by: Any, reason: str = "") -> Shipment:
    """Drop a draft (its quantities are free again); a sent shipment cannot be cancelled."""
    permissions.require(by, SHIP)
    with transaction.atomic():
        order_selectors.lock_visible_order(by, shipment.order_id)
        locked = lock_shipment(shipment.pk)
        require_draft(locked)
        locked.status = ShipmentStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "cancelled_at"])
        audit.record(
            locked,
            "shipment_cancelled",
            by=by,
            changes={"status": (ShipmentStatus.DRAFT, ShipmentStatus.CANCELLED)},
            reason=str(reason or "").strip()[:500],
        )
    return locked


def confirm_shipment(
    shipment: Shipment, *, by: Any, difference_reason: str | None = None
) -> Shipment:
    """The goods left (确认发货): issue the stock, move the order, send the notice."""
    permissions.require(by, SHIP)
    with transaction.atomic():
        order = order_selectors.lock_visible_order(by, shipment.order_id)
        locked = lock_shipment(shipment.pk)
        require_draft(locked)
        require_shippable(order)
        clearance.ensure_cleared(order, by=by)
        if difference_reason is not None and difference_reason.strip():
            locked.difference_reason = difference_reason.strip()[:500]
        errors: dict[str, str] = {}
        if locked.ship_date > timezone.localdate():
            errors["ship_date"] = _("The ship date is in the future; confirm on the day it leaves.")
        if not locked.carrier.active:
            errors["carrier"] = _("{carrier} is no longer used.").format(
                carrier=locked.carrier.name
            )
        for name in ("consignee", "consignee_phone", "address"):
            if not getattr(locked, name).strip():
                errors[name] = _("Required before the shipment leaves.")
        changed = differences(locked, order)
        if changed and not locked.difference_reason:
            for name in changed:
                errors.setdefault(name, _("Differs from the order; give the reason to confirm."))
            errors["difference_reason"] = _(
                "The consignee or address differs from the order; acknowledge it with a reason."
            )
        lines = list(locked.lines.select_related("order_line"))
        check_quantities(
            order,
            [(row.order_line, row.quantity) for row in lines],
            errors,
            exclude_shipment=locked.pk,
            statuses=SENT,
        )
        if errors:
            raise ValidationFailed(
                _("The shipment cannot be confirmed; correct the highlighted fields."),
                code="shipment_not_ready",
                fields=errors,
            )
        issued = issue_stock(locked, lines, by=by)
        locked.status = ShipmentStatus.SHIPPED
        locked.shipped_by = by
        locked.shipped_at = timezone.now()
        locked.expected_arrival = expected_arrival(locked.ship_date, locked.carrier)
        locked.delivery_token = secrets.token_urlsafe(32)
        locked.save(
            update_fields=[
                "status",
                "shipped_by",
                "shipped_at",
                "expected_arrival",
                "delivery_token",
                "difference_reason",
            ]
        )
        audit.record(
            locked,
            "shipment_confirmed",
            by=by,
            changes={
                "status": (ShipmentStatus.DRAFT, ShipmentStatus.SHIPPED),
                "issued": (None, issued),
                **({"address_differs": (None, changed)} if changed else {}),
            },
            reason=locked.difference_reason if changed else "",
        )
        move_order_after_shipping(order, by=by, shipment=locked)
        transaction.on_commit(partial(notices.deliver_notice, locked.pk, by.pk))
    return locked


def issue_stock(shipment: Shipment, lines: list[ShipmentLine], *, by: Any) -> dict[str, str]:
    """Issue every shipped quantity from the shipment's warehouse (出库), so the ledger holds
    whatever leaves: first what is reserved there for the line, then anything beyond it
    (the over-shipment tolerance, or a line reserved in another warehouse) from the
    warehouse's free stock — reserved and issued at once; a shortfall refuses the shipment
    (409 ``insufficient_stock`` with what is available). Whoever may ship but not manage
    stock (logistics) issues through the system account."""
    actor = acting_for(by, STOCK, RESERVE)
    open_here: dict[str, Any] = {}
    for held in (
        stock_selectors.open_reservations()
        .filter(
            warehouse=shipment.warehouse,
            reference__in=[row.order_line.reference for row in lines],
        )
        .order_by("-pk")
    ):  # one query for the shipment, not one per line; the first per line wins
        open_here[held.reference] = held
    left = {r.pk: r.quantity - r.issued for r in open_here.values()}
    from_reservations: list[tuple[Any, Decimal]] = []
    beyond: list[tuple[ShipmentLine, Decimal]] = []
    issued = {}
    for row in lines:
        remaining = row.quantity
        reservation = open_here.get(row.order_line.reference)
        if reservation is not None:
            amount = min(remaining, left[reservation.pk])
            if amount > 0:
                from_reservations.append((reservation, amount))
                left[reservation.pk] -= amount
                remaining -= amount
        if remaining > 0:
            beyond.append((row, remaining))
        issued[str(row.order_line.line_no)] = str(row.quantity)
    stock.issue_many(from_reservations, by=actor)
    for row, remaining in beyond:
        extra = stock.reserve(
            row.order_line.product,
            remaining,
            warehouse=shipment.warehouse,
            reference=f"shipping.ShipmentLine:{row.pk}",
            by=actor,
            source=row,
        )
        stock.issue(extra, by=actor)
    return issued


def move_order_after_shipping(order: Order, *, by: Any, shipment: Shipment) -> None:
    sent = selectors.quantities_by_line(
        order, statuses=(ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)
    )
    complete = all(sent.get(line.pk, ZERO) >= line.quantity for line in order.lines.all())
    target = OrderStatus.SHIPPED if complete else OrderStatus.PARTIALLY_SHIPPED
    if order.status == target:
        return
    lifecycle.move(
        order,
        target,
        by=by,
        reason=_("Shipment {number}").format(number=shipment.number),
        action=f"order_{target}",
    )


def shipment_of(order: Order, shipment_id: int) -> Shipment:
    found = Shipment.objects.filter(order=order, pk=shipment_id).first()
    if found is None:
        raise NotFound(code="shipment_not_found")
    return found

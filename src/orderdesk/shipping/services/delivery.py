"""Delivery confirmation (到货回单 / 签收) and delivery exceptions.

- :func:`confirm_delivery` (staff: sales, customer service, warehouse, logistics) and
  :func:`confirm_delivery_by_token` (the customer, or whoever delivers, on the link of the
  shipping notice, no login): signer, date (not before the ship date, not in the future)
  and optionally a photo or scan of the signed delivery note. Once per shipment (a second
  confirmation is 409 ``already_delivered``). The shipment's lines count as delivered; when
  every order line's ordered quantity is shipped and delivered, the order becomes delivered.
- :func:`report_exception`: damage, short quantity, wrong model or late arrival against the
  shipment's lines, with photos; each opens an after-sales case (``aftersales.services.
  open_case``, which tells customer service).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.selectors import system_user
from orderdesk.aftersales.models import CaseKind
from orderdesk.aftersales.services import open_case
from orderdesk.core import audit, permissions
from orderdesk.core.errors import Conflict, ValidationFailed
from orderdesk.orders import lifecycle
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.models import Order, OrderStatus

from .. import selectors
from ..models import DeliveryException, Shipment, ShipmentLine, ShipmentStatus
from .shipments import lock_shipment, parse_quantity

CONFIRM = "shipping.confirm_deliveries"
REPORT = "shipping.report_delivery_exceptions"
PROOF_SUFFIXES = frozenset(
    {".pdf", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".tif", ".tiff"}
)
MAX_BYTES = 20 * 1024 * 1024
MAX_PHOTOS = 10
LINES_REQUIRED = frozenset({CaseKind.DAMAGE, CaseKind.SHORT_QUANTITY, CaseKind.WRONG_MODEL})
ZERO = Decimal(0)


def check_upload(file: Any, field: str) -> dict[str, str]:
    name = PurePath(getattr(file, "name", "") or "").name
    if not name:
        return {field: _("Choose a file.")}
    if PurePath(name).suffix.lower() not in PROOF_SUFFIXES:
        return {field: _("{name}: use a photo (JPEG, PNG…) or a PDF scan.").format(name=name)}
    size = getattr(file, "size", None) or 0
    if size <= 0:
        return {field: _("{name} is empty.").format(name=name)}
    if size > MAX_BYTES:
        return {field: _("{name} is larger than 20 MB.").format(name=name)}
    return {}


def clean_delivery(
    shipment: Shipment, signer: Any, delivered_on: Any, proof: Any, note: Any
) -> tuple[str, dt.date | None, str]:
    errors: dict[str, str] = {}
    signer = str(signer or "").strip()
    if not signer:
        errors["signer"] = _("Enter the name of the person who signed for the goods.")
    elif len(signer) > 50:
        errors["signer"] = _("Use at most 50 characters.")
    day: dt.date | None = None
    if isinstance(delivered_on, dt.date):
        day = delivered_on
    elif delivered_on in (None, ""):
        errors["delivered_on"] = _("Enter the delivery date.")
    else:
        try:
            day = dt.date.fromisoformat(str(delivered_on).strip())
        except ValueError:
            errors["delivered_on"] = _("Enter a date as YYYY-MM-DD.")
    if day is not None:
        if day < shipment.ship_date:
            errors["delivered_on"] = _("The delivery date is before the ship date {date}.").format(
                date=shipment.ship_date.isoformat()
            )
        elif day > timezone.localdate():
            errors["delivered_on"] = _("The delivery date is in the future.")
    if proof is not None:
        errors.update(check_upload(proof, "proof"))
    note = str(note or "").strip()
    if len(note) > 1000:
        errors["note"] = _("Use at most 1000 characters.")
    if errors:
        raise ValidationFailed(
            _("The delivery cannot be confirmed; correct the highlighted fields."),
            code="invalid_delivery",
            fields=errors,
        )
    return signer, day, note


def require_in_transit(shipment: Shipment) -> None:
    if shipment.status == ShipmentStatus.DELIVERED:
        raise Conflict(
            _(
                "Shipment {number} was already confirmed delivered on {date} (signed by {signer})."
            ).format(
                number=shipment.number,
                date=shipment.delivered_on.isoformat() if shipment.delivered_on else "",
                signer=shipment.signer,
            ),
            code="already_delivered",
        )
    if shipment.status != ShipmentStatus.SHIPPED:
        raise Conflict(
            _("Shipment {number} has not been shipped ({status}).").format(
                number=shipment.number, status=shipment.get_status_display()
            ),
            code="shipment_not_sent",
        )


def confirm_delivery(
    shipment: Shipment,
    *,
    signer: str,
    delivered_on: Any,
    by: Any,
    proof: Any = None,
    note: str = "",
) -> Shipment:
    """Staff record the delivery (签收) of a shipment."""
    permissions.require(by, CONFIRM)
    with transaction.atomic():
        order = order_selectors.lock_visible_order(by, shipment.order_id)
        return record_delivery(
            order, shipment, signer, delivered_on, proof, note, by=by, via="staff"
        )


def confirm_delivery_by_token(
    token: str, *, signer: str, delivered_on: Any, proof: Any = None, note: str = ""
) -> Shipment:
    """The customer (or the driver) confirms on the link of the shipping notice."""
    found = selectors.shipment_for_token(token)
    with transaction.atomic():
        order = order_selectors.lock_order(found.order_id)
        return record_delivery(
            order, found, signer, delivered_on, proof, note, by=system_user(), via="link"
        )


def record_delivery(
    order: Order,
    shipment: Shipment,
    signer: Any,
    delivered_on: Any,
    proof: Any,
    note: Any,
    *,
    by: Any,
    via: str,
) -> Shipment:
    locked = lock_shipment(shipment.pk)
    require_in_transit(locked)
    signer, day, note = clean_delivery(locked, signer, delivered_on, proof, note)
    locked.status = ShipmentStatus.DELIVERED
    locked.signer = signer
    locked.delivered_on = day
    locked.delivery_note = note
    locked.delivery_confirmed_at = timezone.now()
    locked.delivery_confirmed_by = by if getattr(by, "pk", None) else None
    locked.delivery_confirmed_via = via
    fields = [
        "status",
        "signer",
        "delivered_on",
        "delivery_note",
        "delivery_confirmed_at",
        "delivery_confirmed_by",
        "delivery_confirmed_via",
    ]
    if proof is not None:
        locked.delivery_proof.save(PurePath(proof.name).name, proof, save=False)
        fields.append("delivery_proof")
    locked.save(update_fields=fields)
    for row in ShipmentLine.objects.filter(shipment=locked):
        row.delivered_quantity = row.quantity
        row.save(update_fields=["delivered_quantity"])
    audit.record(
        locked,
        "delivery_confirmed",
        by=by,
        changes={
            "status": (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED),
            "signer": (None, signer),
            "delivered_on": (None, day),
            "via": (None, via),
        },
        reason=note,
    )
    move_order_after_delivery(order, by=by, shipment=locked)
    return locked


def order_fully_delivered(order: Order) -> bool:
    delivered = selectors.delivered_by_line(order)
    return all(delivered.get(line.pk, ZERO) >= line.quantity for line in order.lines.all())


def move_order_after_delivery(order: Order, *, by: Any, shipment: Shipment) -> None:
    if order.status == OrderStatus.SHIPPED and order_fully_delivered(order):
        lifecycle.move(
            order,
            OrderStatus.DELIVERED,
            by=by,
            reason=_("Delivery of shipment {number} confirmed").format(number=shipment.number),
            action="order_delivered",
        )


def report_exception(
    shipment: Shipment,
    *,
    kind: str,
    lines: Sequence[dict[str, Any]],
    description: str,
    by: Any,
    photos: Sequence[Any] = (),
) -> DeliveryException:
    """Record a problem found on receipt and open an after-sales case for it."""
    permissions.require(by, REPORT)
    errors: dict[str, str] = {}
    if kind not in CaseKind.values:
        errors["kind"] = _("Choose what went wrong.")
    description = str(description or "").strip()
    if not description:
        errors["description"] = _("Describe the problem.")
    elif len(description) > 4000:
        errors["description"] = _("Use at most 4000 characters.")
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("At most {count} photos.").format(count=MAX_PHOTOS)
    with transaction.atomic():
        order = order_selectors.lock_visible_order(by, shipment.order_id)
        locked = lock_shipment(shipment.pk)
        if locked.status not in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED):
            raise Conflict(
                _("Shipment {number} has not been shipped; there is nothing to report.").format(
                    number=locked.number
                ),
                code="shipment_not_sent",
            )
        rows = {
            row.pk: row
            for row in ShipmentLine.objects.filter(shipment=locked).select_related("order_line")
        }
        chosen: list[dict[str, Any]] = []
        for index, item in enumerate(lines or ()):
            item = item if isinstance(item, dict) else {}
            key = f"lines.{index}"
            raw = item.get("shipment_line_id")
            row = rows.get(int(str(raw))) if str(raw or "").isdigit() else None
            if row is None:
                errors[f"{key}.shipment_line_id"] = _("Not a line of shipment {number}.").format(
                    number=locked.number
                )
                continue
            qty = parse_quantity(item.get("quantity"))
            if qty is None or qty <= 0:
                errors[f"{key}.quantity"] = _("Enter a quantity more than 0, at most 3 decimals.")
            elif qty > row.quantity:
                errors[f"{key}.quantity"] = _("More than the {quantity} shipped.").format(
                    quantity=row.quantity.normalize()
                )
            else:
                chosen.append(
                    {
                        "shipment_line_id": row.pk,
                        "line_no": row.order_line.line_no,
                        "sku": row.order_line.sku,
                        "quantity": str(qty),
                    }
                )
        if not chosen and not any(key.startswith("lines") for key in errors):
            if kind in LINES_REQUIRED:
                errors["lines"] = _("Name the lines and quantities concerned.")
            else:  # a late arrival concerns the whole shipment
                chosen = [
                    {
                        "shipment_line_id": row.pk,
                        "line_no": row.order_line.line_no,
                        "sku": row.order_line.sku,
                        "quantity": str(row.quantity),
                    }
                    for row in rows.values()
                ]
        if errors:
            raise ValidationFailed(
                _("The exception cannot be recorded; correct the highlighted fields."),
                code="invalid_exception",
                fields=errors,
            )
        case = open_case(
            order=order,
            kind=kind,
            description=description,
            lines=chosen,
            photos=photos,
            source=_("Shipment {number}").format(number=locked.number),
            by=by,
        )
        exception = DeliveryException.objects.create(
            shipment=locked,
            kind=kind,
            lines=chosen,
            description=description,
            photos=len(photos),
            case_id=case.pk,
            case_number=case.number,
            reported_by=by,
        )
        audit.record(
            locked,
            "delivery_exception",
            by=by,
            changes={"kind": (None, kind), "case": (None, case.number), "lines": (None, chosen)},
            reason=description,
        )
    return exception

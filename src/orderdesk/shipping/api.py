"""/api/v1/shipments and /api/v1/orders/{id}/fulfilment (+ the release to ship).

Every endpoint finds the shipment or order through the selectors (one 404 for missing and
hidden), calls one service and renders; refusals leave as ``{"error": {"code", "message",
"fields"}}``. Quantities leave as decimal strings.

- ``GET /shipments``: list; filters ``status``, ``order_id``, ``in_transit``, ``overdue``,
  ``q``; ``limit``/``offset``.
- ``POST /shipments``: a draft from an order: ``{order_id, warehouse_id?, lines?: [{line_no,
  quantity}], carrier, tracking_number?, packages?, ship_date?, consignee?, consignee_phone?,
  province?, city?, district?, address?, difference_reason?}``; lines default to what is
  still to ship. 201.
- ``GET /shipments/{id}``: one shipment with lines, notices sent and exceptions.
- ``POST /shipments/{id}/confirm``: ``{difference_reason?}`` (body optional): issue stock,
  move the order, send the notice.
- ``POST /shipments/{id}/tracking``: ``{tracking_number, carrier?}``.
- ``POST /shipments/{id}/delivery``: JSON ``{signer, delivered_on, note?}`` or multipart
  with ``proof``.
- ``POST /shipments/{id}/exceptions``: JSON ``{kind, description, lines: [{shipment_line_id,
  quantity}]}`` or multipart with ``photos`` and ``lines`` as JSON text. 201.
- ``GET /orders/{id}/fulfilment``: per line ordered / prepared / shipped / delivered /
  remaining, with the release to ship.
- ``POST /orders/{id}/clearance`` (finance): ``{note?}`` releases a B/C order on the payments
  billing has received (422 ``balance_not_received`` until they cover the order), or
  ``{per_terms: true}`` an A-grade one; ``POST /orders/{id}/urgent-release`` ``{reason}``;
  ``POST /orders/{id}/paperwork`` ``{note}``.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import BeforeValidator, Field

from orderdesk.core.errors import ValidationFailed
from orderdesk.core.request_bodies import fields_of
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.schemas import OptionalDate, OptionalId, Text, blank_to_none

from . import selectors, services
from .models import Clearance, Shipment, ShipmentLine
from .services import clearance as clearance_service

router = Router(tags=["shipping"])
order_fulfilment_router = Router(tags=["shipping"])

QuantityIn = Annotated[Decimal | None, BeforeValidator(blank_to_none)]


class LineIn(Schema):
    line_no: int | None = Field(None, ge=1, le=2**31 - 1)
    order_line_id: OptionalId = None
    quantity: Annotated[Decimal, Field(max_digits=14, decimal_places=3)]


class ShipmentIn(Schema):
    order_id: int = Field(..., ge=1, le=2**63 - 1)
    warehouse_id: OptionalId = None
    lines: list[LineIn] | None = Field(None, description="Default: all that is still to ship.")
    carrier: Text = Field("", max_length=20, description="Carrier code (SF, JD, EMS…) or id.")
    tracking_number: Text = Field("", max_length=100)
    packages: int = Field(1, ge=1, le=100000)
    ship_date: OptionalDate = None
    consignee: Text | None = Field(None, max_length=50)
    consignee_phone: Text | None = Field(None, max_length=30)
    province: Text | None = Field(None, max_length=20)
    city: Text | None = Field(None, max_length=30)
    district: Text | None = Field(None, max_length=30)
    address: Text | None = Field(None, max_length=200)
    difference_reason: Text = Field("", max_length=500)
    note: Text = Field("", max_length=500)


class TrackingIn(Schema):
    tracking_number: Text = Field(..., max_length=100)
    carrier: Text = Field("", max_length=20)


class ShipmentFilter(Schema):
    status: str = ""
    order_id: OptionalId = None
    in_transit: bool = False
    overdue: bool = False
    q: Text = Field("", max_length=60)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class ShipmentLineOut(Schema):
    id: int
    order_line_id: int
    line_no: int
    sku: str
    name: str
    unit: str
    quantity: Decimal
    delivered_quantity: Decimal


class NoticeOut(Schema):
    sent_to: str
    sent_at: dt.datetime
    ok: bool
    error: str


class ExceptionOut(Schema):
    id: int
    kind: str
    lines: list[dict[str, Any]]
    description: str
    case_id: int | None
    case_number: str
    reported_at: dt.datetime


class ShipmentOut(Schema):
    id: int
    number: str
    order_id: int
    order_number: str
    order_status: str
    status: str
    ship_date: dt.date
    warehouse: str
    carrier: str
    carrier_name: str
    tracking_number: str
    packages: int
    expected_arrival: dt.date
    overdue: bool
    consignee: str
    consignee_phone: str
    address: str
    difference_reason: str
    shipped_at: dt.datetime | None
    notice_sent_at: dt.datetime | None
    delivered_on: dt.date | None
    signer: str
    delivery_confirmed_via: str
    lines: list[ShipmentLineOut]
    notices: list[NoticeOut]
    exceptions: list[ExceptionOut]


class ShipmentListOut(Schema):
    count: int
    items: list[ShipmentOut]


class FulfilmentLineOut(Schema):
    line_id: int
    line_no: int
    sku: str
    name: str
    unit: str
    ordered: Decimal
    prepared: Decimal
    shipped: Decimal
    delivered: Decimal
    remaining: Decimal


class ClearanceOut(Schema):
    kind: str
    amount_received: Decimal
    reference: str
    note: str
    cleared_by: str
    cleared_at: dt.datetime
    paperwork_open: bool
    paperwork_completed_at: dt.datetime | None


class FulfilmentOut(Schema):
    order_id: int
    number: str
    status: str
    grade: str
    clearance: ClearanceOut | None
    clearance_missing: str
    lines: list[FulfilmentLineOut]
    shipments: list[str]


class ClearanceIn(Schema):
    per_terms: bool = False
    note: Text = Field("", max_length=1000)


class ReasonIn(Schema):
    reason: Text = Field("", max_length=1000)


class NoteIn(Schema):
    note: Text = Field("", max_length=1000)


# --- rendering ------------------------------------------------------------------------------


# What a shipment's answer reads besides the row: one query each for a whole page.
SHIPMENT_PARTS = (
    Prefetch(
        "lines",
        queryset=ShipmentLine.objects.select_related("order_line").order_by("order_line__line_no"),
    ),
    "notices",
    "exceptions",
)


def shipment_out(shipment: Shipment, *, loaded: bool = False) -> dict[str, Any]:
    """The API form of a shipment, read afresh; ``loaded``: it comes from a list read with
    its order, carrier and warehouse and ``SHIPMENT_PARTS`` prefetched (no query per row)."""
    from django.utils import timezone

    if not loaded:
        shipment = (
            Shipment.objects.select_related("order", "carrier", "warehouse")
            .prefetch_related(*SHIPMENT_PARTS)
            .get(pk=shipment.pk)
        )
    return {
        "id": shipment.pk,
        "number": shipment.number,
        "order_id": shipment.order_id,
        "order_number": shipment.order.number,
        "order_status": shipment.order.status,
        "status": shipment.status,
        "ship_date": shipment.ship_date,
        "warehouse": shipment.warehouse.code,
        "carrier": shipment.carrier.code,
        "carrier_name": shipment.carrier.name,
        "tracking_number": shipment.tracking_number,
        "packages": shipment.packages,
        "expected_arrival": shipment.expected_arrival,
        "overdue": shipment.status == "shipped"
        and shipment.expected_arrival < timezone.localdate(),
        "consignee": shipment.consignee,
        "consignee_phone": shipment.consignee_phone,
        "address": shipment.full_address,
        "difference_reason": shipment.difference_reason,
        "shipped_at": shipment.shipped_at,
        "notice_sent_at": shipment.notice_sent_at,
        "delivered_on": shipment.delivered_on,
        "signer": shipment.signer,
        "delivery_confirmed_via": shipment.delivery_confirmed_via,
        "lines": [
            {
                "id": row.pk,
                "order_line_id": row.order_line_id,
                "line_no": row.order_line.line_no,
                "sku": row.order_line.sku,
                "name": row.order_line.name,
                "unit": row.order_line.unit,
                "quantity": row.quantity,
                "delivered_quantity": row.delivered_quantity,
            }
            for row in shipment.lines.all()
        ],
        "notices": [
            {"sent_to": n.sent_to, "sent_at": n.sent_at, "ok": n.ok, "error": n.error}
            for n in shipment.notices.all()
        ],
        "exceptions": [
            {
                "id": e.pk,
                "kind": e.kind,
                "lines": list(e.lines or []),
                "description": e.description,
                "case_id": e.case_id,
                "case_number": e.case_number,
                "reported_at": e.reported_at,
            }
            for e in shipment.exceptions.all()
        ],
    }


def clearance_out(found: Clearance | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "kind": found.kind,
        "amount_received": found.amount_received,
        "reference": found.reference,
        "note": found.note,
        "cleared_by": str(found.cleared_by),
        "cleared_at": found.cleared_at,
        "paperwork_open": found.paperwork_open,
        "paperwork_completed_at": found.paperwork_completed_at,
    }


def fulfilment_out(user: Any, order_id: int) -> dict[str, Any]:
    from orderdesk.orders.services.releasing import credit_grade

    order = order_selectors.order_for(user, order_id)
    return {
        "order_id": order.pk,
        "number": order.number,
        "status": order.status,
        "grade": credit_grade(order),
        "clearance": clearance_out(selectors.clearance_of(order)),
        "clearance_missing": clearance_service.missing_clearance(order),
        "lines": selectors.fulfilment(order),
        "shipments": list(
            Shipment.objects.filter(order=order).order_by("id").values_list("number", flat=True)
        ),
    }


def text_of(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationFailed(
            _("Some fields are invalid."), code="invalid_input", fields={name: _("Text, please.")}
        )
    text = str(value)
    if "\x00" in text:
        raise ValidationFailed(
            _("Some fields are invalid."),
            code="invalid_input",
            fields={name: _("Text cannot contain NUL characters.")},
        )
    return text


# --- /shipments -----------------------------------------------------------------------------


@router.get(
    "", response=ShipmentListOut, summary="Shipments (filters: status, order, in transit, overdue)"
)
def list_shipments(request: HttpRequest, filters: Query[ShipmentFilter]) -> dict[str, Any]:
    shipments = selectors.search_shipments(
        request.user,
        status=filters.status,
        order_id=filters.order_id,
        in_transit=filters.in_transit,
        overdue=filters.overdue,
        q=filters.q,
    )
    rows = list(
        shipments.prefetch_related(*SHIPMENT_PARTS)[filters.offset : filters.offset + filters.limit]
    )
    return {"count": shipments.count(), "items": [shipment_out(row, loaded=True) for row in rows]}


@router.post("", response={201: ShipmentOut}, summary="Create a draft shipment from an order")
def create_shipment(request: HttpRequest, payload: ShipmentIn) -> Status[dict[str, Any]]:
    order = order_selectors.order_for(request.user, payload.order_id)
    address = {
        name: getattr(payload, name)
        for name in ("consignee", "consignee_phone", "province", "city", "district", "address")
        if getattr(payload, name) is not None
    }
    shipment = services.create_shipment(
        order,
        by=request.user,
        lines=[line.dict() for line in payload.lines] if payload.lines is not None else None,
        warehouse=payload.warehouse_id,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        packages=payload.packages,
        ship_date=payload.ship_date,
        address=address,
        difference_reason=payload.difference_reason,
        note=payload.note,
    )
    return Status(201, shipment_out(shipment))


@router.get("/{shipment_id}", response=ShipmentOut, summary="One shipment")
def get_shipment(request: HttpRequest, shipment_id: int) -> dict[str, Any]:
    return shipment_out(selectors.shipment_for(request.user, shipment_id))


@router.post(
    "/{shipment_id}/confirm",
    response=ShipmentOut,
    summary="Confirm: issue stock, move the order, send the notice",
)
def confirm_shipment(request: HttpRequest, shipment_id: int) -> dict[str, Any]:
    """Body optional: ``{"difference_reason": …}`` acknowledges a consignee or address other
    than the order's."""
    shipment = selectors.shipment_for(request.user, shipment_id)
    body = fields_of(request)
    reason = text_of(body, "difference_reason") if "difference_reason" in body else None
    services.confirm_shipment(shipment, by=request.user, difference_reason=reason)
    return shipment_out(shipment)


@router.post(
    "/{shipment_id}/tracking", response=ShipmentOut, summary="Add or correct the tracking number"
)
def add_tracking(request: HttpRequest, shipment_id: int, payload: TrackingIn) -> dict[str, Any]:
    shipment = selectors.shipment_for(request.user, shipment_id)
    services.set_tracking(
        shipment, by=request.user, tracking_number=payload.tracking_number, carrier=payload.carrier
    )
    return shipment_out(shipment)


@router.post(
    "/{shipment_id}/delivery",
    response=ShipmentOut,
    summary="Confirm the delivery (signer, date, proof)",
)
def confirm_delivery(request: HttpRequest, shipment_id: int) -> dict[str, Any]:
    shipment = selectors.shipment_for(request.user, shipment_id)
    body = fields_of(request)
    services.confirm_delivery(
        shipment,
        signer=text_of(body, "signer"),
        delivered_on=text_of(body, "delivered_on"),
        note=text_of(body, "note"),
        proof=request.FILES.get("proof"),
        by=request.user,
    )
    return shipment_out(shipment)


@router.post(
    "/{shipment_id}/exceptions",
    response={201: ExceptionOut},
    summary="Report a delivery exception (opens an after-sales case)",
)
def report_exception(request: HttpRequest, shipment_id: int) -> Status[dict[str, Any]]:
    shipment = selectors.shipment_for(request.user, shipment_id)
    body = fields_of(request)
    lines = body.get("lines") or []
    if isinstance(lines, str):
        try:
            lines = json.loads(lines)
        except ValueError:
            lines = None
    if not isinstance(lines, list):
        raise ValidationFailed(
            _("Some fields are invalid."),
            code="invalid_input",
            fields={"lines": _("A list of {shipment_line_id, quantity}.")},
        )
    found = services.report_exception(
        shipment,
        kind=text_of(body, "kind"),
        description=text_of(body, "description"),
        lines=lines,
        photos=request.FILES.getlist("photos"),
        by=request.user,
    )
    return Status(
        201,
        {
            "id": found.pk,
            "kind": found.kind,
            "lines": found.lines,
            "description": found.description,
            "case_id": found.case_id,
            "case_number": found.case_number,
            "reported_at": found.reported_at,
        },
    )


# --- /orders/{id}/… -----------------------------------------------------------------------------


@order_fulfilment_router.get(
    "/{order_id}/fulfilment",
    response=FulfilmentOut,
    summary="Per line: ordered, prepared, shipped, delivered",
)
def fulfilment(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return fulfilment_out(request.user, order_id)


@order_fulfilment_router.post(
    "/{order_id}/clearance",
    response=FulfilmentOut,
    summary="Finance releases the order to ship (per terms, or on the payments received)",
)
def clear(request: HttpRequest, order_id: int, payload: ClearanceIn) -> dict[str, Any]:
    order = order_selectors.order_for(request.user, order_id)
    if payload.per_terms:
        clearance_service.clear_per_terms(order, by=request.user, note=payload.note)
    else:
        clearance_service.clear_on_payments(order, by=request.user, note=payload.note)
    return fulfilment_out(request.user, order_id)


@order_fulfilment_router.post(
    "/{order_id}/urgent-release",
    response=FulfilmentOut,
    summary="Approve an urgent shipment without paperwork",
)
def urgent_release(request: HttpRequest, order_id: int, payload: ReasonIn) -> dict[str, Any]:
    order = order_selectors.order_for(request.user, order_id)
    clearance_service.approve_urgent(order, reason=payload.reason, by=request.user)
    return fulfilment_out(request.user, order_id)


@order_fulfilment_router.post(
    "/{order_id}/paperwork",
    response=FulfilmentOut,
    summary="Complete the paperwork of an urgent shipment",
)
def paperwork(request: HttpRequest, order_id: int, payload: NoteIn) -> dict[str, Any]:
    order = order_selectors.order_for(request.user, order_id)
    clearance_service.complete_paperwork(order, note=payload.note, by=request.user)
    return fulfilment_out(request.user, order_id)

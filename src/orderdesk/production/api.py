"""/api/v1/production-orders: production orders (生产指令单) and their daily reports.

Every endpoint fetches through ``selectors`` (one 404 ``production_order_not_found`` for
missing and hidden: who sees the sales order sees its production orders), calls one
service and renders; refusals leave as ``{"error": {"code", "message", "fields"}}``.
Quantities and percentages leave as decimal strings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import BeforeValidator, Field

from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.schemas import MAX_ID, MAX_OFFSET, OptionalDate, Text, blank_to_none

from . import selectors, services
from .models import ProductionOrder, ProgressReport

router = Router(tags=["production"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Number = Annotated[
    Annotated[Decimal, Field(max_digits=14, decimal_places=3)] | None,
    BeforeValidator(blank_to_none),
]


class CreateIn(Schema):
    order_id: Id
    tolerance_percent: Annotated[
        Annotated[Decimal, Field(max_digits=5, decimal_places=2)] | None,
        BeforeValidator(blank_to_none),
    ] = None
    due_date: OptionalDate = None


class ProgressIn(Schema):
    percent: Number = None
    quantity: Number = None
    note: Text = Field("", max_length=1000)
    day: OptionalDate = None


class CompleteIn(Schema):
    quantity: Annotated[Decimal, Field(max_digits=14, decimal_places=3)]
    warehouse_id: Id


class ExceptionIn(Schema):
    kind: str = Field(..., max_length=20)
    note: Text = Field("", max_length=1000)
    expected_on: OptionalDate = None


class NoteIn(Schema):
    note: Text = Field("", max_length=1000)


class ListFilter(Schema):
    status: list[str] = Field(default_factory=list)
    order_id: Annotated[int | None, Field(ge=1, le=MAX_ID)] = None
    overdue: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ReportOut(Schema):
    day: dt.date
    percent: Decimal | None
    quantity_done: Decimal | None
    note: str
    reported_by: str
    at: dt.datetime


class ProductionOrderOut(Schema):
    id: int
    number: str
    order_id: int
    order_number: str
    order_line_id: int
    line_no: int
    product_id: int
    sku: str
    name: str
    quantity: Decimal
    tolerance_percent: Decimal
    packing_requirements: str
    due_date: dt.date
    responsible: str
    responsible_id: int
    acknowledged_at: dt.datetime | None
    status: str
    progress_percent: Decimal | None
    overdue: bool
    completed_quantity: Decimal
    warehouse_id: int | None
    exception_kind: str
    exception_note: str
    exception_at: dt.datetime | None
    expected_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductionOrderDetailOut(ProductionOrderOut):
    reports: list[ReportOut]


class ListOut(Schema):
    count: int
    items: list[ProductionOrderOut]


def po_out(po: ProductionOrder) -> dict[str, Any]:
    return {
        "id": po.pk,
        "number": po.number,
        "order_id": po.order_id,
        "order_number": po.order.number,
        "order_line_id": po.order_line_id,
        "line_no": po.order_line.line_no,
        "product_id": po.product_id,
        "sku": po.order_line.sku,
        "name": po.order_line.name,
        "quantity": po.quantity,
        "tolerance_percent": po.tolerance_percent,
        "packing_requirements": po.packing_requirements,
        "due_date": po.due_date,
        "responsible": str(po.responsible),
        "responsible_id": po.responsible_id,
        "acknowledged_at": po.acknowledged_at,
        "status": po.status,
        "progress_percent": selectors.progress_percent(po),
        "overdue": selectors.is_overdue(po),
        "completed_quantity": po.completed_quantity,
        "warehouse_id": po.warehouse_id,
        "exception_kind": po.exception_kind,
        "exception_note": po.exception_note,
        "exception_at": po.exception_at,
        "expected_on": po.expected_on,
        "created_at": po.created_at,
        "updated_at": po.updated_at,
    }


def report_out(report: ProgressReport) -> dict[str, Any]:
    return {
        "day": report.day,
        "percent": report.percent,
        "quantity_done": report.quantity_done,
        "note": report.note,
        "reported_by": str(report.reported_by),
        "at": report.at,
    }


def detail_of(user: Any, po_id: int) -> dict[str, Any]:
    po = selectors.production_order_for(user, po_id)
    return {
        **po_out(po),
        "reports": [
            report_out(report)
            for report in po.reports.select_related("reported_by").order_by("-day")
        ],
    }


def fetch(request: HttpRequest, po_id: int) -> ProductionOrder:
    return selectors.production_order_for(request.user, checked(po_id))


def checked(po_id: int) -> int:
    # A path id beyond the database's range is simply not found.
    return po_id if 1 <= po_id <= MAX_ID else 0


@router.get("", response=ListOut, summary="List production orders (earliest due first)")
def list_production_orders(request: HttpRequest, filters: Query[ListFilter]) -> dict[str, Any]:
    found = selectors.search(
        request.user, status=filters.status, order_id=filters.order_id, overdue=filters.overdue
    )
    page = found[filters.offset : filters.offset + filters.limit]
    return {"count": found.count(), "items": [po_out(po) for po in page]}


@router.post(
    "",
    response={201: list[ProductionOrderOut]},
    summary="Create the production orders a released order needs",
)
def create_production_orders(request: HttpRequest, payload: CreateIn) -> Status[list[Any]]:
    order = order_selectors.order_for(request.user, payload.order_id)
    made = services.create_for_order(
        order,
        by=request.user,
        tolerance_percent=payload.tolerance_percent,
        due_date=payload.due_date,
    )
    return Status(201, [po_out(selectors.production_order_for(request.user, po.pk)) for po in made])


@router.get("/{po_id}", response=ProductionOrderDetailOut, summary="One production order")
def get_production_order(request: HttpRequest, po_id: int) -> dict[str, Any]:
    return detail_of(request.user, checked(po_id))


@router.post("/{po_id}/acknowledge", response=ProductionOrderDetailOut, summary="Acknowledge")
def acknowledge(request: HttpRequest, po_id: int) -> dict[str, Any]:
    services.acknowledge(fetch(request, po_id), by=request.user)
    return detail_of(request.user, po_id)


@router.post("/{po_id}/start", response=ProductionOrderDetailOut, summary="Start production")
def start(request: HttpRequest, po_id: int) -> dict[str, Any]:
    services.start(fetch(request, po_id), by=request.user)
    return detail_of(request.user, po_id)


@router.post(
    "/{po_id}/progress", response=ProductionOrderDetailOut, summary="Daily progress (生产日报)"
)
def progress(request: HttpRequest, po_id: int, payload: ProgressIn) -> dict[str, Any]:
    services.report_progress(
        fetch(request, po_id),
        by=request.user,
        percent=payload.percent,
        quantity=payload.quantity,
        note=payload.note,
        day=payload.day,
    )
    return detail_of(request.user, po_id)


@router.post("/{po_id}/qc", response=ProductionOrderDetailOut, summary="QC passed")
def qc(request: HttpRequest, po_id: int, payload: NoteIn | None = None) -> dict[str, Any]:
    services.pass_qc(fetch(request, po_id), by=request.user, note=payload.note if payload else "")
    return detail_of(request.user, po_id)


@router.post(
    "/{po_id}/complete",
    response=ProductionOrderDetailOut,
    summary="Complete: receive into the warehouse, reserve for the order",
)
def complete(request: HttpRequest, po_id: int, payload: CompleteIn) -> dict[str, Any]:
    services.complete(
        fetch(request, po_id),
        quantity=payload.quantity,
        warehouse=payload.warehouse_id,
        by=request.user,
    )
    return detail_of(request.user, po_id)


@router.post("/{po_id}/exception", response=ProductionOrderDetailOut, summary="Report a problem")
def report_exception(request: HttpRequest, po_id: int, payload: ExceptionIn) -> dict[str, Any]:
    services.report_exception(
        fetch(request, po_id),
        kind=payload.kind,
        note=payload.note,
        expected_on=payload.expected_on,
        by=request.user,
    )
    return detail_of(request.user, po_id)


@router.post("/{po_id}/resolve", response=ProductionOrderDetailOut, summary="Resolve a problem")
def resolve(request: HttpRequest, po_id: int, payload: NoteIn) -> dict[str, Any]:
    services.resolve_exception(fetch(request, po_id), note=payload.note, by=request.user)
    return detail_of(request.user, po_id)

"""/api/v1/pick-lists: pick lists (拣货单) of preparation (备货).

Every endpoint fetches through the selectors (one 404 for missing and hidden pick lists and
orders), calls one service and renders. Quantities leave as decimal strings.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from orderdesk.orders.schemas import MAX_ID, MAX_OFFSET, OptionalId, Quantity, Text
from orderdesk.orders.selectors import order_for

from . import selectors, services
from .models import PickList, PickListStatus

router = Router(tags=["preparation"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class PickListFilter(Schema):
    warehouse_id: OptionalId = None
    status: Text = Field("", max_length=20, description="open, picked, cancelled")
    order_id: OptionalId = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    @field_validator("status")
    @classmethod
    def known_status(cls, value: str) -> str:
        if value and value not in PickListStatus.values:
            raise ValueError(f"Unknown status {value}; one of {PickListStatus.values}.")
        return value


class CreateIn(Schema):
    order_id: Id


class PickedLineIn(Schema):
    id: Id
    picked_quantity: Quantity = Field(..., description="0 … the quantity to pick, 3 decimals.")


class PickedIn(Schema):
    lines: list[PickedLineIn] = Field(..., max_length=5000)


class CancelIn(Schema):
    reason: Text = Field("", max_length=500)


class PickLineOut(Schema):
    id: int
    order_line_id: int
    line_no: int
    sku: str
    name: str
    spec: str
    unit: str
    location: str
    quantity: str
    picked_quantity: str


class PickListOut(Schema):
    id: int
    number: str
    order_id: int
    order_number: str
    warehouse_id: int
    warehouse: str
    status: str
    status_label: str
    created_at: dt.datetime
    completed_at: dt.datetime | None
    cancel_reason: str
    lines: list[PickLineOut] = Field(default_factory=list)


class PickListListOut(Schema):
    count: int
    items: list[PickListOut]


def decimal_text(value: Any) -> str:
    return f"{value:f}"


def pick_list_out(pick_list: PickList, *, lines: bool = True) -> dict[str, Any]:
    return {
        "id": pick_list.pk,
        "number": pick_list.number,
        "order_id": pick_list.order_id,
        "order_number": pick_list.order.number,
        "warehouse_id": pick_list.warehouse_id,
        "warehouse": pick_list.warehouse.name,
        "status": pick_list.status,
        "status_label": str(PickListStatus(pick_list.status).label),
        "created_at": pick_list.created_at,
        "completed_at": pick_list.completed_at,
        "cancel_reason": pick_list.cancel_reason,
        "lines": [
            {
                "id": line.pk,
                "order_line_id": line.order_line_id,
                "line_no": line.order_line.line_no,
                "sku": line.order_line.sku,
                "name": line.order_line.name,
                "spec": line.order_line.spec,
                "unit": line.order_line.unit,
                "location": line.location,
                "quantity": decimal_text(line.quantity),
                "picked_quantity": decimal_text(line.picked_quantity),
            }
            for line in selectors.lines_of(pick_list)
        ]
        if lines
        else [],
    }


@router.get("", response=PickListListOut, summary="List pick lists of the orders you may see")
def list_pick_lists(request: HttpRequest, filters: Query[PickListFilter]) -> dict[str, Any]:
    pick_lists = selectors.search_pick_lists(
        request.user,
        warehouse_id=filters.warehouse_id,
        status=filters.status or None,
        order_id=filters.order_id,
    )
    rows = list(pick_lists[filters.offset : filters.offset + filters.limit])
    return {
        "count": pick_lists.count(),
        "items": [pick_list_out(each, lines=False) for each in rows],
    }


@router.post(
    "",
    response={201: list[PickListOut]},
    summary="Create the order's pick lists (one per warehouse); 409 nothing_to_pick",
)
def create_pick_lists(request: HttpRequest, payload: CreateIn) -> Status[list[dict[str, Any]]]:
    order = order_for(request.user, payload.order_id)
    created = services.create_pick_lists(order, by=request.user)
    return Status(
        201, [pick_list_out(selectors.pick_list_for(request.user, each.pk)) for each in created]
    )


@router.get("/{pick_list_id}", response=PickListOut, summary="One pick list with its lines")
def get_pick_list(request: HttpRequest, pick_list_id: int) -> dict[str, Any]:
    return pick_list_out(selectors.pick_list_for(request.user, pick_list_id))


@router.post(
    "/{pick_list_id}/picked",
    response=PickListOut,
    summary="Record picked quantities; fully picked lists become `picked`",
)
def record_picked(request: HttpRequest, pick_list_id: int, payload: PickedIn) -> dict[str, Any]:
    pick_list = selectors.pick_list_for(request.user, pick_list_id)
    quantities = {line.id: line.picked_quantity for line in payload.lines}
    services.record_picked(pick_list, quantities, by=request.user)
    return pick_list_out(selectors.pick_list_for(request.user, pick_list_id))


@router.post("/{pick_list_id}/cancel", response=PickListOut, summary="Cancel an open pick list")
def cancel_pick_list(request: HttpRequest, pick_list_id: int, payload: CancelIn) -> dict[str, Any]:
    pick_list = selectors.pick_list_for(request.user, pick_list_id)
    services.cancel_pick_list(pick_list, payload.reason, by=request.user)
    return pick_list_out(selectors.pick_list_for(request.user, pick_list_id))

"""/api/v1/cases: after-sales cases (售后工单).

Cases are opened by the shipping app (delivery exceptions) through ``services.open_case``;
here they are listed, read, assigned and moved through their statuses. Every endpoint
fetches the case through ``selectors.case_for`` (one 404 ``case_not_found`` for missing and
hidden cases: those of orders the user may not see), calls one service and renders.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from orderdesk.core import workcalendar
from orderdesk.core.errors import ValidationFailed
from orderdesk.orders.schemas import MAX_OFFSET, OptionalId, Text

from . import selectors, services
from .models import ACTIVE, Case, CaseKind, CaseStatus

router = Router(tags=["aftersales"])


class CaseFilter(Schema):
    status: Text = Field("", max_length=20, description="open, in_progress, resolved, closed")
    order_id: OptionalId = None
    kind: Text = Field("", max_length=20, description=", ".join(CaseKind.values))
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    @field_validator("status")
    @classmethod
    def known_status(cls, value: str) -> str:
        if value and value not in CaseStatus.values:
            raise ValueError(f"Unknown status {value}; one of {CaseStatus.values}.")
        return value

    @field_validator("kind")
    @classmethod
    def known_kind(cls, value: str) -> str:
        if value and value not in CaseKind.values:
            raise ValueError(f"Unknown kind {value}; one of {CaseKind.values}.")
        return value


class PhotoOut(Schema):
    id: int
    filename: str
    size: int
    url: str


class CaseOut(Schema):
    id: int
    number: str
    order_id: int
    order_number: str
    kind: str
    kind_label: str
    lines: list[dict[str, Any]]
    description: str
    source: str
    status: str
    status_label: str
    owner_id: int | None
    owner: str | None
    due_at: dt.datetime
    time_left_hours: str | None = Field(
        None, description="Working hours until due (negative when overdue); open cases only."
    )
    created_by: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    photos: list[PhotoOut] = Field(default_factory=list)


class CaseListOut(Schema):
    count: int
    items: list[CaseOut]


class AssignIn(Schema):
    owner_id: OptionalId = Field(None, description="The new owner; null to unassign.")


class StatusIn(Schema):
    status: Text = Field(..., max_length=20)
    note: Text = Field("", max_length=1000)


def case_out(case: Case, *, photos: bool = False) -> dict[str, Any]:
    time_left = None
    if case.status in ACTIVE:
        span = workcalendar.working_hours_between(timezone.now(), case.due_at)
        time_left = f"{span.total_seconds() / 3600:.1f}"
    return {
        "id": case.pk,
        "number": case.number,
        "order_id": case.order_id,
        "order_number": case.order.number,
        "kind": case.kind,
        "kind_label": str(CaseKind(case.kind).label),
        "lines": case.lines,
        "description": case.description,
        "source": case.source,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "owner_id": case.owner_id,
        "owner": services.person(case.owner),
        "due_at": case.due_at,
        "time_left_hours": time_left,
        "created_by": services.person(case.created_by) or "",
        "created_at": case.created_at,
        "resolved_at": case.resolved_at,
        "photos": [
            {
                "id": photo.pk,
                "filename": photo.filename,
                "size": photo.size,
                "url": reverse("aftersales:photo", args=[case.pk, photo.pk]),
            }
            for photo in case.photos.all()
        ]
        if photos
        else [],
    }


@router.get("", response=CaseListOut, summary="List cases of the orders you may see")
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> dict[str, Any]:
    cases = selectors.search_cases(
        request.user,
        status=filters.status or None,
        order_id=filters.order_id,
        kind=filters.kind or None,
    )
    rows = list(cases[filters.offset : filters.offset + filters.limit])
    return {"count": cases.count(), "items": [case_out(case) for case in rows]}


@router.get("/{case_id}", response=CaseOut, summary="One case with its photos")
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return case_out(selectors.case_for(request.user, case_id), photos=True)


@router.post(
    "/{case_id}/assign",
    response=CaseOut,
    summary="Assign an open case to a colleague who handles cases (owner_id null: unassign)",
)
def assign_case(request: HttpRequest, case_id: int, payload: AssignIn) -> dict[str, Any]:
    case = selectors.case_for(request.user, case_id)
    owner = None
    if payload.owner_id is not None:
        owner = get_user_model().objects.filter(pk=payload.owner_id).first()
        if owner is None:
            raise ValidationFailed(
                _("Choose a colleague who handles after-sales cases."),
                code="invalid_owner",
                fields={"owner_id": _("Unknown user.")},
            )
    services.assign(case, owner, by=request.user)
    return case_out(selectors.case_for(request.user, case_id), photos=True)


@router.post(
    "/{case_id}/status",
    response=CaseOut,
    summary="Move the case: open → in_progress → resolved → closed (a note except to start)",
)
def change_status(request: HttpRequest, case_id: int, payload: StatusIn) -> dict[str, Any]:
    case = selectors.case_for(request.user, case_id)
    services.set_status(case, payload.status, payload.note, by=request.user)
    return case_out(selectors.case_for(request.user, case_id), photos=True)

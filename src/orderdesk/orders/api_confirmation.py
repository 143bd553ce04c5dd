"""API endpoints for the customer confirmation, release, deposit, follow-ups and attachments
of an order (issue 5 capabilities 3, 6 and 9).

``register(router)`` adds them to the orders router in api.py. Each endpoint fetches the
order through ``selectors.order_for`` (one 404 for missing and hidden), calls one service
and renders; refusals leave through the API's error handler as
``{"error": {"code", "message", "fields"}}``.

``POST /orders/{id}/confirmation`` takes either JSON ``{"note": …}`` (the customer confirmed
by e-mail or message; customer service records it) or multipart with ``file`` (the signed
copy) and optional ``note``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from pydantic import Field

from orderdesk.core.errors import NotFound, ValidationFailed
from orderdesk.core.request_bodies import fields_of

from . import selectors
from .models import Attachment, FollowUp, Order
from .services import attachments, confirmation, followups, releasing


class ConfirmationNoteIn(Schema):
    note: str = Field("", max_length=1000)


class FollowUpIn(Schema):
    items: list[str] = Field(default_factory=list, description="What the customer was asked.")
    note: str = ""


class ResolveIn(Schema):
    note: str = ""


class ConfirmationOut(Schema):
    id: int
    number: str
    status: str
    confirmation_status: str
    confirmation_sent_at: dt.datetime | None
    confirmation_due_on: dt.date | None
    confirmation_delay_days: int
    confirmed_at: dt.datetime | None
    confirmed_by_name: str
    promised_date: dt.date | None
    deposit_required: Decimal
    deposit_received: Decimal = Field(description="Paid against the order's deposit requests.")
    released_at: dt.datetime | None
    release_blockers: dict[str, str]


class FollowUpOut(Schema):
    id: int
    items: list[str]
    note: str
    due_on: dt.date
    created_at: dt.datetime
    created_by: str
    resolved_at: dt.datetime | None


class AttachmentOut(Schema):
    id: int
    kind: str
    filename: str
    size: int
    uploaded_at: dt.datetime
    uploaded_by: str


def confirmation_out(order: Order) -> dict[str, Any]:
    order = Order.objects.select_related("customer").get(pk=order.pk)
    blockers = (
        {field: message for field, (_code, message) in releasing.release_blockers(order).items()}
        if order.status in ("approved", "awaiting_confirmation")
        else {}
    )
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "confirmation_status": order.confirmation_status,
        "confirmation_sent_at": order.confirmation_sent_at,
        "confirmation_due_on": order.confirmation_due_on,
        "confirmation_delay_days": order.confirmation_delay_days,
        "confirmed_at": order.confirmed_at,
        "confirmed_by_name": order.confirmed_by_name,
        "promised_date": order.promised_date,
        "deposit_required": releasing.deposit_required(order),
        "deposit_received": releasing.deposit_received(order),
        "released_at": order.released_at,
        "release_blockers": blockers,
    }


def follow_up_out(follow_up: FollowUp) -> dict[str, Any]:
    return {
        "id": follow_up.pk,
        "items": list(follow_up.items or []),
        "note": follow_up.note,
        "due_on": follow_up.due_on,
        "created_at": follow_up.created_at,
        "created_by": str(follow_up.created_by),
        "resolved_at": follow_up.resolved_at,
    }


def attachment_out(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "kind": attachment.kind,
        "filename": attachment.filename,
        "size": attachment.size,
        "uploaded_at": attachment.uploaded_at,
        "uploaded_by": str(attachment.uploaded_by),
    }


def register(router: Router) -> None:
    """Add the confirmation and release endpoints to ``router``."""

    @router.post(
        "/{order_id}/confirmation",
        response=ConfirmationOut,
        summary="Record the customer's confirmation (JSON note, or multipart signed copy)",
    )
    def record_confirmation(request: HttpRequest, order_id: int) -> dict[str, Any]:
        order = selectors.order_for(request.user, order_id)
        if request.content_type == "multipart/form-data":
            note = request.POST.get("note", "")
            upload = request.FILES.get("file")
            if upload is not None:
                confirmation.record_signed_copy(order, file=upload, by=request.user, note=note)
            else:
                confirmation.record_confirmation(order, by=request.user, note=note)
        else:
            body = fields_of(request)
            note = body.get("note") or ""
            if not isinstance(note, str):
                raise ValidationFailed(
                    _("Some fields are invalid."),
                    code="invalid_input",
                    fields={"note": _("Text, please.")},
                )
            confirmation.record_confirmation(order, by=request.user, note=note)
        return confirmation_out(order)

    @router.post(
        "/{order_id}/confirmation/send",
        response=ConfirmationOut,
        summary="E-mail the order confirmation (PDF and link) to the customer's contact",
    )
    def send_confirmation(request: HttpRequest, order_id: int) -> dict[str, Any]:
        order = selectors.order_for(request.user, order_id)
        confirmation.send_confirmation(order, by=request.user)
        return confirmation_out(order)

    @router.get(
        "/{order_id}/confirmation.pdf",
        summary="The order confirmation (订单确认书) as PDF",
        response={200: None},
    )
    def confirmation_pdf(request: HttpRequest, order_id: int) -> HttpResponse:
        order = selectors.order_for(request.user, order_id)
        pdf = confirmation.confirmation_document(order)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
        return response

    @router.get(
        "/{order_id}/confirmation",
        response=ConfirmationOut,
        summary="Confirmation, deposit and release state, with what blocks the release",
    )
    def confirmation_state(request: HttpRequest, order_id: int) -> dict[str, Any]:
        return confirmation_out(selectors.order_for(request.user, order_id))

    @router.post(
        "/{order_id}/release",
        response=ConfirmationOut,
        summary="Release the order to production and the warehouse (订单下达)",
    )
    def release_order(request: HttpRequest, order_id: int) -> dict[str, Any]:
        order = selectors.order_for(request.user, order_id)
        releasing.release(order, by=request.user)
        return confirmation_out(order)

    @router.get(
        "/{order_id}/follow-ups",
        response=list[FollowUpOut],
        summary="Follow-ups with the customer about missing information",
    )
    def list_follow_ups(request: HttpRequest, order_id: int) -> list[dict[str, Any]]:
        order = selectors.order_for(request.user, order_id)
        return [
            follow_up_out(each)
            for each in order.follow_ups.select_related("created_by").order_by("-created_at")
        ]

    @router.post(
        "/{order_id}/follow-ups",
        response={201: FollowUpOut},
        summary="Log a follow-up with the customer (due in working days)",
    )
    def log_follow_up(
        request: HttpRequest, order_id: int, payload: FollowUpIn
    ) -> Status[dict[str, Any]]:
        order = selectors.order_for(request.user, order_id)
        follow_up = followups.log_follow_up(
            order, items=payload.items, note=payload.note, by=request.user
        )
        return Status(201, follow_up_out(follow_up))

    @router.post(
        "/{order_id}/follow-ups/{follow_up_id}/resolve",
        response=FollowUpOut,
        summary="Close a follow-up: the customer answered",
    )
    def resolve_follow_up(
        request: HttpRequest, order_id: int, follow_up_id: int, payload: ResolveIn
    ) -> dict[str, Any]:
        order = selectors.order_for(request.user, order_id)
        follow_up = followups.follow_up_for(request.user, order, follow_up_id)
        return follow_up_out(
            followups.resolve_follow_up(follow_up, by=request.user, note=payload.note)
        )

    @router.post(
        "/{order_id}/attachments",
        response={201: AttachmentOut},
        summary="Attach a file (multipart: file, kind) — PDF, images, Office, .eml; 20 MB",
    )
    def add_attachment(
        request: HttpRequest,
        order_id: int,
        kind: Form[str],
        file: File[UploadedFile],
    ) -> Status[dict[str, Any]]:
        order = selectors.order_for(request.user, order_id)
        attachment = attachments.add_attachment(order, file=file, kind=kind, by=request.user)
        return Status(201, attachment_out(attachment))

    @router.get(
        "/{order_id}/attachments/{attachment_id}",
        summary="Download an attachment",
        response={200: None},
    )
    def download_attachment(
        request: HttpRequest, order_id: int, attachment_id: int
    ) -> FileResponse:
        order = selectors.order_for(request.user, order_id)
        stored = order.attachments.filter(pk=attachment_id).first()
        if stored is None:
            raise NotFound(code="attachment_not_found")
        try:
            handle = stored.file.open("rb")
        except (FileNotFoundError, OSError) as error:
            raise HttpError(404, _("The file is missing from storage.")) from error
        return FileResponse(handle, as_attachment=True, filename=stored.filename)

"""/api/v1/collection: collection cases (催收), payment contacts (催收记录) and running the
daily collection job on demand.

- ``GET /cases`` (filters ``level``, ``status``, ``customer_id``; ``limit``/``offset``),
  ``GET /cases/{id}``: finance sees every case, others the cases of customers they may see.
- ``POST /contacts`` ``{customer_id? | invoice_id?, channel, summary, promised_amount?,
  promised_on?}`` (201), ``GET /contacts?customer_id=``.
- ``POST /run`` ``{on?}``: run the collection job for a date now (finance only; for
  operations and testing).

Amounts leave as decimal strings; refusals as ``{"error": {"code", "message", "fields"}}``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from orderdesk.core import permissions
from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.orders.schemas import OptionalDate, OptionalId, Text

from . import collection, selectors
from .models import CollectionCase, PaymentContact

collection_router = Router(tags=["billing"])


class CaseFilter(Schema):
    level: Text = Field("", max_length=20)
    status: Text = Field("", max_length=10)
    customer_id: OptionalId = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class ContactFilter(Schema):
    customer_id: OptionalId = None
    invoice_id: OptionalId = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class ContactIn(Schema):
    customer_id: OptionalId = Field(None, description="Required unless invoice_id is given.")
    invoice_id: OptionalId = None
    channel: Text = Field(..., max_length=10, description="phone, email, visit, message, letter")
    summary: Text = Field(..., max_length=2000)
    promised_amount: Text | None = Field(None, max_length=30)
    promised_on: OptionalDate = None


class RunIn(Schema):
    on: OptionalDate = Field(None, description="The day to run for; default today.")


class ContactOut(Schema):
    id: int
    customer_id: int
    invoice_id: int | None
    invoice_number: str
    case_id: int | None
    channel: str
    summary: str
    promised_amount: Decimal | None
    promised_on: dt.date | None
    by: str
    at: dt.datetime


class ContactListOut(Schema):
    count: int
    items: list[ContactOut]


class CaseOut(Schema):
    id: int
    invoice_id: int
    invoice_number: str
    order_id: int
    order_number: str
    customer_id: int
    customer_name: str
    level: str
    level_reached_on: dt.date
    status: str
    salesperson: str
    opened_on: dt.date
    due_on: dt.date | None
    days_overdue: int
    open_amount: Decimal
    promised_on: dt.date | None
    promised_amount: Decimal | None
    next_action_on: dt.date | None
    notice_sent_on: dt.date | None
    closed_on: dt.date | None


class CaseDetailOut(CaseOut):
    contacts: list[ContactOut]


class CaseListOut(Schema):
    count: int
    items: list[CaseOut]


class RunOut(Schema):
    on: dt.date
    opened: int
    advanced: int
    lapsed: int
    closed: int
    notices: int
    escalated: int


def require_viewer(user: Any) -> None:
    if not selectors.can_view(user):
        raise NotAllowed(
            _("You do not have permission to see receivables."), code="permission_denied"
        )


def case_out(case: CollectionCase, today: dt.date) -> dict[str, Any]:
    invoice = case.invoice
    return {
        "id": case.pk,
        "invoice_id": invoice.pk,
        "invoice_number": invoice.number,
        "order_id": invoice.order_id,
        "order_number": invoice.order.number,
        "customer_id": case.customer_id,
        "customer_name": case.customer.name,
        "level": case.level,
        "level_reached_on": case.level_reached_on,
        "status": case.status,
        "salesperson": case.salesperson.get_full_name() or case.salesperson.username,
        "opened_on": case.opened_on,
        "due_on": invoice.due_on,
        "days_overdue": collection.days_overdue(invoice, today),
        "open_amount": collection.invoice_open(invoice),
        "promised_on": case.promised_on,
        "promised_amount": case.promised_amount,
        "next_action_on": case.next_action_on,
        "notice_sent_on": case.notice_sent_on,
        "closed_on": case.closed_on,
    }


def contact_out(contact: PaymentContact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "customer_id": contact.customer_id,
        "invoice_id": contact.invoice_id,
        "invoice_number": contact.invoice.number if contact.invoice else "",
        "case_id": contact.case_id,
        "channel": contact.channel,
        "summary": contact.summary,
        "promised_amount": contact.promised_amount,
        "promised_on": contact.promised_on,
        "by": contact.by.get_full_name() or contact.by.username,
        "at": contact.at,
    }


@collection_router.get("/cases", response=CaseListOut, summary="Collection cases")
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> dict[str, Any]:
    require_viewer(request.user)
    cases = collection.cases_visible_to(request.user).select_related("invoice__order")
    if filters.level:
        cases = cases.filter(level=filters.level)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.customer_id:
        cases = cases.filter(customer_id=filters.customer_id)
    cases = cases.order_by("-opened_on", "-id")
    rows = list(cases[filters.offset : filters.offset + filters.limit])
    today = timezone.localdate()
    return {"count": cases.count(), "items": [case_out(row, today) for row in rows]}


@collection_router.get("/cases/{case_id}", response=CaseDetailOut, summary="One case")
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    require_viewer(request.user)
    case = collection.case_for(request.user, case_id)
    contacts = PaymentContact.objects.filter(case=case).select_related("by", "invoice")
    return {
        **case_out(case, timezone.localdate()),
        "contacts": [contact_out(c) for c in contacts],
    }


@collection_router.post("/contacts", response={201: ContactOut}, summary="Log a payment contact")
def log_contact(request: HttpRequest, payload: ContactIn) -> Status[dict[str, Any]]:
    require_viewer(request.user)
    invoice = None
    if payload.invoice_id is not None:
        invoice = selectors.invoice_for(request.user, payload.invoice_id)
        if payload.customer_id is not None and payload.customer_id != invoice.customer_id:
            raise ValidationFailed(
                _("The invoice belongs to another customer."),
                code="invalid_input",
                fields={"invoice_id": _("Not an invoice of this customer.")},
            )
        customer = invoice.customer
    elif payload.customer_id is not None:
        customer = selectors.customer_for(request.user, payload.customer_id)
    else:
        raise ValidationFailed(
            _("Say which customer or invoice the contact was about."),
            code="invalid_input",
            fields={"customer_id": _("Give a customer or an invoice.")},
        )
    contact = collection.log_payment_contact(
        customer,
        by=request.user,
        channel=payload.channel,
        summary=payload.summary,
        invoice=invoice,
        promised_amount=payload.promised_amount,
        promised_on=payload.promised_on,
    )
    return Status(201, contact_out(contact))


@collection_router.get("/contacts", response=ContactListOut, summary="Payment contacts")
def list_contacts(request: HttpRequest, filters: Query[ContactFilter]) -> dict[str, Any]:
    require_viewer(request.user)
    contacts = collection.contacts_visible_to(request.user)
    if filters.customer_id:
        contacts = contacts.filter(customer_id=filters.customer_id)
    if filters.invoice_id:
        contacts = contacts.filter(invoice_id=filters.invoice_id)
    rows = list(contacts[filters.offset : filters.offset + filters.limit])
    return {"count": contacts.count(), "items": [contact_out(row) for row in rows]}


@collection_router.post("/run", response=RunOut, summary="Run the collection job now")
def run(request: HttpRequest, payload: RunIn) -> dict[str, Any]:
    permissions.require(request.user, collection.FINANCE)
    on = payload.on or timezone.localdate()
    return {"on": on, **collection.advance_collection(on=on, by=request.user)}

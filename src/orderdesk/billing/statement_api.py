"""/api/v1/statements: monthly customer statements (对账单).

- ``GET ""`` (filters ``customer_id``, ``period`` ``YYYY-MM``, ``status``;
  ``limit``/``offset``) and ``GET /{id}`` (with the lines): readers of receivables, for the
  customers they may see (sales: their own).
- ``POST ""`` ``{customer_id, month}`` (201): generate, or generate again while the customer
  has not answered; ``GET /{id}/pdf``, ``GET /{id}/xlsx``.
- ``POST /{id}/send``: e-mail it with the link to confirm; ``POST /{id}/confirm``
  ``{name, note?}`` and ``POST /{id}/dispute`` ``{name, reason}``: record the customer's
  answer received another way. Writes need ``billing.record_payments`` (finance).

Amounts leave as decimal strings; refusals as ``{"error": {"code", "message", "fields"}}``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.core.spreadsheets import xlsx_response
from orderdesk.orders.schemas import OptionalId, Text

from . import selectors, statements
from .models import Statement, StatementStatus
from .statement_documents import statement_filename, statement_pdf, statement_xlsx

statements_router = Router(tags=["billing"])


class StatementFilter(Schema):
    customer_id: OptionalId = None
    period: Text = Field("", max_length=7, description="YYYY-MM")
    status: Text = Field("", max_length=10, description="issued, confirmed, disputed")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class StatementIn(Schema):
    customer_id: int = Field(..., ge=1)
    month: Text = Field(..., max_length=7, description="YYYY-MM, a month that has ended")


class ConfirmIn(Schema):
    name: Text = Field(..., max_length=100, description="Who confirmed for the customer")
    note: Text = Field("", max_length=1000)


class DisputeIn(Schema):
    name: Text = Field(..., max_length=100, description="Who disputed for the customer")
    reason: Text = Field("", max_length=1000, description="What does not agree (required)")


class LineOut(Schema):
    date: dt.date
    kind: str
    number: str
    reference: str
    order: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


class StatementOut(Schema):
    id: int
    customer_id: int
    customer_code: str
    customer_name: str
    period: str
    opening_balance: Decimal
    invoiced: Decimal
    credited: Decimal
    paid: Decimal
    closing_balance: Decimal
    status: str
    generated_at: dt.datetime
    generated_by: str
    sent_at: dt.datetime | None
    sent_to: str
    responded_at: dt.datetime | None
    responder_name: str
    response_note: str
    recorded_by: str | None


class StatementDetailOut(StatementOut):
    lines: list[LineOut]


class StatementListOut(Schema):
    count: int
    items: list[StatementOut]


class SentOut(Schema):
    sent_to: list[str]
    statement: StatementOut


def require_viewer(user: Any) -> None:
    if not selectors.can_view(user):
        raise NotAllowed(
            _("You do not have permission to see receivables."), code="permission_denied"
        )


def name_of(user: Any) -> str:
    return user.get_full_name() or user.username


def statement_out(statement: Statement) -> dict[str, Any]:
    customer = statement.customer
    return {
        "id": statement.pk,
        "customer_id": customer.pk,
        "customer_code": customer.code,
        "customer_name": customer.name,
        "period": statement.month,
        "opening_balance": statement.opening_balance,
        "invoiced": statement.invoiced,
        "credited": statement.credited,
        "paid": statement.paid,
        "closing_balance": statement.closing_balance,
        "status": statement.status,
        "generated_at": statement.generated_at,
        "generated_by": name_of(statement.generated_by),
        "sent_at": statement.sent_at,
        "sent_to": statement.sent_to,
        "responded_at": statement.responded_at,
        "responder_name": statement.responder_name,
        "response_note": statement.response_note,
        "recorded_by": name_of(statement.recorded_by) if statement.recorded_by else None,
    }


def detail_out(statement: Statement) -> dict[str, Any]:
    return {**statement_out(statement), "lines": statement.lines}


def fetch(user: Any, statement_id: int) -> Statement:
    require_viewer(user)
    return statements.statement_for(user, statement_id)


@statements_router.get("", response=StatementListOut, summary="Statements")
def list_statements(request: HttpRequest, filters: Query[StatementFilter]) -> dict[str, Any]:
    require_viewer(request.user)
    found = statements.statements_visible_to(request.user).select_related(
        "customer", "generated_by", "recorded_by"
    )
    if filters.customer_id:
        found = found.filter(customer_id=filters.customer_id)
    if filters.period:
        try:
            found = found.filter(period=statements.parse_month(filters.period))
        except ValidationFailed as error:
            raise ValidationFailed(
                error.message, code=error.code, fields={"period": error.fields["month"]}
            ) from error
    if filters.status:
        if filters.status not in StatementStatus.values:
            raise ValidationFailed(
                _("Unknown status."),
                code="invalid_input",
                fields={"status": _("Use issued, confirmed or disputed.")},
            )
        found = found.filter(status=filters.status)
    found = found.order_by("-period", "customer__code", "id")
    rows = list(found[filters.offset : filters.offset + filters.limit])
    return {"count": found.count(), "items": [statement_out(row) for row in rows]}


@statements_router.post(
    "", response={201: StatementDetailOut}, summary="Generate a customer's statement for a month"
)
def generate(request: HttpRequest, payload: StatementIn) -> Status[dict[str, Any]]:
    require_viewer(request.user)
    customer = selectors.customer_for(request.user, payload.customer_id)
    statement = statements.generate_statement(customer, payload.month, by=request.user)
    return Status(201, detail_out(statements.statement_for(request.user, statement.pk)))


@statements_router.get("/{statement_id}", response=StatementDetailOut, summary="One statement")
def get_statement(request: HttpRequest, statement_id: int) -> dict[str, Any]:
    return detail_out(fetch(request.user, statement_id))


@statements_router.get("/{statement_id}/pdf", response={200: None}, summary="The statement as PDF")
def statement_document(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = fetch(request.user, statement_id)
    response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{statement_filename(statement, "pdf")}"'
    return response


@statements_router.get(
    "/{statement_id}/xlsx", response={200: None}, summary="The statement as Excel workbook"
)
def statement_workbook(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = fetch(request.user, statement_id)
    return xlsx_response(statement_xlsx(statement), statement_filename(statement, "xlsx"))


@statements_router.post(
    "/{statement_id}/send", response=SentOut, summary="E-mail the statement to the customer"
)
def send(request: HttpRequest, statement_id: int) -> dict[str, Any]:
    statement = fetch(request.user, statement_id)
    to = statements.send_statement(statement, by=request.user)
    fresh = statements.statement_for(request.user, statement.pk)
    return {"sent_to": to, "statement": statement_out(fresh)}


@statements_router.post(
    "/{statement_id}/confirm",
    response=StatementOut,
    summary="Record that the customer confirmed the statement",
)
def confirm(request: HttpRequest, statement_id: int, payload: ConfirmIn) -> dict[str, Any]:
    statement = fetch(request.user, statement_id)
    answered = statements.record_response(
        statement, confirmed=True, name=payload.name, note=payload.note, by=request.user
    )
    return statement_out(statements.statement_for(request.user, answered.pk))


@statements_router.post(
    "/{statement_id}/dispute",
    response=StatementOut,
    summary="Record that the customer disputed the statement, and why",
)
def dispute(request: HttpRequest, statement_id: int, payload: DisputeIn) -> dict[str, Any]:
    statement = fetch(request.user, statement_id)
    answered = statements.record_response(
        statement, confirmed=False, name=payload.name, note=payload.reason, by=request.user
    )
    return statement_out(statements.statement_for(request.user, answered.pk))

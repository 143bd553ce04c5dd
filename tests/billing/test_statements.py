"""Monthly statements (对账单): the figures against the customer's balance, voids and credit
notes, generating (again), the customer's answer, sending, the monthly job and the PDF."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from orderdesk.billing import selectors, services, statements
from orderdesk.billing.models import (
    CreditNote,
    Invoice,
    Statement,
    StatementStatus,
)
from orderdesk.billing.statement_documents import statement_pdf, statement_xlsx
from orderdesk.billing.tasks import generate_statements_monthly, monthly_on_the_first_at_three
from orderdesk.core import audit
from orderdesk.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from orderdesk.core.models import AuditEntry, CompanyProfile
from orderdesk.core.money import capital
from orderdesk.customers.models import Contact
from tests.factories.customers import make_customer
from tests.factories.orders import make_released_order, make_world

from .helpers import invoice_per, issued, paid

pytestmark = pytest.mark.django_db


def months() -> tuple[dt.date, dt.date]:
    """The first days of the month before last and of last month (read at run time)."""
    last = statements.last_month(timezone.localdate())
    return statements.last_month(last), last


def in_month(first: dt.date, day: int) -> dt.date:
    return first + dt.timedelta(days=day - 1)


def backdate(invoice: Invoice, on: dt.date) -> Invoice:
    Invoice.objects.filter(pk=invoice.pk).update(issued_on=on, due_on=on + dt.timedelta(days=30))
    invoice.refresh_from_db()
    return invoice


def void_on(invoice: Invoice, on: dt.date, by: Any) -> None:
    services.void_invoice(invoice, reason="开错了", by=by)
    moment = timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
    Invoice.objects.filter(pk=invoice.pk).update(voided_at=moment)


def one_unit(order: Any, by: Any, line: int = 0) -> Invoice:
    """An issued invoice for one unit of one order line (113.00)."""
    order_line = order.lines.order_by("line_no")[line]
    return issued(order, by, lines=[{"order_line_id": order_line.pk, "quantity": "1"}])


def end_of(first: dt.date) -> dt.date:
    return statements.month_end(first)


@pytest.fixture
def world():
    invoice_per("order")
    return make_world()


@pytest.fixture
def order(world):
    return make_released_order(world)


# --- figures --------------------------------------------------------------------------------


def test_figures_add_up_and_close_at_the_balance(world, order):
    before, last = months()
    customer = order.customer
    older = backdate(one_unit(order, world.finance), in_month(before, 10))
    newer = backdate(one_unit(order, world.finance, line=1), in_month(last, 3))
    credited = backdate(one_unit(order, world.finance), in_month(last, 5))
    note = services.create_credit_note(credited, reason="退货", by=world.finance)
    CreditNote.objects.filter(pk=note.pk).update(issued_on=in_month(last, 20))
    payment = paid(customer, "100.00", world.finance, received_on=in_month(last, 12))

    figures = statements.statement_figures(customer, f"{last:%Y-%m}")

    assert figures["opening_balance"] == older.gross_amount == Decimal("113.00")
    assert figures["invoiced"] == newer.gross_amount + credited.gross_amount
    assert figures["credited"] == note.gross_amount
    assert figures["paid"] == payment.amount
    closing = (
        figures["opening_balance"] + figures["invoiced"] - figures["credited"] - figures["paid"]
    )
    assert figures["closing_balance"] == closing
    assert figures["closing_balance"] == statements.balance_on(customer, end_of(last))
    assert figures["closing_balance"] == selectors.balance(customer)  # nothing since
    assert [line["kind"] for line in figures["lines"]] == [
        "invoice",
        "invoice",
        "payment",
        "credit_note",
    ]
    assert figures["lines"][-1]["balance"] == str(figures["closing_balance"])
    assert figures["lines"][0]["number"] == newer.number
    assert figures["lines"][2]["reference"] == payment.reference
    assert figures["lines"][3]["reference"] == credited.number
    earlier = statements.statement_figures(customer, before)
    assert earlier["closing_balance"] == figures["opening_balance"]


def test_an_invoice_voided_in_its_month_is_on_no_statement(world, order):
    _before, last = months()
    invoice = backdate(one_unit(order, world.finance), in_month(last, 2))
    void_on(invoice, in_month(last, 9), world.finance)

    figures = statements.statement_figures(order.customer, last)

    assert figures["lines"] == []
    assert figures["closing_balance"] == Decimal(0) == selectors.balance(order.customer)


def test_an_invoice_voided_a_month_later_is_reversed_by_a_void_line(world, order):
    before, last = months()
    invoice = backdate(one_unit(order, world.finance), in_month(before, 25))
    void_on(invoice, in_month(last, 4), world.finance)

    earlier = statements.statement_figures(order.customer, before)
    later = statements.statement_figures(order.customer, last)

    assert [line["kind"] for line in earlier["lines"]] == ["invoice"]
    assert earlier["closing_balance"] == invoice.gross_amount
    assert later["opening_balance"] == earlier["closing_balance"]
    assert [(line["kind"], line["credit"]) for line in later["lines"]] == [
        ("void", str(invoice.gross_amount))
    ]
    assert later["credited"] == invoice.gross_amount
    assert later["closing_balance"] == Decimal(0) == selectors.balance(order.customer)


def test_payments_after_the_month_are_not_in_it(world, order):
    _before, last = months()
    customer = order.customer
    backdate(one_unit(order, world.finance), in_month(last, 1))
    paid(customer, "50.00", world.finance)  # today, after the month

    figures = statements.statement_figures(customer, last)

    assert figures["paid"] == Decimal(0)
    assert figures["closing_balance"] == Decimal("113.00")
    assert selectors.balance(customer) == Decimal("63.00")


# --- generating -----------------------------------------------------------------------------


def test_a_month_that_has_not_ended_is_refused(world):
    this_month = timezone.localdate().replace(day=1)

    with pytest.raises(ValidationFailed) as refused:
        statements.generate_statement(world.customer, this_month, by=world.finance)

    assert refused.value.code == "month_not_ended"
    assert "month" in refused.value.fields
    with pytest.raises(ValidationFailed) as wrong:
        statements.generate_statement(world.customer, "2026-13", by=world.finance)
    assert wrong.value.code == "invalid_month"
    assert not Statement.objects.exists()


def test_a_customer_without_activity_gets_zeros_when_asked(world):
    _before, last = months()

    statement = statements.generate_statement(world.customer, f"{last:%Y-%m}", by=world.finance)

    assert statement.period == last
    assert statement.closing_balance == statement.opening_balance == Decimal(0)
    assert statement.lines == []
    assert statement.status == StatementStatus.ISSUED
    assert len(statement.token) >= 20
    assert audit.entries_for(statement).filter(action="statement_generated").exists()


def test_generating_again_replaces_an_unanswered_statement(world, order):
    _before, last = months()
    customer = order.customer
    backdate(one_unit(order, world.finance), in_month(last, 3))
    first = statements.generate_statement(customer, last, by=world.finance)
    token = first.token

    same = statements.generate_statement(customer, last, by=world.finance)
    assert same.pk == first.pk
    assert not audit.entries_for(first).filter(action="statement_regenerated").exists()

    paid(customer, "13.00", world.finance, received_on=in_month(last, 28))
    again = statements.generate_statement(customer, last, by=world.finance)

    assert again.pk == first.pk
    assert again.token == token  # the link already sent keeps working
    assert again.paid == Decimal("13.00")
    assert again.closing_balance == Decimal("100.00")
    assert Statement.objects.count() == 1
    entry = audit.entries_for(again).get(action="statement_regenerated")
    assert entry.changes["paid"] == ["0.00", "13.00"]


def test_an_answered_statement_is_not_generated_again(world, order):
    _before, last = months()
    statement = statements.generate_statement(order.customer, last, by=world.finance)
    statements.record_response(statement, confirmed=True, name="王会计", by=world.finance)

    with pytest.raises(Conflict) as refused:
        statements.generate_statement(order.customer, last, by=world.finance)

    assert refused.value.code == "statement_answered"
    assert refused.value.status == 409


def test_only_finance_generates(world):
    _before, last = months()

    with pytest.raises(NotAllowed):
        statements.generate_statement(world.customer, last, by=world.sales)


def test_generate_month_covers_customers_with_activity_and_is_idempotent(world, order):
    before, last = months()
    busy = order.customer
    backdate(one_unit(order, world.finance), in_month(last, 8))
    owing = make_customer(world.sales)  # in credit from before, nothing in the month
    paid(owing, "20.00", world.finance, received_on=in_month(before, 2))
    idle = make_customer(world.sales)  # nothing at all: no statement

    first = statements.generate_month(last, by=world.finance)
    again = statements.generate_month(f"{last:%Y-%m}", by=world.finance)

    assert {s.customer_id for s in Statement.objects.filter(period=last)} == {busy.pk, owing.pk}
    assert first["created"] == 2
    assert again["created"] == 0
    assert again["unchanged"] == 2
    assert Statement.objects.get(customer=owing).closing_balance == Decimal("-20.00")
    assert not Statement.objects.filter(customer=idle).exists()

    statement = Statement.objects.get(customer=busy)
    statements.record_response(statement, confirmed=False, name="李", note="少一笔", by=None)
    third = statements.generate_month(last, by=world.finance)
    assert third["answered"] == 1
    assert third["unchanged"] == 1


def test_the_monthly_job_runs_at_three_on_the_first(world, order):
    _before, last = months()
    backdate(one_unit(order, world.finance), in_month(last, 8))
    first_at_three = timezone.make_aware(dt.datetime.combine(dt.date(2026, 12, 1), dt.time(3)))
    utc = first_at_three.astimezone(dt.UTC).replace(tzinfo=None)  # Huey passes naive UTC

    assert monthly_on_the_first_at_three(utc)
    assert not monthly_on_the_first_at_three(utc + dt.timedelta(hours=1))
    assert not monthly_on_the_first_at_three(utc + dt.timedelta(days=1))
    result = generate_statements_monthly.call_local()
    assert result["created"] == 1
    statement = Statement.objects.get()
    assert statement.period == last
    assert statement.sent_at is None  # generated, not sent
    assert statement.generated_by.username == "system"


# --- the customer's answer ------------------------------------------------------------------


def test_answering_twice_is_refused(world):
    _before, last = months()
    statement = statements.generate_statement(world.customer, last, by=world.finance)
    statements.record_response(statement, confirmed=True, name="王会计", by=world.finance)

    with pytest.raises(Conflict) as refused:
        statements.record_response(statement, confirmed=False, name="王会计", note="不对")

    assert refused.value.code == "statement_answered"
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CONFIRMED
    assert statement.recorded_by == world.finance
    assert statement.responder_name == "王会计"


def test_a_dispute_needs_a_reason(world):
    _before, last = months()
    statement = statements.generate_statement(world.customer, last, by=world.finance)

    with pytest.raises(ValidationFailed) as refused:
        statements.record_response(statement, confirmed=False, name="王会计", note="  ")

    assert refused.value.code == "dispute_reason_required"
    assert "reason" in refused.value.fields
    with pytest.raises(ValidationFailed) as nameless:
        statements.record_response(statement, confirmed=True, name="")
    assert "name" in nameless.value.fields
    statement.refresh_from_db()
    assert statement.status == StatementStatus.ISSUED


def test_the_customer_answers_by_the_link_and_the_salesperson_is_told(
    world, django_capture_on_commit_callbacks
):
    _before, last = months()
    statement = statements.generate_statement(world.customer, last, by=world.finance)
    world.sales.email = "sales@example.com"
    world.sales.save(update_fields=["email"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answered = statements.respond_by_token(
            statement.token, confirmed=False, name="李会计", note="11月5日的付款未列入"
        )

    assert answered.status == StatementStatus.DISPUTED
    assert answered.recorded_by is None
    assert answered.response_note == "11月5日的付款未列入"
    entry = AuditEntry.objects.get(action="statement_disputed")
    assert entry.changes["via"] == [None, "link"]
    assert [message.to for message in mail.outbox] == [["sales@example.com"]]
    with pytest.raises(NotFound):
        statements.statement_for_token("x" * 30)


# --- sending --------------------------------------------------------------------------------


def test_sending_mails_pdf_and_excel_with_the_link(world, order):
    _before, last = months()
    backdate(one_unit(order, world.finance), in_month(last, 8))
    statement = statements.generate_statement(order.customer, last, by=world.finance)
    contact = order.customer.contacts.get()
    mail.outbox.clear()

    to = statements.send_statement(statement, by=world.finance)

    assert to == [contact.email]
    message = mail.outbox[0]
    assert statement.token in message.body
    names = [name for name, _content, _type in message.attachments]
    assert names == [
        f"statement-{order.customer.code}-{last:%Y%m}.pdf",
        f"statement-{order.customer.code}-{last:%Y%m}.xlsx",
    ]
    statement.refresh_from_db()
    assert statement.sent_at is not None
    assert statement.sent_to == contact.email
    assert audit.entries_for(statement).filter(action="statement_sent").exists()


def test_sending_without_an_e_mail_address_is_refused(world):
    _before, last = months()
    statement = statements.generate_statement(world.customer, last, by=world.finance)
    Contact.objects.filter(customer=world.customer).update(email="")

    with pytest.raises(ValidationFailed) as refused:
        statements.send_statement(statement, by=world.finance)

    assert refused.value.code == "no_contact_email"
    assert "contact_email" in refused.value.fields
    statement.refresh_from_db()
    assert statement.sent_at is None


# --- documents ------------------------------------------------------------------------------


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_shows_the_customer_lines_and_closing_in_words_in_chinese(world, order):
    before, last = months()
    CompanyProfile.objects.update_or_create(pk=1, defaults={"name": "杭州示例贸易有限公司"})
    older = backdate(one_unit(order, world.finance), in_month(before, 10))
    newer = backdate(one_unit(order, world.finance, line=1), in_month(last, 3))
    paid(order.customer, "26.00", world.finance, received_on=in_month(last, 15))
    statement = statements.generate_statement(order.customer, last, by=world.finance)

    pdf = statement_pdf(statement)

    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    assert order.customer.name in text  # 杭州测试…机械有限公司: the CJK font is embedded
    assert "杭州示例贸易有限公司" in text
    assert capital(Decimal("200.00")) in text  # 贰佰元整
    assert newer.number in text
    assert older.number not in text  # before the month: only in the opening balance
    assert statement.token in text  # the link to answer online


def test_the_workbook_holds_numbers_and_dates(world, order):
    _before, last = months()
    invoice = backdate(one_unit(order, world.finance), in_month(last, 3))
    statement = statements.generate_statement(order.customer, last, by=world.finance)

    sheet = load_workbook(io.BytesIO(statement_xlsx(statement))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]

    line = next(row for row in rows if row[2] == invoice.number)
    assert line[0].date() == in_month(last, 3)
    assert line[5] == pytest.approx(113.0)
    assert line[7] == pytest.approx(113.0)
    number_cell = next(c for c in sheet.iter_rows() if c[2].value == invoice.number)[5]
    assert number_cell.number_format.startswith("#,##0.00")

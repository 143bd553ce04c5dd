"""Invoices: what may be invoiced (per order, per shipment), amounts to the fen, special
invoices' tax data, issue, fapiao numbers, void and credit notes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from orderdesk.billing import selectors, services
from orderdesk.billing.models import CreditNote, Invoice, InvoiceLine
from orderdesk.core import audit
from orderdesk.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from tests.factories.orders import make_order, make_released_order, make_world

from .helpers import invoice_per, issued, paid, shipped, with_tax_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def order(world):
    return make_released_order(world)


def test_a_whole_order_invoice_equals_the_order_to_the_fen(world, order):
    invoice_per("order")
    invoice = services.create_invoice(order, "ordinary", by=world.finance)
    assert re.fullmatch(r"FP\d{8}\d{4}", invoice.number)
    assert invoice.status == "draft"
    assert invoice.gross_amount == order.total_amount
    assert invoice.net_amount == order.net_amount
    assert invoice.tax_amount == order.tax_amount
    lines = list(invoice.lines.all())
    assert [line.quantity for line in lines] == [Decimal(2), Decimal(5)]
    assert sum(line.gross_amount for line in lines) == invoice.gross_amount
    assert all(line.net_amount + line.tax_amount == line.gross_amount for line in lines)
    assert selectors.totals_per_rate(invoice) == [
        {
            "tax_rate": Decimal("0.13"),
            "net": invoice.net_amount,
            "tax": invoice.tax_amount,
            "gross": invoice.gross_amount,
        }
    ]
    assert invoice.buyer_title == world.customer.name
    assert audit.entries_for(invoice).filter(action="invoice_created").exists()


def test_partial_invoices_add_up_to_the_order_exactly(world):
    invoice_per("order")
    order = make_released_order(
        world, lines=[{"sku": world.products[0].sku, "quantity": "3", "unit_price": "33.33"}]
    )
    line = order.lines.get()
    first = services.create_invoice(
        order, "ordinary", by=world.finance, lines=[{"order_line_id": line.pk, "quantity": "1"}]
    )
    second = services.create_invoice(
        order, "ordinary", by=world.finance, lines=[{"order_line_id": line.pk, "quantity": "1"}]
    )
    third = services.create_invoice(order, "ordinary", by=world.finance)
    assert third.lines.get().quantity == Decimal(1)
    invoices = [first, second, third]
    assert sum(i.gross_amount for i in invoices) == order.total_amount
    assert sum(i.net_amount for i in invoices) == order.net_amount
    assert sum(i.tax_amount for i in invoices) == order.tax_amount
    with pytest.raises(Conflict):
        services.create_invoice(order, "ordinary", by=world.finance)


def test_invoicing_more_than_ordered_is_refused_per_line_and_writes_nothing(world, order):
    invoice_per("order")
    first, second = order.lines.order_by("line_no")
    with pytest.raises(ValidationFailed) as error:
        services.create_invoice(
            order,
            "ordinary",
            by=world.finance,
            lines=[
                {"order_line_id": first.pk, "quantity": "3"},
                {"order_line_id": second.pk, "quantity": "1"},
            ],
        )
    assert error.value.status == 422
    assert error.value.code == "over_invoicing"
    assert "lines.0.quantity" in error.value.fields
    assert "lines.1.quantity" not in error.value.fields
    assert Invoice.objects.count() == 0
    assert InvoiceLine.objects.count() == 0


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([{"order_line_id": 999999, "quantity": "1"}], "lines.0.order_line_id"),
        ([{"order_line_id": None, "quantity": "1"}], "lines.0.order_line_id"),
        ([{"order_line_id": "LINE", "quantity": "-1"}], "lines.0.order_line_id"),
        ([{"order_line_id": "ok", "quantity": "0"}], "lines.0.quantity"),
        ([{"order_line_id": "ok", "quantity": "abc"}], "lines.0.quantity"),
        ([{"order_line_id": "ok", "quantity": "0.0001"}], "lines.0.quantity"),
        ([], "lines"),
    ],
)
def test_bad_lines_are_refused(world, order, lines, field):
    invoice_per("order")
    line = order.lines.first()
    for row in lines:
        if row["order_line_id"] == "ok":
            row["order_line_id"] = line.pk
    with pytest.raises(ValidationFailed) as error:
        services.create_invoice(order, "ordinary", by=world.finance, lines=lines)
    assert field in error.value.fields
    assert Invoice.objects.count() == 0


def test_per_shipment_invoices_what_the_shipment_shipped(world, order):
    invoice_per("shipment")
    with pytest.raises(ValidationFailed) as error:
        services.create_invoice(order, "ordinary", by=world.finance)
    assert error.value.code == "shipment_required"
    first = shipped(order, lines=[{"line_no": 1, "quantity": "1"}, {"line_no": 2, "quantity": "2"}])
    invoice = services.create_invoice(order, "ordinary", by=world.finance)
    assert invoice.shipment == first
    assert [line.quantity for line in invoice.lines.all()] == [Decimal(1), Decimal(2)]
    with pytest.raises(Conflict):
        services.create_invoice(order, "ordinary", by=world.finance, shipment=first)
    line = order.lines.get(line_no=1)
    with pytest.raises(ValidationFailed):
        services.create_invoice(
            order,
            "ordinary",
            by=world.finance,
            shipment=first,
            lines=[{"order_line_id": line.pk, "quantity": "1"}],
        )
    second = shipped(order)
    rest = services.create_invoice(order, "ordinary", by=world.finance, shipment=second)
    assert [line.quantity for line in rest.lines.all()] == [Decimal(1), Decimal(3)]
    assert invoice.gross_amount + rest.gross_amount == order.total_amount


def test_a_draft_shipment_or_another_orders_shipment_cannot_be_invoiced(world, order):
    from tests.shipping.helpers import ship

    from .helpers import logistics

    draft = ship(order, logistics())
    with pytest.raises(ValidationFailed) as error:
        services.create_invoice(order, "ordinary", by=world.finance, shipment=draft)
    assert error.value.code == "shipment_not_shipped"
    other = make_released_order(world)
    with pytest.raises(ValidationFailed):
        services.create_invoice(other, "ordinary", by=world.finance, shipment=draft)


def test_an_unapproved_order_cannot_be_invoiced(world):
    order = make_order(world)
    with pytest.raises(InvalidTransition):
        services.create_invoice(order, "ordinary", by=world.finance)


def test_a_special_invoice_needs_the_customers_tax_data(world, order):
    invoice_per("order")
    with pytest.raises(ValidationFailed) as error:
        services.create_invoice(order, "special", by=world.finance)
    assert error.value.code == "customer_tax_data_missing"
    assert {"tax_number", "bank_name", "bank_account"} <= set(error.value.fields)
    assert Invoice.objects.count() == 0
    with_tax_data(world.customer)
    invoice = services.create_invoice(order, "special", by=world.finance)
    assert invoice.buyer_tax_number == "91330106000000001X"
    assert "0571-88888888" in invoice.buyer_address_phone
    assert "1202020209000012345" in invoice.buyer_bank_account
    with pytest.raises(ValidationFailed):
        services.create_invoice(order, "electronic", by=world.finance)


def test_only_finance_invoices(world, order):
    with pytest.raises(NotAllowed):
        services.create_invoice(order, "ordinary", by=world.sales)


def test_issue_sets_the_due_date_from_the_customers_terms(world, order):
    invoice_per("order")
    invoice = issued(order, world.finance)
    today = timezone.localdate()
    assert invoice.status == "issued"
    assert invoice.issued_on == today
    assert invoice.due_on == today + dt.timedelta(days=30)  # grade A: 月结30天
    with pytest.raises(InvalidTransition):
        services.issue_invoice(invoice, by=world.finance)


def test_fapiao_numbers_are_unique(world, order):
    invoice_per("order")
    line1, line2 = order.lines.order_by("line_no")
    one = services.create_invoice(
        order, "ordinary", by=world.finance, lines=[{"order_line_id": line1.pk, "quantity": 2}]
    )
    two = services.create_invoice(
        order, "ordinary", by=world.finance, lines=[{"order_line_id": line2.pk, "quantity": 5}]
    )
    with pytest.raises(InvalidTransition):
        services.record_fapiao_number(one, "12345678", by=world.finance)
    services.issue_invoice(one, by=world.finance, fapiao_number="12345678")
    services.issue_invoice(two, by=world.finance)
    with pytest.raises(Conflict) as error:
        services.record_fapiao_number(two, "12345678", by=world.finance)
    assert error.value.code == "fapiao_number_taken"
    with pytest.raises(ValidationFailed):
        services.record_fapiao_number(two, "12 34", by=world.finance)
    services.record_fapiao_number(two, "87654321", by=world.finance)
    two.refresh_from_db()
    assert two.fapiao_number == "87654321"


def test_void_keeps_the_record_and_frees_the_quantities(world, order):
    invoice_per("order")
    invoice = issued(order, world.finance)
    with pytest.raises(ValidationFailed):
        services.void_invoice(invoice, reason=" ", by=world.finance)
    services.void_invoice(invoice, reason="开错抬头", by=world.finance)
    invoice.refresh_from_db()
    assert invoice.status == "void"
    assert invoice.void_reason == "开错抬头"
    assert invoice.open_amount == 0
    assert selectors.balance(world.customer) == 0
    again = services.create_invoice(order, "ordinary", by=world.finance)
    assert again.gross_amount == order.total_amount
    with pytest.raises(InvalidTransition):
        services.void_invoice(invoice, reason="again", by=world.finance)


def test_a_paid_invoice_cannot_be_voided_until_the_payment_is_reversed(world, order):
    invoice_per("order")
    invoice = issued(order, world.finance)
    payment = paid(world.customer, "100.00", world.finance)
    allocation = services.allocate(payment, invoice, "100.00", by=world.finance)
    with pytest.raises(Conflict) as error:
        services.void_invoice(invoice, reason="x", by=world.finance)
    assert "reverse the payment allocation first" in str(error.value.message)
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    services.reverse_allocation(allocation, reason="错配", by=world.finance)
    services.void_invoice(invoice, reason="x", by=world.finance)


def test_credit_notes_reduce_the_open_amount_and_free_the_quantity(world, order):
    invoice_per("order")
    invoice = issued(order, world.finance)
    first_line = invoice.lines.get(line_no=1)
    with pytest.raises(ValidationFailed):
        services.create_credit_note(
            invoice,
            reason="退货",
            by=world.finance,
            lines=[{"invoice_line_id": first_line.pk, "quantity": "3"}],
        )
    note = services.create_credit_note(
        invoice,
        reason="退货",
        by=world.finance,
        lines=[{"invoice_line_id": first_line.pk, "quantity": "1"}],
    )
    assert re.fullmatch(r"HC\d{8}\d{3}", note.number)
    invoice.refresh_from_db()
    assert invoice.credited_amount == note.gross_amount == Decimal("113.00")
    assert invoice.open_amount == invoice.gross_amount - note.gross_amount
    assert selectors.invoiceable(order)[first_line.order_line_id] == Decimal(1)
    rest = services.create_credit_note(invoice, reason="全部红冲", by=world.finance)
    invoice.refresh_from_db()
    assert invoice.credited_amount == invoice.gross_amount
    assert note.gross_amount + rest.gross_amount == invoice.gross_amount
    assert note.tax_amount + rest.tax_amount == invoice.tax_amount
    with pytest.raises(Conflict):
        services.create_credit_note(invoice, reason="again", by=world.finance)
    with pytest.raises(Conflict):
        services.void_invoice(invoice, reason="x", by=world.finance)
    assert selectors.balance(world.customer) == 0


def test_a_credit_note_cannot_exceed_what_is_unpaid(world, order):
    invoice_per("order")
    invoice = issued(order, world.finance)
    payment = paid(world.customer, "500.00", world.finance)
    services.allocate(payment, invoice, "500.00", by=world.finance)
    with pytest.raises(Conflict) as error:
        services.create_credit_note(invoice, reason="退货", by=world.finance)
    assert error.value.code == "credit_exceeds_open"
    assert CreditNote.objects.count() == 0


def test_drafts_cannot_be_credited(world, order):
    invoice_per("order")
    invoice = services.create_invoice(order, "ordinary", by=world.finance)
    with pytest.raises(InvalidTransition):
        services.create_credit_note(invoice, reason="x", by=world.finance)

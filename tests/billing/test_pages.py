"""The billing pages with the real database: lists, the invoice page and its actions, new
invoices and deposits from the order page, payments with allocation by hand and oldest
first, the receivables dashboard and the panels on the order and customer pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from orderdesk.billing import services
from orderdesk.billing.models import Allocation, DepositRequest, Invoice, Payment
from orderdesk.core import audit
from tests.factories.orders import make_released_order, make_world, user

from .helpers import invoice_per, issued, paid, shipped, with_tax_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def order(world):
    invoice_per("order")
    return make_released_order(world)


@pytest.fixture
def finance(client, world):
    client.force_login(world.finance)
    return client


def outsider():
    return user("bp_warehouse", "warehouse")


# --- lists ----------------------------------------------------------------------------------


def test_lists_render_with_empty_states_for_finance(finance):
    for name in ("billing:invoices", "billing:payments", "billing:receivables"):
        answer = finance.get(reverse(name))
        assert answer.status_code == 200, name
        assert b"card empty" in answer.content or name == "billing:receivables"


def test_lists_are_forbidden_without_a_billing_permission(client, world):
    client.force_login(outsider())
    for name in ("billing:invoices", "billing:payments", "billing:receivables"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("billing:payment_new")).status_code == 403


def test_invoice_list_filters_and_shows_the_invoice(finance, world, order):
    invoice = issued(order, world.finance)
    answer = finance.get(reverse("billing:invoices"), {"q": order.number, "status": "issued"})
    assert invoice.number in answer.content.decode()
    answer = finance.get(reverse("billing:invoices"), {"status": "void"})
    assert invoice.number not in answer.content.decode()
    assert b"card empty" in answer.content
    answer = finance.get(reverse("billing:invoices"), {"order": order.pk})
    assert invoice.number in answer.content.decode()


def test_navigation_shows_the_billing_section_by_permission(client, finance, world):
    page = finance.get(reverse("billing:invoices")).content.decode()
    assert reverse("billing:receivables") in page
    client.force_login(outsider())
    page = client.get(reverse("core:dashboard")).content.decode()
    assert reverse("billing:receivables") not in page


# --- new invoice from the order page --------------------------------------------------------


def test_new_invoice_is_prefilled_and_refuses_too_much_per_line(finance, world, order):
    url = reverse("billing:invoice_new", args=[order.pk])
    page = finance.get(url)
    assert page.status_code == 200
    lines = list(order.lines.order_by("line_no"))
    first = lines[0]
    assert f'name="qty-{first.pk}" value="{first.quantity.normalize():f}"' in page.content.decode()
    data = {"kind": "ordinary", "shipment": ""}
    data |= {f"qty-{line.pk}": str(line.quantity) for line in lines}
    data[f"qty-{first.pk}"] = str(first.quantity + 5)
    answer = finance.post(url, data)
    assert answer.status_code == 200
    assert b'aria-invalid="true"' in answer.content
    assert not Invoice.objects.exists()
    data[f"qty-{first.pk}"] = "1"
    answer = finance.post(url, data)
    invoice = Invoice.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("billing:invoice", args=[invoice.pk])
    assert invoice.status == "draft"
    assert invoice.lines.get(order_line=first).quantity == Decimal(1)


def test_new_invoice_needs_the_issue_permission(client, world, order):
    client.force_login(world.sales)
    assert client.get(reverse("billing:invoice_new", args=[order.pk])).status_code == 403
    client.force_login(outsider())
    assert client.get(reverse("billing:invoice_new", args=[order.pk])).status_code in (403, 404)


def test_new_invoice_kind_is_checked_on_the_field(finance, order):
    answer = finance.post(reverse("billing:invoice_new", args=[order.pk]), {"kind": "other"})
    assert answer.status_code == 200
    assert b"errorlist" in answer.content
    assert not Invoice.objects.exists()


# --- the invoice page -----------------------------------------------------------------------


def test_invoice_page_issue_fapiao_and_timeline(finance, world, order):
    with_tax_data(order.customer)
    invoice = services.create_invoice(order, "special", by=world.finance)
    url = reverse("billing:invoice", args=[invoice.pk])
    page = finance.get(url)
    assert page.status_code == 200
    assert invoice.number in page.content.decode()
    assert b'id="issue-invoice"' in page.content
    answer = finance.post(reverse("billing:invoice_issue", args=[invoice.pk]))
    assert answer.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    answer = finance.post(
        reverse("billing:invoice_fapiao", args=[invoice.pk]), {"fapiao_number": "04400123"}
    )
    assert answer.status_code == 302
    invoice.refresh_from_db()
    assert invoice.fapiao_number == "04400123"
    page = finance.get(url).content.decode()
    assert "04400123" in page
    assert "invoice_issued" in page or "issue" in page  # the timeline


def test_void_needs_a_reason_shown_on_the_field(finance, world, order):
    invoice = issued(order, world.finance)
    answer = finance.post(reverse("billing:invoice_void", args=[invoice.pk]), {"void-reason": ""})
    assert answer.status_code == 200
    assert b"errorlist" in answer.content
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    answer = finance.post(
        reverse("billing:invoice_void", args=[invoice.pk]), {"void-reason": "Wrong buyer"}
    )
    assert answer.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "void"
    assert invoice.void_reason == "Wrong buyer"


def test_credit_note_from_the_page(finance, world, order):
    invoice = issued(order, world.finance)
    answer = finance.post(
        reverse("billing:invoice_credit", args=[invoice.pk]), {"credit-reason": "Returned"}
    )
    assert answer.status_code == 302
    invoice.refresh_from_db()
    assert invoice.credited_amount == invoice.gross_amount
    page = finance.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    assert invoice.credit_notes.get().number in page


def test_invoice_pages_are_404_for_users_who_may_not_see_them(client, world, order):
    invoice = issued(order, world.finance)
    client.force_login(outsider())
    for name in ("billing:invoice", "billing:invoice_pdf"):
        assert client.get(reverse(name, args=[invoice.pk])).status_code == 404
    assert client.post(reverse("billing:invoice_issue", args=[invoice.pk])).status_code == 404
    client.force_login(world.sales)  # sees the invoice, may not change it
    assert client.get(reverse("billing:invoice", args=[invoice.pk])).status_code == 200
    answer = client.post(reverse("billing:invoice_void", args=[invoice.pk]), {"void-reason": "x"})
    assert answer.status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == "issued"


def test_pdf_download(finance, world, order):
    invoice = issued(order, world.finance)
    answer = finance.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")


def test_send_to_customer_mails_the_pdf_and_is_audited(finance, world, order):
    invoice = issued(order, world.finance)
    mail.outbox.clear()
    answer = finance.post(reverse("billing:invoice_send", args=[invoice.pk]))
    assert answer.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert invoice.number in message.subject
    name, content, mimetype = message.attachments[0]
    assert name == f"{invoice.number}.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    assert audit.entries_for(invoice).filter(action="invoice_sent").exists()


def test_a_draft_cannot_be_sent(finance, world, order):
    invoice = services.create_invoice(order, "ordinary", by=world.finance)
    mail.outbox.clear()
    finance.post(reverse("billing:invoice_send", args=[invoice.pk]))
    assert mail.outbox == []


# --- deposits -------------------------------------------------------------------------------


def test_deposit_request_form(finance, world, order):
    url = reverse("billing:deposit_new", args=[order.pk])
    assert finance.get(url).status_code == 200
    answer = finance.post(url, {"percent": "10", "amount": "100"})
    assert answer.status_code == 200
    assert b"errorlist" in answer.content
    assert not DepositRequest.objects.exists()
    answer = finance.post(url, {"percent": "10"})
    assert answer.status_code == 302
    assert DepositRequest.objects.get().amount == (order.total_amount / 10).quantize(
        Decimal("0.01")
    )


# --- payments -------------------------------------------------------------------------------


def test_payment_entry_shows_errors_on_fields(finance, world, order):
    url = reverse("billing:payment_new")
    assert finance.get(url).status_code == 200
    data = {
        "customer": order.customer_id,
        "amount": "100.00",
        "method": "bank_transfer",
        "reference": "",
        "received_on": "2026-01-05",
    }
    answer = finance.post(url, data)
    assert answer.status_code == 200
    assert b"errorlist" in answer.content
    assert not Payment.objects.exists()
    answer = finance.post(url, {**data, "amount": "abc", "reference": "X1"})
    assert b"errorlist" in answer.content
    answer = finance.post(url, {**data, "reference": "ICBC-77"})
    payment = Payment.objects.get()
    assert answer["Location"] == reverse("billing:payment", args=[payment.pk])
    page = finance.get(reverse("billing:payments")).content.decode()
    assert payment.number in page


def test_payment_customer_search_as_you_type(finance, world):
    customer = world.customer
    url = reverse("billing:payment_new")
    for q in (customer.name[2:6], customer.code, customer.pinyin[:4]):
        answer = finance.get(url, {"customer_q": q}, headers={"HX-Request": "true"})
        assert answer.status_code == 200, q
        text = answer.content.decode()
        assert "<html" not in text  # the results fragment only
        assert f'name="pick_customer" value="{customer.pk}"' in text, q
        assert 'form="payment-form"' in text
    answer = finance.get(url, {"customer_q": "无此客户"}, headers={"HX-Request": "true"})
    assert b"pick_customer" not in answer.content


def test_payment_customer_search_works_without_javascript(finance, world):
    customer = world.customer
    url = reverse("billing:payment_new")
    page = finance.get(url, {"customer_q": customer.code}).content.decode()
    assert 'id="payment-form"' in page
    assert f'name="pick_customer" value="{customer.pk}"' in page
    typed = {"amount": "88.00", "method": "cash", "received_on": "2026-01-05"}
    answer = finance.post(url, {**typed, "customer": "", "pick_customer": customer.pk})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert f'name="customer" value="{customer.pk}"' in page
    assert customer.name in page
    assert 'value="88.00"' in page  # what was typed is kept
    assert "errorlist" not in page
    assert not Payment.objects.exists()


def test_payment_form_preselects_the_customer_from_the_query(finance, world):
    customer = world.customer
    page = finance.get(reverse("billing:payment_new"), {"customer": customer.pk}).content.decode()
    assert f'name="customer" value="{customer.pk}"' in page
    assert customer.name in page
    for wrong in ("999999", "9" * 30, "x"):
        answer = finance.get(reverse("billing:payment_new"), {"customer": wrong})
        assert answer.status_code == 200
        assert f'name="customer" value="{wrong}"' not in answer.content.decode()


@pytest.mark.parametrize("customer", ["", "abc", "999999", "0", "-3", "9" * 30])
def test_payment_form_refuses_a_customer_that_is_missing_or_hidden(finance, customer):
    answer = finance.post(
        reverse("billing:payment_new"),
        {
            "customer": customer,
            "amount": "100.00",
            "method": "cash",
            "received_on": "2026-01-05",
        },
    )
    assert answer.status_code == 200
    assert b'id="id_customer_error"' in answer.content
    assert not Payment.objects.exists()


def test_allocation_by_hand_all_or_nothing(finance, world, order):
    invoice = issued(order, world.finance)
    payment = paid(order.customer, "100.00", world.finance)
    url = reverse("billing:payment", args=[payment.pk])
    page = finance.get(url).content.decode()
    key = f"amt-invoice-{invoice.pk}"
    assert f'name="{key}"' in page
    allocate = reverse("billing:payment_allocate", args=[payment.pk])
    answer = finance.post(allocate, {key: "150.00"})
    assert answer.status_code == 200
    assert b'aria-invalid="true"' in answer.content
    assert not Allocation.objects.exists()
    answer = finance.post(allocate, {key: "60.00"})
    assert answer.status_code == 302
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.allocated_amount == Decimal("60.00")
    assert payment.unallocated_amount == Decimal("40.00")
    assert "40.00" in finance.get(url).content.decode()


def test_auto_allocation_oldest_first_and_reversal(finance, world, order):
    invoice = issued(order, world.finance)
    payment = paid(order.customer, "50.00", world.finance)
    answer = finance.post(reverse("billing:payment_allocate", args=[payment.pk]), {"auto": "1"})
    assert answer.status_code == 302
    allocation = Allocation.objects.get()
    assert allocation.invoice_id == invoice.pk
    assert allocation.amount == Decimal("50.00")
    reverse_url = reverse("billing:allocation_reverse", args=[allocation.pk])
    finance.post(reverse_url, {"reason": ""})
    allocation.refresh_from_db()
    assert allocation.reversed_at is None
    finance.post(reverse_url, {"reason": "Wrong customer"})
    allocation.refresh_from_db()
    assert allocation.reversed_at is not None
    invoice.refresh_from_db()
    assert invoice.allocated_amount == 0


def test_sales_cannot_allocate(client, world, order):
    issued(order, world.finance)
    payment = paid(order.customer, "50.00", world.finance)
    client.force_login(world.sales)
    assert client.get(reverse("billing:payment", args=[payment.pk])).status_code == 200
    answer = client.post(reverse("billing:payment_allocate", args=[payment.pk]), {"auto": "1"})
    assert answer.status_code == 403
    assert not Allocation.objects.exists()
    client.force_login(outsider())
    assert client.get(reverse("billing:payment", args=[payment.pk])).status_code == 404


# --- receivables and panels -----------------------------------------------------------------


def test_receivables_dashboard(finance, world, order):
    invoice = issued(order, world.finance)
    page = finance.get(reverse("billing:receivables"))
    text = page.content.decode()
    assert "vendor/echarts/echarts.min.js" in text
    assert 'id="aging-data"' in text
    assert str(invoice.gross_amount) in text
    later = invoice.due_on + dt.timedelta(days=45)
    page = finance.get(reverse("billing:receivables"), {"on": later.isoformat()})
    assert order.customer.code in page.content.decode()  # top overdue
    assert finance.get(reverse("billing:receivables"), {"on": "garbage"}).status_code == 200


def test_receivables_for_sales_show_only_their_customers(client, world, order):
    issued(order, world.finance)
    other = user("bp_sales2", "sales")
    client.force_login(other)
    page = client.get(reverse("billing:receivables")).content.decode()
    assert order.customer.code not in page


def test_order_panel_and_customer_account_panel(client, finance, world, order):
    invoice = issued(order, world.finance)
    page = finance.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'id="billing"' in page
    assert invoice.number in page
    assert reverse("billing:invoice_new", args=[order.pk]) in page
    page = finance.get(reverse("customers:detail", args=[order.customer_id])).content.decode()
    assert 'id="account"' in page
    assert 'id="account-balance"' in page
    client.force_login(world.warehouse)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'id="billing"' not in page


def test_new_invoice_for_one_shipment_is_prefilled_with_what_it_shipped(finance, world):
    invoice_per("shipment")
    order = make_released_order(world)
    first, second = order.lines.order_by("line_no")[:2]
    shipment = shipped(order, [{"order_line_id": first.pk, "quantity": "1"}])
    url = reverse("billing:invoice_new", args=[order.pk])
    page = finance.get(url, {"shipment": shipment.pk}).content.decode()
    assert f'name="qty-{first.pk}" value="1"' in page
    assert f'name="qty-{second.pk}" value="0"' in page
    answer = finance.post(
        url, {"kind": "ordinary", "shipment": shipment.pk, f"qty-{first.pk}": "1"}
    )
    assert answer.status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.shipment_id == shipment.pk
    assert invoice.lines.get().quantity == Decimal(1)

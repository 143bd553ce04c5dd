"""Billing in real Chromium: finance invoices a released order from its page, issues the
invoice, records a payment and auto-allocates it; the receivables dashboard draws its
ECharts bar chart without JavaScript errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orderdesk.billing.models import Invoice, InvoiceStatus, Payment
from tests.billing.helpers import invoice_per
from tests.factories.orders import make_released_order, make_world

from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "Pa55word-for-tests"


def test_invoice_pay_and_see_the_receivables(page, tmp_path):
    world = make_world()
    invoice_per("order")
    order = make_released_order(world)
    clerk = world.finance
    clerk.set_password(PASSWORD)
    clerk.save()
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, clerk.username, PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"/orders/{order.pk}/")
    page.locator("#new-invoice").click()
    page.wait_for_url(f"**/billing/orders/{order.pk}/invoice/")
    expect(page.locator("#id_kind")).to_have_value("ordinary")
    page.locator("#create-invoice").click()
    expect(page.locator("#invoice-status")).to_have_attribute("data-status", "draft")
    page.locator("#issue-invoice").click()
    expect(page.locator("#invoice-status")).to_have_attribute("data-status", "issued")
    invoice = Invoice.objects.get()
    assert invoice.status == InvoiceStatus.ISSUED
    assert page.console.errors == []

    page.goto(f"/billing/payments/new/?customer={order.customer_id}")
    page.fill("#id_amount", "100.00")
    page.select_option("#id_method", "bank_transfer")
    page.fill("#id_reference", "ICBC-42")
    page.locator("#payment-form button[type=submit]").click()
    page.locator("#allocate-auto").click()
    expect(page.locator("#unallocated")).to_contain_text("0.00")
    invoice.refresh_from_db()
    assert invoice.allocated_amount == Decimal("100.00")
    assert Payment.objects.get().unallocated_amount == 0

    page.goto("/billing/receivables/")
    expect(page.locator("#aging-chart canvas")).to_have_count(1)
    expect(page.locator("#aging-total")).to_contain_text(str(invoice.open_amount))
    page.screenshot(path=tmp_path / "receivables.png", full_page=True)
    page.goto(f"/billing/invoices/{invoice.pk}/")
    page.screenshot(path=tmp_path / "invoice.png", full_page=True)
    assert page.console.errors == []

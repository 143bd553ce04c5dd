"""Orders in real Chromium: an order entered on the form with live prices and reviewed to
approved; a finance reviewer rejects from the order page (first without a
reason), sales resubmits, the steps whose inputs did not change are carried over and the
order ends approved; My tasks shows the reviewer's queue."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orderdesk.orders import services
from orderdesk.orders.models import Order, OrderStatus, StepStatus
from tests.factories.orders import make_order, make_world

from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "Pa55word-for-tests"


def as_user(page, user):
    page.context.clear_cookies()
    log_in(page, user.username, PASSWORD)
    page.wait_for_url("**/")


def decide_on_page(page, step, dialog, **fields):
    row = page.locator(f"tr[data-step={step}]")
    row.locator(f"details[data-dialog={dialog}] summary").click()
    form = row.locator(f"details[data-dialog={dialog}] form")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()


def test_rejected_order_is_resubmitted_and_approved(page):
    world = make_world()
    for user in (world.sales, world.manager, world.finance, world.warehouse):
        user.set_password(PASSWORD)
        user.save()
    order = make_order(world)
    services.submit(order, by=world.sales)
    services.decide(order, "sales", approve=True, by=world.manager, comment="条款无误")

    as_user(page, world.finance)
    page.goto("/tasks/")
    queue = page.locator("main")
    expect(queue).to_contain_text(order.number)
    page.goto(f"/orders/{order.pk}/")
    decide_on_page(page, "finance", "reject")
    # No reason: refused with a message, the order stays in review.
    expect(page.locator("#action-form [aria-invalid=true]").first).to_be_visible()
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_REVIEW
    page.goto(f"/orders/{order.pk}/")
    decide_on_page(page, "finance", "reject", reason="付款方式需改为款到发货")
    page.wait_for_url(f"**/orders/{order.pk}/**")
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "returned")

    as_user(page, world.sales)
    page.goto(f"/orders/{order.pk}/")
    expect(page.locator("main")).to_contain_text("付款方式需改为款到发货")
    page.click("button[name=submit-order]")
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "in_review")
    sales_row = page.locator("tr[data-step=sales]")
    expect(sales_row).to_have_attribute("data-step-status", StepStatus.APPROVED)

    as_user(page, world.finance)
    page.goto(f"/orders/{order.pk}/")
    decide_on_page(page, "finance", "approve")
    as_user(page, world.warehouse)
    page.goto(f"/orders/{order.pk}/")
    decide_on_page(page, "warehouse", "approve")
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "approved")
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
    assert page.console.errors == []


def test_order_entered_on_the_form_is_reviewed_to_approved(page):
    world = make_world()
    for user in (world.sales, world.manager, world.finance, world.warehouse, world.gm):
        user.set_password(PASSWORD)
        user.save()
    as_user(page, world.sales)
    page.goto("/orders/new/")
    page.fill("#customer-q", world.customer.name[:2])
    page.click("#customer-results [data-pick-customer]")
    expect(page.locator("#entry-customer strong")).to_have_text(world.customer.name)
    expect(page.locator("#id_contact_name")).not_to_have_value("")
    first = page.locator("#id_lines-0-sku")
    first.fill(world.products[0].sku)
    page.fill("#id_lines-0-quantity", "2")
    expect(page.locator("#line-0-total")).to_have_text("226.00")  # priced live by the server
    page.fill("#id_lines-1-sku", world.products[1].sku)
    page.fill("#id_lines-1-quantity", "5")
    page.fill("#id_lines-1-discount_percent", "10")  # beyond a salesperson's 5 %
    expect(page.locator("#line-1-total")).to_have_text("508.50")
    expect(page.locator("[data-gross]")).to_have_text("¥734.50")
    page.select_option("#id_channel", "phone")
    page.select_option("#id_payment_method", "bank_transfer")
    page.select_option("#id_delivery_province", "广东省")
    page.fill("#id_delivery_city", "广州市")
    page.fill("#id_delivery_address", "天河路 1 号")
    page.fill("#id_contact_phone", "13800138000")
    page.fill("#id_requested_date", "2030-01-15")
    expect(page.locator("[data-checklist-ready]")).to_be_visible()
    page.click("button[value=submit]")
    page.wait_for_url(re.compile(r".*/orders/\d+/$"))
    order = Order.objects.get()
    assert order.status == OrderStatus.IN_REVIEW
    assert order.total_amount == Decimal("734.50")
    assert {step.step for step in order.reviews.all()} == {
        "sales",
        "pricing",
        "finance",
        "warehouse",
    }

    as_user(page, world.manager)
    page.goto("/tasks/")
    expect(page.locator("main")).to_contain_text(order.number)
    page.goto(f"/orders/{order.pk}/")
    decide_on_page(page, "sales", "approve")
    page.goto(f"/orders/{order.pk}/")
    decide_on_page(page, "pricing", "approve")
    for user, step in ((world.finance, "finance"), (world.warehouse, "warehouse")):
        as_user(page, user)
        page.goto(f"/orders/{order.pk}/")
        decide_on_page(page, step, "approve")
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "approved")
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
    assert page.console.errors == []

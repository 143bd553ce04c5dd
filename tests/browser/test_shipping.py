"""Shipping in real Chromium: from a released order's page a shipment is entered (the
quantities pre-filled with what is still to ship) and confirmed; the customer opens the
delivery-confirmation link of the shipping notice on a phone (390×844) and confirms the
delivery; the order shows delivered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from orderdesk.orders.models import Order, OrderStatus
from orderdesk.shipping.models import Shipment, ShipmentStatus
from tests.factories.orders import make_released_order, make_world, user

from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "Pa55word-for-tests"


def test_ship_from_the_order_page_and_the_customer_confirms_on_a_phone(page, browser, live_server):
    world = make_world()
    order = make_released_order(world)
    clerk = user("br_logistics", "logistics")
    clerk.set_password(PASSWORD)
    clerk.save()

    log_in(page, clerk.username, PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"/orders/{order.pk}/")
    page.locator("#new-shipment").click()
    page.wait_for_url(f"**/shipping/new/{order.pk}/")
    second = order.lines.get(line_no=2)
    expect(page.locator(f"#qty-{second.pk}")).to_have_value("5")
    page.select_option("#id_carrier", "SF")
    page.fill("#id_tracking_number", "SF 1234 5678 9012 3")
    page.locator("button[name=confirm]").click()
    expect(page.locator("#shipment-status")).to_have_attribute("data-status", "shipped")
    expect(page.locator("#tracking-number")).to_have_text("SF1234567890123")
    shipment = Shipment.objects.get(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert page.console.errors == []

    phone = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    try:
        customer = phone.new_page()
        customer.goto(f"/shipping/d/{shipment.delivery_token}/")
        expect(customer.locator("#delivery-lines")).to_contain_text(second.name)
        signer = customer.locator("#id_signer")
        box = signer.bounding_box()
        assert box is not None
        assert box["width"] > 300  # the form fills the phone's width
        assert box["height"] >= 40  # big enough to tap
        width = customer.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, width
        signer.fill("客户仓管 张三")
        customer.locator("button[name=confirm-delivery]").click()
        expect(customer.locator("#delivery-state")).to_contain_text("张三")
    finally:
        phone.close()

    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED
    page.goto(f"/orders/{order.pk}/")
    row = page.locator(f"#order-shipments tr[data-shipment='{shipment.number}']")
    expect(row.locator(".badge.shipment-delivered")).to_be_visible()
    expect(page.locator("main")).to_contain_text("已签收")  # the order's status

"""A product's page in real Chromium: the stock and price panels, a price added on the price
list editor (htmx), and a stock count correction that first lacks its reason."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orderdesk.inventory import services as inventory_services
from orderdesk.inventory.models import StockLevel
from orderdesk.pricing import services as pricing_services
from orderdesk.pricing.models import PriceListItem
from tests.factories.catalog import make_category, make_product

from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "Pa55word-for-tests"


def test_price_and_stock_keeper_adds_a_price_and_corrects_stock_with_a_reason(page, make_user):
    # Finance manages prices, the warehouse manages stock: one person holding both roles.
    keeper = make_user("keeper1", "finance", "warehouse", display_name="李娜")
    product = make_product(sku="BV-100", name="不锈钢球阀", category=make_category(code="valves"))
    warehouse = inventory_services.create_warehouse({"code": "SH01", "name": "上海仓"}, by=keeper)
    inventory_services.receive_stock(product, warehouse, "10", by=keeper)
    price_list = pricing_services.create_price_list(
        {
            "code": "std",
            "name": "标准价",
            "valid_from": timezone.localdate() - dt.timedelta(days=1),
        },
        by=keeper,
    )
    pricing_services.set_price(price_list, product, {"unit_price": Decimal(120)}, by=keeper)

    log_in(page, "keeper1", PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"/products/{product.pk}/")
    stock_panel = page.locator("section#stock")
    price_panel = page.locator("section[aria-labelledby=product-prices-title]")
    expect(stock_panel).to_contain_text("SH01")
    expect(stock_panel).to_contain_text("10.000")
    expect(price_panel).to_contain_text("std")
    expect(price_panel).to_contain_text("120.00")

    price_panel.locator(f"a[href='/prices/{price_list.pk}/']").click()
    page.wait_for_url(f"**/prices/{price_list.pk}/")
    page.fill("#id_product", "bv-100")
    page.fill("#id_min_quantity", "50")
    page.fill("#id_unit_price", "99.50")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click("#price-items form button[type=submit]")
    rows = page.locator("#price-items tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("99.50")

    page.goto(f"/products/{product.pk}/")
    stock_panel.locator(".actions a.button").click()
    page.wait_for_url("**/stock/adjust/**")
    page.fill("#id_new_on_hand", "8")
    page.click("main form button[type=submit]")
    reason_error = page.locator(".field:has(#id_reason) .errorlist")
    expect(reason_error).to_be_visible()
    on_hand_after_refusal = StockLevel.objects.get(product=product, warehouse=warehouse).on_hand
    page.fill("#id_reason", "盘点 损坏2件")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/products/{product.pk}/#stock")

    assert posted.value.request.headers.get("hx-request") == "true"
    assert PriceListItem.objects.filter(price_list=price_list).count() == 2
    assert on_hand_after_refusal == Decimal(10)
    expect(stock_panel.locator("tbody tr").first).to_contain_text("8.000")
    assert StockLevel.objects.get(product=product, warehouse=warehouse).on_hand == Decimal(8)
    assert page.console.errors == []

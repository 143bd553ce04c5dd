"""The order entry form: saving drafts, errors on their fields and rows, the live quote, the
lookups, editing rules and the missing-information checklist."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orderdesk.accounts.selectors import system_user
from orderdesk.catalog.models import Product
from orderdesk.core import workcalendar
from orderdesk.orders import services
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.pricing import services as pricing
from tests.factories.customers import make_customer
from tests.factories.orders import approve_all, make_order, make_world, user

pytestmark = pytest.mark.django_db

NEW = "/orders/new/"
QUOTE = "/orders/entry/quote/"


@pytest.fixture
def world(db):
    return make_world()


def client_for(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def form_data(world: Any, lines: list[dict[str, str]], **header: Any) -> dict[str, Any]:
    """The entry form as the browser posts it: header fields plus the lines formset."""
    requested = workcalendar.add_working_days(timezone.localdate(), 10)
    data: dict[str, Any] = {
        "customer_id": world.customer.pk,
        "channel": "phone",
        "contact_name": "王经理",
        "contact_phone": "13800138000",
        "payment_method": "bank_transfer",
        "delivery_province": "广东省",
        "delivery_city": "广州市",
        "delivery_district": "天河区",
        "delivery_address": "天河路 1 号",
        "requested_date": requested.isoformat(),
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "action": "save",
    }
    for index, line in enumerate(lines):
        for name, value in line.items():
            data[f"lines-{index}-{name}"] = value
    data.update(header)
    return data


def cell(html: str, cell_id: str) -> str:
    """The inner HTML of the table cell with this id."""
    found = re.search(rf'<td id="{re.escape(cell_id)}"[^>]*>(.*?)</td>', html, re.S)
    assert found, f"no cell {cell_id}"
    return found.group(1)


def test_new_order_form_offers_header_lines_and_checklist(world):
    response = client_for(world.sales).get(NEW)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="lines-TOTAL_FORMS"' in html
    assert 'id="entry-line-template"' in html
    assert 'name="received_at"' in html
    assert "Missing: Contact person" in html
    assert "Missing: Customer" in html


def test_saving_a_draft_prices_the_lines_and_opens_the_order_page(world):
    data = form_data(
        world,
        [
            {"sku": world.products[0].sku, "quantity": "2"},
            {},  # a blank row in between is ignored
            {"sku": world.products[1].sku.lower(), "quantity": "5", "note": "红色"},
        ],
    )

    response = client_for(world.sales).post(NEW, data)

    order = Order.objects.get(customer=world.customer)
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}/"
    assert order.status == OrderStatus.DRAFT
    assert order.channel == "phone"
    assert order.total_amount == Decimal("791.00")
    assert order.net_amount + order.tax_amount == order.total_amount
    lines = list(order.lines.order_by("line_no"))
    assert [(line.sku, line.quantity) for line in lines] == [
        (world.products[0].sku, Decimal(2)),
        (world.products[1].sku, Decimal(5)),
    ]
    assert lines[1].note == "红色"


def test_bad_input_shows_errors_on_fields_and_rows_and_saves_nothing(world):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    data = form_data(
        world,
        [
            {"sku": "NO-SUCH-SKU", "quantity": "1"},
            {"sku": world.products[0].sku, "quantity": "0"},
            {},
            {"sku": world.products[1].sku, "quantity": "1", "unit_price": "1.234"},
            {"sku": world.products[2].sku, "quantity": "1"},
        ],
        requested_date=yesterday,
    )

    response = client_for(world.sales).post(NEW, data)

    assert response.status_code == 200
    assert not Order.objects.exists()
    html = response.content.decode()
    form = response.context["form"]
    assert "requested_date" in form.errors
    assert "Unknown SKU NO-SUCH-SKU" in cell(html, "line-0-product")
    assert "greater than zero" in cell(html, "line-1-product")
    assert "at most 2 decimals" in cell(html, "line-3-product")
    # The good line is still priced, and the totals say they cover only part of the order.
    assert "113.00" in cell(html, "line-4-total")
    assert "Totals of the 1 of 4 lines that can be priced" in html


def test_format_errors_are_refused_by_the_form_before_the_service(world):
    data = form_data(
        world,
        [{"sku": world.products[0].sku, "quantity": "abc"}],
        deposit_percent="lots",
        received_at="yesterday",
    )

    response = client_for(world.sales).post(NEW, data)

    assert response.status_code == 200
    assert not Order.objects.exists()
    assert {"deposit_percent", "received_at"} <= set(response.context["form"].errors)
    assert "Enter a number" in cell(response.content.decode(), "line-0-product")


def test_unknown_customer_is_an_error_on_the_customer(world):
    stranger = make_customer(user("other_sales", "sales"))
    data = form_data(world, [{"sku": world.products[0].sku, "quantity": "1"}])
    data["customer_id"] = stranger.pk  # not this salesperson's customer

    response = client_for(world.sales).post(NEW, data)

    assert response.status_code == 200
    assert not Order.objects.exists()
    assert "Unknown customer." in response.content.decode()


def test_quote_prices_every_line_with_totals_and_flags_a_discount_beyond_authority(world):
    data = form_data(
        world,
        [
            {"sku": world.products[0].sku, "quantity": "2"},
            {"sku": world.products[1].sku, "quantity": "5", "discount_percent": "10"},
        ],
    )

    response = client_for(world.sales).post(QUOTE, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "226.00" in cell(html, "line-0-total")
    # 113.00 less 10 % = 101.70 a unit, five of them
    assert "508.50" in cell(html, "line-1-total")
    assert "¥734.50" in html  # 226.00 + 508.50
    assert "Needs approval by Sales manager" in cell(html, "line-1-product")
    assert "Needs approval" not in cell(html, "line-0-product")
    assert 'hx-swap-oob="true"' in html
    assert not Order.objects.exists()


def test_quote_without_a_customer_asks_for_one(world):
    data = form_data(world, [{"sku": world.products[0].sku, "quantity": "2"}], customer_id="")

    response = client_for(world.sales).post(QUOTE, data)

    html = response.content.decode()
    assert "Choose a customer to see prices" in html
    assert "Missing: Customer" in html


def test_quote_checklist_lists_every_missing_item(world):
    data = form_data(
        world, [], contact_phone="", payment_method="", delivery_city="", requested_date=""
    )

    response = client_for(world.sales).post(QUOTE, data)

    items = re.findall(r'<li><a href="#([^"]+)">', response.content.decode())
    assert items == [
        "id_contact_phone",
        "entry-lines",
        "id_payment_method",
        "id_delivery_city",
        "id_requested_date",
    ]


def test_quote_of_200_lines_takes_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    system = system_user()
    products = Product.objects.bulk_create(
        Product(
            sku=f"BULK-{number:04d}",
            name="法兰",
            spec=f"DN{number}",
            category=world.products[0].category,
            unit="件",
            tax_rate=Decimal("0.13"),
            lead_time_days=5,
        )
        for number in range(200)
    )
    for product in products:
        pricing.set_price(world.price_list, product, {"unit_price": Decimal("10.00")}, by=system)
    data = form_data(world, [{"sku": product.sku, "quantity": "3"} for product in products])
    client = client_for(world.sales)
    client.post(QUOTE, data)  # warm the session and permission caches

    with django_assert_max_num_queries(20):  # the same as for 2 lines
        response = client.post(QUOTE, data)

    html = response.content.decode()
    assert "30.00" in cell(html, "line-199-total")  # the list's prices include VAT
    assert "¥6,000.00" in html


def test_saving_an_edit_of_a_draft_replaces_the_lines(world):
    order = make_order(world)
    client = client_for(world.sales)
    page = client.get(f"/orders/{order.pk}/edit/")
    assert page.status_code == 200
    assert page.context["form"].initial["version"] == order.version
    data = form_data(
        world,
        [{"sku": world.products[2].sku, "quantity": "1"}],
        version=str(order.version),
        payment_terms="款到发货",
    )

    response = client.post(f"/orders/{order.pk}/edit/", data)

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.payment_terms == "款到发货"
    assert [line.sku for line in order.lines.all()] == [world.products[2].sku]
    assert order.total_amount == Decimal("113.00")
    assert order.version == 2


def test_a_stale_edit_is_refused_with_the_conflict_message(world):
    order = make_order(world)
    services.update_order(order, {"contact_name": "李四"}, by=world.sales)
    data = form_data(
        world, [{"sku": world.products[0].sku, "quantity": "1"}], version=str(order.version)
    )

    response = client_for(world.sales).post(f"/orders/{order.pk}/edit/", data)

    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    order.refresh_from_db()
    assert order.contact_name == "李四"
    assert order.lines.count() == 2


def test_an_approved_order_cannot_be_edited(world):
    order = approve_all(make_order(world), world)
    assert order.status == OrderStatus.APPROVED
    client = client_for(world.sales)

    page = client.get(f"/orders/{order.pk}/edit/")
    posted = client.post(
        f"/orders/{order.pk}/edit/",
        form_data(world, [{"sku": world.products[0].sku, "quantity": "9"}]),
    )

    assert page.status_code == posted.status_code == 302
    assert page["Location"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.lines.count() == 2
    messages = [str(message) for message in page.wsgi_request._messages]
    assert any("change request" in message for message in messages)


def test_save_and_submit_sends_a_complete_order_to_review(world):
    data = form_data(world, [{"sku": world.products[0].sku, "quantity": "2"}], action="submit")

    response = client_for(world.sales).post(NEW, data)

    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.pk}/"
    assert order.status == OrderStatus.IN_REVIEW


def test_save_and_submit_keeps_an_incomplete_draft_and_shows_the_checklist(world):
    data = form_data(
        world,
        [{"sku": world.products[0].sku, "quantity": "2"}],
        action="submit",
        contact_phone="",
        payment_method="",
    )
    client = client_for(world.sales)

    response = client.post(NEW, data)

    order = Order.objects.get()
    assert order.status == OrderStatus.DRAFT
    assert response["Location"] == reverse("orders:edit", args=[order.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "saved but not submitted" in html
    assert "Missing: Contact phone" in html
    assert "Missing: Payment method" in html
    assert "Missing: Contact person" not in html


def test_only_order_entry_roles_may_use_the_form(world):
    client = client_for(world.warehouse)

    assert client.get(NEW).status_code == 403
    assert client.post(QUOTE, form_data(world, [])).status_code == 403
    assert client.get("/orders/entry/product-lookup/", {"q": "OM"}).status_code == 403
    assert client.get("/orders/entry/customer-lookup/", {"q": "杭州"}).status_code == 403


def test_customer_lookup_finds_only_visible_customers(world):
    make_customer(user("other_sales", "sales"), name="杭州别人家的阀门有限公司")

    response = client_for(world.sales).get("/orders/entry/customer-lookup/", {"customer_q": "杭州"})

    html = response.content.decode()
    assert world.customer.name in html
    assert "别人家" not in html


def test_customer_panel_shows_credit_only_to_those_who_may_see_it(world):
    url = f"/orders/entry/customers/{world.customer.pk}/"

    for_sales = client_for(world.sales).get(url).content.decode()
    for_manager = client_for(world.manager).get(url).content.decode()

    assert "data-credit-limit" not in for_sales
    assert "Credit limit" in for_manager
    assert "1,000,000.00" in for_manager
    assert 'name="contact_id"' in for_sales
    assert "entry-customer-defaults" in for_sales


def test_customer_panel_of_a_hidden_customer_is_not_found(world):
    stranger = make_customer(user("other_sales", "sales"))

    response = client_for(world.sales).get(f"/orders/entry/customers/{stranger.pk}/")

    assert response.status_code == 404


def test_product_lookup_shows_the_customers_price_and_availability(world):
    response = client_for(world.sales).get(
        "/orders/entry/product-lookup/",
        {"q": world.products[0].sku, "customer_id": world.customer.pk},
    )

    html = response.content.decode()
    assert world.products[0].sku in html
    assert "¥113.00" in html
    assert "100 台 available" in html


def test_product_lookup_without_a_price_says_so(world):
    Product.objects.create(
        sku="OM-NOPRICE",
        name="闸阀",
        category=world.products[0].category,
        unit="台",
        tax_rate=Decimal("0.13"),
    )

    response = client_for(world.sales).get(
        "/orders/entry/product-lookup/", {"q": "OM-", "customer_id": world.customer.pk}
    )

    html = response.content.decode()
    assert "has no price" in html
    assert html.count("¥113.00") == 3


def test_without_javascript_find_pick_and_recalculate_post_the_form(world):
    client = client_for(world.sales)
    data = form_data(world, [{"sku": world.products[0].sku, "quantity": "3"}], customer_id="")

    found = client.post(NEW, {**data, "action": "find_customer", "customer_q": "杭州"})
    picked = client.post(NEW, {**data, "customer_pick": str(world.customer.pk)})
    recalculated = client.post(NEW, {**data, "customer_id": world.customer.pk, "action": "quote"})

    assert f'name="customer_pick" value="{world.customer.pk}"' in found.content.decode()
    assert f'name="customer_id" value="{world.customer.pk}"' in picked.content.decode()
    assert "339.00" in cell(picked.content.decode(), "line-0-total")
    assert "339.00" in cell(recalculated.content.decode(), "line-0-total")
    assert not Order.objects.exists()


def test_editing_a_returned_order_shows_the_reason_and_saved_lines(world):
    order = make_order(world, lines=[{"sku": world.products[0].sku, "quantity": "2"}])
    services.submit(order, by=world.sales)
    services.decide(order, "sales", approve=False, by=world.manager, comment="价格需重新确认")

    response = client_for(world.sales).get(f"/orders/{order.pk}/edit/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "价格需重新确认" in html
    assert f'value="{world.products[0].sku}"' in html
    assert "226.00" in cell(html, "line-0-total")
    assert "Nothing missing" in html

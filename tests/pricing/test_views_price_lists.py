"""Price list pages: the list with filters, the form, the editor of prices, the product panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orderdesk.core import audit
from orderdesk.pricing.models import PriceList, PriceListItem

LIST = reverse("pricing:list")
CREATE = reverse("pricing:create")


def logged_in(client, user):
    client.force_login(user)
    return client


def list_data(**overrides):
    return {
        "code": "std-next",
        "name": "标准价 下一期",
        "kind": "standard",
        "grade": "",
        "customer": "",
        "valid_from": "2030-01-01",
        "valid_until": "",
        "prices_include_tax": "on",
        "active": "on",
        **overrides,
    }


@pytest.fixture
def portal1(make_user):
    return make_user("portal1", "customer")


@pytest.fixture
def product(make_product):
    return make_product(sku="BV-100", name="不锈钢球阀")


# --- the list ---------------------------------------------------------------------------------


def test_list_shows_each_list_with_scope_and_number_of_prices(
    client, sales1, make_list, make_product, customer, django_assert_max_num_queries
):
    first, second = make_product(), make_product()
    make_list("std-2026", {first: "113.00", second: "226.00"})
    make_list("grade-a", kind="grade", grade="A")
    make_list("vip-1", kind="customer", customer=customer)
    logged_in(client, sales1)

    with django_assert_max_num_queries(8):
        response = client.get(LIST)

    content = response.content.decode()
    assert response.status_code == 200
    assert [pl.code for pl in response.context["price_lists"]] == ["std-2026", "grade-a", "vip-1"]
    assert response.context["price_lists"][0].item_count == 2
    assert "Grade A" in content
    assert customer.code in content
    assert "New price list" not in content


def test_list_filters_by_scope_and_valid_today(client, pricer, make_list):
    today = timezone.localdate()
    make_list(
        "std-now",
        valid_from=today - dt.timedelta(days=30),
        valid_until=today + dt.timedelta(days=29),
    )
    make_list("std-later", valid_from=today + dt.timedelta(days=30))
    make_list("grade-b", kind="grade", grade="B", valid_from=today)
    logged_in(client, pricer)

    by_scope = client.get(LIST, {"kind": "standard"}).context["price_lists"]
    valid_today = client.get(LIST, {"valid_today": "on"}).context["price_lists"]

    assert {pl.code for pl in by_scope} == {"std-now", "std-later"}
    assert {pl.code for pl in valid_today} == {"std-now", "grade-b"}


def test_empty_list_invites_managers_to_create_the_first(client, pricer):
    content = logged_in(client, pricer).get(LIST).content.decode()

    assert "No price lists yet" in content
    assert CREATE in content


def test_portal_accounts_get_403(client, portal1, make_list):
    price_list = make_list("std-2026")
    logged_in(client, portal1)

    assert client.get(LIST).status_code == 403
    assert client.get(reverse("pricing:detail", args=[price_list.pk])).status_code == 403


def test_missing_price_list_is_404(client, sales1):
    assert logged_in(client, sales1).get(reverse("pricing:detail", args=[999])).status_code == 404


# --- create and edit --------------------------------------------------------------------------


def test_create_opens_the_list_and_goes_to_its_page(client, pricer):
    response = logged_in(client, pricer).post(CREATE, list_data())

    price_list = PriceList.objects.get(code="std-next")
    assert response.status_code == 302
    assert response.url == reverse("pricing:detail", args=[price_list.pk])
    assert price_list.valid_from == dt.date(2030, 1, 1)
    assert price_list.prices_include_tax
    assert audit.entries_for(price_list).filter(action="create").exists()


def test_create_for_a_customer_by_code(client, pricer, customer):
    logged_in(client, pricer).post(
        CREATE, list_data(code="vip", kind="customer", customer=customer.code.lower())
    )

    assert PriceList.objects.get(code="vip").customer == customer


def test_overlapping_dates_are_shown_on_the_form_and_nothing_is_written(client, pricer, make_list):
    make_list("std-2026", valid_from=dt.date(2026, 1, 1))

    response = logged_in(client, pricer).post(CREATE, list_data(valid_from="2026-06-01"))

    form = response.context["form"]
    assert response.status_code == 200
    assert "Overlaps price list std-2026." in form.errors["valid_from"]
    assert any("std-2026" in error for error in form.non_field_errors())
    assert not PriceList.objects.filter(code="std-next").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "grade"}, "grade"),
        ({"kind": "customer", "customer": "NO-SUCH-CODE"}, "customer"),
        ({"valid_from": "2030-02-01", "valid_until": "2030-01-01"}, "valid_until"),
        ({"valid_from": "not a date"}, "valid_from"),
    ],
)
def test_bad_input_is_shown_on_its_field(client, pricer, overrides, field):
    response = logged_in(client, pricer).post(CREATE, list_data(**overrides))

    assert field in response.context["form"].errors
    assert not PriceList.objects.exists()


def test_edit_changes_the_list_and_records_it(client, pricer, make_list):
    price_list = make_list("std-2026")
    url = reverse("pricing:edit", args=[price_list.pk])
    logged_in(client, pricer)
    initial = client.get(url).context["form"].initial

    response = client.post(
        url, list_data(code="std-2026", name="2026 标准价", valid_from="2026-01-01")
    )

    price_list.refresh_from_db()
    assert initial["code"] == "std-2026"
    assert response.status_code == 302
    assert price_list.name == "2026 标准价"
    assert audit.entries_for(price_list).filter(action="update").exists()


# --- the editor -------------------------------------------------------------------------------


def test_page_shows_prices_with_and_without_vat_floors_and_history(
    client, pricer, make_list, product
):
    price_list = make_list(
        "std-2026", {product: {"unit_price": Decimal("113.00"), "floor_price": Decimal("90")}}
    )

    response = logged_in(client, pricer).get(reverse("pricing:detail", args=[price_list.pk]))

    content = response.content.decode()
    [line] = response.context["lines"]
    assert (line.net, line.gross) == (Decimal("100.00"), Decimal("113.00"))
    assert "BV-100" in content
    assert "不锈钢球阀" in content
    assert "90.00" in content
    assert "set_price" in content  # the history
    assert reverse("pricing:set_price", args=[price_list.pk]) in content


def test_sales_see_prices_but_neither_floors_nor_the_form(client, sales1, make_list, product):
    price_list = make_list(
        "std-2026", {product: {"unit_price": Decimal("113.00"), "floor_price": Decimal("90")}}
    )

    response = logged_in(client, sales1).get(reverse("pricing:detail", args=[price_list.pk]))

    content = response.content.decode()
    assert "113.00" in content
    assert "90.00" not in content
    assert response.context["form"] is None


def test_change_link_fills_the_form_with_that_price(client, pricer, make_list, product):
    price_list = make_list("std-2026", {product: "113.00"})
    item = PriceListItem.objects.get(price_list=price_list)

    response = logged_in(client, pricer).get(
        reverse("pricing:detail", args=[price_list.pk]), {"item": item.pk}
    )

    initial = response.context["form"].initial
    assert initial["product"] == "BV-100"
    assert initial["unit_price"] == Decimal("113.00")


def test_add_a_price_then_change_it(client, pricer, make_list, product):
    price_list = make_list("std-2026")
    url = reverse("pricing:set_price", args=[price_list.pk])
    logged_in(client, pricer)

    added = client.post(url, {"product": "bv-100", "min_quantity": "10", "unit_price": "100"})
    changed = client.post(
        url,
        {"product": "BV-100", "min_quantity": "10.000", "unit_price": "99", "floor_price": "80"},
    )

    item = PriceListItem.objects.get(price_list=price_list, product=product)
    assert added.status_code == changed.status_code == 302
    assert (item.min_quantity, item.unit_price, item.floor_price) == (10, 99, 80)
    assert audit.entries_for(price_list).filter(action="set_price").count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"product": "NOPE-1", "unit_price": "10"}, "product"),
        ({"product": "BV-100", "unit_price": "10", "floor_price": "12"}, "floor_price"),
        ({"product": "BV-100", "unit_price": "10", "min_quantity": "0"}, "min_quantity"),
        ({"product": "BV-100", "unit_price": "10", "min_quantity": "-2"}, "min_quantity"),
        ({"product": "BV-100", "unit_price": "-1"}, "unit_price"),
        ({"product": "BV-100", "unit_price": "abc"}, "unit_price"),
    ],
)
def test_refused_price_is_shown_on_the_form_and_nothing_is_written(
    client, pricer, make_list, product, data, field
):
    price_list = make_list("std-2026")

    response = logged_in(client, pricer).post(
        reverse("pricing:set_price", args=[price_list.pk]), {"min_quantity": "1", **data}
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not PriceListItem.objects.exists()
    assert not audit.entries_for(price_list).filter(action="set_price").exists()


def test_inactive_product_is_refused_on_the_sku_field(client, pricer, make_list, make_product):
    make_product(sku="OLD-1", is_active=False)
    price_list = make_list("std-2026")

    response = logged_in(client, pricer).post(
        reverse("pricing:set_price", args=[price_list.pk]),
        {"product": "OLD-1", "min_quantity": "1", "unit_price": "10"},
    )

    assert "no longer sold" in " ".join(response.context["form"].errors["product"])


def test_with_htmx_a_refused_price_renders_only_the_editor(client, pricer, make_list, product):
    price_list = make_list("std-2026")

    response = logged_in(client, pricer).post(
        reverse("pricing:set_price", args=[price_list.pk]),
        {"product": "BV-100", "min_quantity": "1", "unit_price": "10", "floor_price": "12"},
        headers={"HX-Request": "true"},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<section id="price-items"')
    assert "The minimum price must not exceed the price." in content


def test_remove_asks_first_then_removes_and_records(client, pricer, make_list, product):
    price_list = make_list("std-2026", {product: "113.00"})
    item = PriceListItem.objects.get(price_list=price_list)
    url = reverse("pricing:remove_price", args=[price_list.pk, item.pk])
    logged_in(client, pricer)

    question = client.get(url)
    assert PriceListItem.objects.filter(pk=item.pk).exists()
    removed = client.post(url, headers={"HX-Request": "true"})

    assert "Remove the price of BV-100" in question.content.decode()
    assert removed.status_code == 200
    assert removed.headers["HX-Redirect"] == reverse("pricing:detail", args=[price_list.pk])
    assert not PriceListItem.objects.filter(pk=item.pk).exists()
    assert audit.entries_for(price_list).filter(action="remove_price").exists()


def test_sales_get_403_on_every_write(client, sales1, make_list, product):
    price_list = make_list("std-2026", {product: "113.00"})
    item = PriceListItem.objects.get(price_list=price_list)
    logged_in(client, sales1)

    refused = [
        client.get(CREATE),
        client.post(CREATE, list_data()),
        client.post(reverse("pricing:edit", args=[price_list.pk]), list_data()),
        client.post(
            reverse("pricing:set_price", args=[price_list.pk]),
            {"product": "BV-100", "min_quantity": "1", "unit_price": "1"},
        ),
        client.post(reverse("pricing:remove_price", args=[price_list.pk, item.pk])),
    ]

    assert [response.status_code for response in refused] == [403] * 5
    assert PriceList.objects.count() == 1
    assert PriceListItem.objects.get(pk=item.pk).unit_price == Decimal("113.00")


# --- the product page panel and navigation ----------------------------------------------------


def test_product_page_shows_its_prices_in_the_lists_valid_today(
    client, sales1, pricer, make_list, product
):
    today = timezone.localdate()
    make_list(
        "std-now",
        {product: {"unit_price": Decimal("113.00"), "floor_price": Decimal("95.50")}},
        valid_from=today - dt.timedelta(days=1),
        valid_until=today + dt.timedelta(days=9),
    )
    make_list("std-next", {product: "120.00"}, valid_from=today + dt.timedelta(days=10))
    url = reverse("catalog:detail", args=[product.pk])

    for_sales = logged_in(client, sales1).get(url).content.decode()
    for_pricer = logged_in(client, pricer).get(url).content.decode()

    assert "std-now" in for_sales
    assert "113.00" in for_sales
    assert "std-next" not in for_sales
    assert "95.50" not in for_sales
    assert "95.50" in for_pricer


def test_navigation_offers_prices_to_staff_and_new_list_to_managers(client, sales1, pricer):
    for_sales = logged_in(client, sales1).get(reverse("catalog:list")).content.decode()
    for_pricer = logged_in(client, pricer).get(reverse("catalog:list")).content.decode()

    assert LIST in for_sales
    assert reverse("pricing:promotions") in for_sales
    assert CREATE not in for_sales
    assert CREATE in for_pricer


def test_a_code_in_use_is_refused_on_the_code_field(client, pricer, make_list):
    make_list("std-2026", kind="grade", grade="A")

    response = logged_in(client, pricer).post(CREATE, list_data(code="std-2026"))

    assert "code" in response.context["form"].errors
    assert PriceList.objects.count() == 1

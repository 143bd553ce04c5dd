"""Promotion pages: the list with filters, the form with its targets, the promotion page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orderdesk.core import audit
from orderdesk.pricing.models import Promotion

LIST = reverse("pricing:promotions")
CREATE = reverse("pricing:promotion_create")


def logged_in(client, user):
    client.force_login(user)
    return client


def promotion_data(**overrides):
    return {
        "code": "summer",
        "name": "夏季促销",
        "kind": "percent",
        "percent_off": "5",
        "valid_from": "2030-06-01",
        "valid_until": "2030-08-31",
        "active": "on",
        **overrides,
    }


def test_list_shows_what_each_promotion_gives_and_filters_by_kind(
    client, sales1, make_promotion, django_assert_max_num_queries
):
    make_promotion("p10", "percent", percent_off=Decimal("10"))
    make_promotion(
        "spend", "spend_threshold", threshold_amount=Decimal("1000"), amount_off=Decimal("100")
    )
    logged_in(client, sales1)

    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    by_kind = client.get(LIST, {"kind": "spend_threshold"})

    content = response.content.decode()
    assert "10 % off" in content
    assert "¥100.00 off an order from ¥1,000.00" in content
    assert "New promotion" not in content
    assert [promotion.code for promotion, _ in by_kind.context["rows"]] == ["spend"]


def test_valid_today_filter_leaves_out_ended_promotions(client, sales1, make_promotion):
    today = timezone.localdate()
    make_promotion("now", "percent", percent_off=Decimal("5"), valid_from=today)
    make_promotion(
        "old",
        "percent",
        percent_off=Decimal("5"),
        valid_from=today - dt.timedelta(days=60),
        valid_until=today - dt.timedelta(days=30),
    )

    response = logged_in(client, sales1).get(LIST, {"valid_today": "on"})

    assert [promotion.code for promotion, _ in response.context["rows"]] == ["now"]


def test_empty_list_invites_managers(client, pricer):
    content = logged_in(client, pricer).get(LIST).content.decode()

    assert "No promotions yet" in content
    assert CREATE in content


def test_create_with_targets_makes_the_promotion(client, pricer, make_product, category, customer):
    first, second = make_product(sku="BV-1"), make_product(sku="BV-2")

    response = logged_in(client, pricer).post(
        CREATE,
        promotion_data(
            products="bv-1, BV-2\nBV-1",
            categories=[category.pk],
            customers=customer.code,
            grades=["B", "A"],
            stackable="on",
        ),
    )

    promotion = Promotion.objects.get(code="summer")
    assert response.status_code == 302
    assert response.url == reverse("pricing:promotion", args=[promotion.pk])
    assert set(promotion.products.all()) == {first, second}
    assert list(promotion.categories.all()) == [category]
    assert list(promotion.customers.all()) == [customer]
    assert promotion.grades == ["A", "B"]
    assert promotion.stackable
    assert audit.entries_for(promotion).filter(action="create").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"valid_from": "2030-06-01", "valid_until": "2030-05-01"}, "valid_until"),
        ({"percent_off": ""}, "percent_off"),
        ({"percent_off": "150"}, "percent_off"),
        ({"kind": "spend_threshold", "amount_off": "50"}, "threshold_amount"),
        ({"kind": "quantity_break", "min_quantity": "0"}, "min_quantity"),
        ({"products": "BV-404"}, "products"),
        ({"customers": "NO-SUCH"}, "customers"),
        ({"kind": "nonsense"}, "kind"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_written(client, pricer, overrides, field):
    response = logged_in(client, pricer).post(CREATE, promotion_data(**overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Promotion.objects.exists()


def test_edit_changes_the_promotion_and_records_it(client, pricer, make_promotion, make_product):
    make_product(sku="BV-7")
    promotion = make_promotion("summer", "percent", percent_off=Decimal("5"))
    url = reverse("pricing:promotion_edit", args=[promotion.pk])
    logged_in(client, pricer)
    initial = client.get(url).context["form"].initial

    response = client.post(
        url, promotion_data(percent_off="8", valid_from="2026-01-01", products="BV-7")
    )

    promotion.refresh_from_db()
    assert initial["percent_off"] == Decimal("5")
    assert response.status_code == 302
    assert promotion.percent_off == Decimal("8")
    assert [product.sku for product in promotion.products.all()] == ["BV-7"]
    assert audit.entries_for(promotion).filter(action="update").exists()


def test_edit_with_end_before_start_keeps_the_promotion(client, pricer, make_promotion):
    promotion = make_promotion("summer", "percent", percent_off=Decimal("5"))

    response = logged_in(client, pricer).post(
        reverse("pricing:promotion_edit", args=[promotion.pk]),
        promotion_data(valid_from="2030-06-01", valid_until="2030-01-01"),
    )

    promotion.refresh_from_db()
    assert "valid_until" in response.context["form"].errors
    assert promotion.valid_until is None
    assert promotion.percent_off == Decimal("5")


def test_promotion_page_shows_targets_and_history(
    client, sales1, make_promotion, make_product, category
):
    product = make_product(sku="BV-9")
    promotion = make_promotion(
        "bulk",
        "quantity_break",
        percent_off=Decimal("3"),
        min_quantity=Decimal("50"),
        products=[product],
        categories=[category],
        grades=["A"],
    )

    response = logged_in(client, sales1).get(reverse("pricing:promotion", args=[promotion.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "3 % off from a quantity of 50" in content
    assert "BV-9" in content
    assert category.name in content
    assert "History" in content
    assert reverse("pricing:promotion_edit", args=[promotion.pk]) not in content


def test_sales_get_403_on_create_and_edit(client, sales1, make_promotion):
    promotion = make_promotion("summer", "percent", percent_off=Decimal("5"))
    edit = reverse("pricing:promotion_edit", args=[promotion.pk])
    logged_in(client, sales1)

    refused = [
        client.get(CREATE),
        client.post(CREATE, promotion_data(code="other")),
        client.get(edit),
        client.post(edit, promotion_data(percent_off="50")),
    ]

    assert [response.status_code for response in refused] == [403] * 4
    assert Promotion.objects.get().percent_off == Decimal("5")


def test_missing_promotion_is_404(client, sales1):
    assert logged_in(client, sales1).get(reverse("pricing:promotion", args=[9])).status_code == 404

"""The pricing REST API: /api/v1/price-lists, /api/v1/promotions and /api/v1/pricing/quote,
through the real URLs, authentication and error handlers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orderdesk.core.models import AuditEntry
from orderdesk.pricing.models import PriceList, PriceListItem, Promotion
from tests.factories.accounts import bearer

from .conftest import DAY


def send(client: Any, method: str, url: str, user: Any, body: Any = None) -> Any:
    call = getattr(client, method)
    if body is None:
        return call(url, headers=bearer(user))
    return call(url, body, content_type="application/json", headers=bearer(user))


def list_body(**overrides: Any) -> dict[str, Any]:
    return {"code": "std-2026", "name": "2026 标准价", "valid_from": "2026-01-01", **overrides}


# --- price lists ------------------------------------------------------------------------------


def test_create_price_list_returns_201_and_is_audited(client, pricer):
    response = send(client, "post", "/api/v1/price-lists", pricer, list_body())

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["code"] == "std-2026"
    assert data["kind"] == "standard"
    assert data["items"] == []
    assert AuditEntry.objects.filter(action="create", object_id=str(data["id"])).exists()


def test_sales_cannot_create_a_price_list(client, sales1):
    response = send(client, "post", "/api/v1/price-lists", sales1, list_body())

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not PriceList.objects.exists()


def test_overlapping_price_list_is_refused_naming_the_field(client, pricer, make_list):
    make_list("std-old", valid_until=dt.date(2026, 12, 31))

    response = send(client, "post", "/api/v1/price-lists", pricer, list_body(code="std-new"))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "price_list_overlap"
    assert "valid_from" in error["fields"]
    assert not PriceList.objects.filter(code="std-new").exists()


def test_price_list_end_before_start_is_refused(client, pricer):
    body = list_body(valid_until="2025-12-31")

    response = send(client, "post", "/api/v1/price-lists", pricer, body)

    assert response.status_code == 422
    assert "valid_until" in response.json()["error"]["fields"]


def test_list_get_and_patch_a_price_list(client, pricer, sales1, make_list):
    price_list = make_list("std")

    listed = send(client, "get", "/api/v1/price-lists", sales1)
    assert listed.status_code == 200
    assert [item["code"] for item in listed.json()["items"]] == ["std"]

    url = f"/api/v1/price-lists/{price_list.pk}"
    changed = send(client, "patch", url, pricer, {"name": "标准价 2026", "valid_until": None})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["name"] == "标准价 2026"
    assert send(client, "get", url, sales1).json()["name"] == "标准价 2026"
    assert send(client, "get", "/api/v1/price-lists/999999", sales1).status_code == 404


def test_set_and_remove_a_price_by_sku(client, pricer, make_list, make_product):
    price_list = make_list("std")
    product = make_product()
    url = f"/api/v1/price-lists/{price_list.pk}/items/{product.sku}"

    response = send(client, "put", url, pricer, {"unit_price": "120.00", "floor_price": "100"})

    assert response.status_code == 200, response.json()
    [item] = response.json()["items"]
    assert (item["sku"], item["unit_price"], item["floor_price"]) == (
        product.sku,
        "120.00",
        "100.00",
    )

    missing = send(client, "delete", f"{url}?min_quantity=10", pricer)
    removed = send(client, "delete", url, pricer)
    assert missing.status_code == 404
    assert removed.status_code == 204
    assert not PriceListItem.objects.exists()


def test_price_for_unknown_sku_and_floor_above_price_are_refused(
    client, pricer, make_list, make_product
):
    price_list = make_list("std")
    product = make_product()
    base = f"/api/v1/price-lists/{price_list.pk}/items"

    unknown = send(client, "put", f"{base}/NO-SUCH", pricer, {"unit_price": "10"})
    floor = send(
        client, "put", f"{base}/{product.pk}", pricer, {"unit_price": "10", "floor_price": "20"}
    )

    assert unknown.status_code == 422
    assert "product" in unknown.json()["error"]["fields"]
    assert floor.status_code == 422
    assert "floor_price" in floor.json()["error"]["fields"]
    assert not PriceListItem.objects.exists()


# --- promotions -------------------------------------------------------------------------------


def promotion_body(**overrides: Any) -> dict[str, Any]:
    return {
        "code": "spring",
        "name": "春季促销",
        "kind": "percent",
        "percent_off": "5",
        "valid_from": "2026-03-01",
        "valid_until": "2026-05-31",
        **overrides,
    }


def test_create_get_and_patch_a_promotion(client, pricer, sales1, make_product):
    product = make_product()

    created = send(
        client, "post", "/api/v1/promotions", pricer, promotion_body(products=[product.sku])
    )

    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["percent_off"], data["products"]) == ("5.00", [product.sku])
    url = f"/api/v1/promotions/{data['id']}"
    changed = send(client, "patch", url, pricer, {"percent_off": "8", "stackable": True})
    assert changed.status_code == 200, changed.json()
    assert send(client, "get", url, sales1).json()["percent_off"] == "8.00"
    listed = send(client, "get", "/api/v1/promotions?on=2026-04-01", sales1).json()
    assert [item["code"] for item in listed["items"]] == ["spring"]


def test_promotion_ending_before_it_starts_is_refused(client, pricer):
    body = promotion_body(valid_until="2026-02-01")

    response = send(client, "post", "/api/v1/promotions", pricer, body)

    assert response.status_code == 422
    assert "valid_until" in response.json()["error"]["fields"]
    assert not Promotion.objects.exists()


def test_promotion_with_unknown_product_names_it(client, pricer):
    response = send(
        client, "post", "/api/v1/promotions", pricer, promotion_body(products=["NO-SUCH"])
    )

    assert response.status_code == 422
    assert "products" in response.json()["error"]["fields"]


def test_sales_cannot_create_a_promotion(client, sales1):
    response = send(client, "post", "/api/v1/promotions", sales1, promotion_body())

    assert response.status_code == 403
    assert not Promotion.objects.exists()


# --- quote ------------------------------------------------------------------------------------


QUOTE = "/api/v1/pricing/quote"


@pytest.fixture
def priced(make_list, make_product, make_promotion):
    a, b = make_product(), make_product(tax_rate="0.09")
    make_list("std", {a: {"unit_price": "113.00", "floor_price": "100"}, b: "50"})
    make_promotion("pct5", "percent", percent_off="5", products=[a])
    return a, b


def test_quote_prices_lines_with_promotions_tax_and_totals(client, sales1, customer, priced):
    a, b = priced
    body = {
        "customer": customer.pk,
        "on": DAY.isoformat(),
        "lines": [{"product": a.sku, "quantity": "2"}, {"product": b.pk, "quantity": 3}],
    }

    response = send(client, "post", QUOTE, sales1, body)

    assert response.status_code == 200, response.json()
    data = response.json()
    first, second = data["lines"]
    assert (first["list_price"], first["promotions"]) == ("113.00", ["pct5"])
    assert Decimal(first["net_unit_price"]) == Decimal("107.35")
    assert first["gross"] == "214.70"
    assert second["gross"] == "150.00"
    assert first["approval"] is None
    assert data["gross"] == "364.70"
    assert Decimal(data["net"]) == sum(Decimal(line["net"]) for line in data["lines"])
    assert Decimal(data["net"]) + Decimal(data["tax"]) == Decimal(data["gross"])
    assert data["approval"] is None


def test_quote_below_floor_needs_the_general_manager(client, sales1, customer, priced):
    a, _b = priced
    body = {
        "customer": customer.pk,
        "on": DAY.isoformat(),
        "lines": [{"product": a.sku, "quantity": 1, "unit_price": "90"}],
    }

    data = send(client, "post", QUOTE, sales1, body).json()

    assert data["lines"][0]["approval"]["needed_role"] == "general_manager"
    assert data["approval"]["reason"] == "below_floor"


def test_quote_names_zero_quantity_and_unknown_sku(client, sales1, customer, priced):
    a, _b = priced
    body = {
        "customer": customer.pk,
        "on": DAY.isoformat(),
        "lines": [{"product": a.sku, "quantity": 0}, {"product": "NO-SUCH", "quantity": 1}],
    }

    response = send(client, "post", QUOTE, sales1, body)

    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert "lines.0.quantity" in fields
    assert "lines.1.product" in fields


def test_quote_writes_nothing(client, sales1, customer, priced):
    a, _b = priced
    body = {
        "customer": customer.pk,
        "on": DAY.isoformat(),
        "lines": [{"product": a.sku, "quantity": 5, "discount_percent": "20"}],
    }
    bearer(sales1)
    audits = AuditEntry.objects.count()

    with CaptureQueriesContext(connection) as queries:
        response = send(client, "post", QUOTE, sales1, body)

    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "token" not in q["sql"].lower()
    ]
    assert writes == []
    assert AuditEntry.objects.count() == audits


def test_quote_for_a_customer_the_caller_cannot_see_is_404(client, make_user, customer, priced):
    other = make_user("sales_other", "sales")
    a, _b = priced
    body = {"customer": customer.pk, "lines": [{"product": a.sku, "quantity": 1}]}

    response = send(client, "post", QUOTE, other, body)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "customer_not_found"

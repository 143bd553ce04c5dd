"""The product REST API at /api/v1/products: codes, error bodies naming fields, 404s and
query counts, through the real URLs and error handlers."""

from __future__ import annotations

from typing import Any

import pytest

from orderdesk.catalog.models import Product
from orderdesk.core.models import AuditEntry
from tests.factories.accounts import bearer
from tests.factories.catalog import make_category, make_product

URL = "/api/v1/products"


def send(client: Any, method: str, url: str, user: Any, body: Any = None) -> Any:
    call = getattr(client, method)
    if body is None:
        return call(url, headers=bearer(user))
    return call(url, body, content_type="application/json", headers=bearer(user))


@pytest.fixture
def category(db):
    return make_category(code="pumps", name="泵")


def new_body(**overrides: Any) -> dict[str, Any]:
    return {
        "sku": "pu-1",
        "name": "离心泵",
        "spec": "50m3/h",
        "model_number": "IS50",
        "category": "pumps",
        "unit": "台",
        "tax_rate": "0.13",
        "lead_time_days": 10,
        "sales_kind": "custom",
        "supply": "make_to_order",
        **overrides,
    }


def test_create_returns_201_with_the_product(client, production1, category):
    response = send(client, "post", URL, production1, new_body())

    assert response.status_code == 201
    data = response.json()
    assert data["sku"] == "PU-1"
    assert data["category"] == {"id": category.pk, "code": "pumps", "name": "泵"}
    assert data["tax_rate"] == "0.13"
    assert data["orderable"] is True
    assert data["can_edit"] is True
    assert [entry["action"] for entry in data["history"]] == ["create_product"]
    assert Product.objects.get(pk=data["id"]).supply == "make_to_order"


def test_create_with_bad_fields_answers_422_naming_each(client, production1, category):
    body = new_body(sku="bad sku", unit="", tax_rate="0.2", lead_time_days=-3, name="<i>x</i>")

    response = send(client, "post", URL, production1, body)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_product"
    assert set(error["fields"]) == {"sku", "unit", "tax_rate", "lead_time_days", "name"}
    assert not Product.objects.exists()


def test_a_malformed_body_answers_422_invalid_input(client, production1, category):
    response = send(client, "post", URL, production1, new_body(lead_time_days="soon"))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    assert "lead_time_days" in response.json()["error"]["fields"]


def test_a_duplicate_sku_answers_409(client, production1, category):
    make_product(by=production1, sku="PU-1", category=category)

    response = send(client, "post", URL, production1, new_body(sku="pu-1"))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_sku"
    assert "sku" in response.json()["error"]["fields"]


def test_sales_may_not_create_products(client, sales1, category):
    response = send(client, "post", URL, sales1, new_body())

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_list_searches_and_pages_within_a_query_budget(
    client, sales1, category, django_assert_max_num_queries
):
    for serial in range(12):
        make_product(sku=f"PU-{serial:03d}", category=category)
    make_product(sku="VA-1", name="球阀")
    bearer(sales1)

    with django_assert_max_num_queries(8):
        response = send(client, "get", f"{URL}?q=pu-&limit=5&offset=10", sales1)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 12
    assert [item["sku"] for item in data["items"]] == ["PU-010", "PU-011"]
    assert send(client, "get", f"{URL}?q=qf", sales1).json()["count"] == 1


def test_list_filters_by_active_and_category(client, sales1, category):
    make_product(sku="PU-1", category=category)
    make_product(sku="PU-2", category=category, is_active=False)
    make_product(sku="VA-1")

    data = send(client, "get", f"{URL}?category=pumps&active=true", sales1).json()

    assert [item["sku"] for item in data["items"]] == ["PU-1"]


def test_get_answers_404_for_a_missing_product_and_for_portal_accounts(
    client, sales1, portal1, category
):
    product = make_product(category=category)

    assert send(client, "get", f"{URL}/{product.pk}", sales1).status_code == 200
    missing = send(client, "get", f"{URL}/{product.pk + 1000}", sales1)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "product_not_found"
    assert send(client, "get", f"{URL}/{product.pk}", portal1).status_code == 404


def test_patch_changes_only_the_fields_sent_with_a_reason(client, production1, category):
    product = make_product(category=category, unit="台", lead_time_days=5)

    response = send(
        client,
        "patch",
        f"{URL}/{product.pk}",
        production1,
        {"lead_time_days": 20, "reason": "供应商交期延长"},
    )

    assert response.status_code == 200
    assert response.json()["lead_time_days"] == 20
    assert response.json()["unit"] == "台"
    entry = AuditEntry.objects.get(action="update_product")
    assert entry.reason == "供应商交期延长"
    assert entry.changes == {"lead_time_days": [5, 20]}


def test_patch_without_reason_answers_422_naming_reason(client, production1, category):
    product = make_product(category=category)

    response = send(client, "patch", f"{URL}/{product.pk}", production1, {"unit": "件"})

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"reason": "A reason is required."}


def test_patch_by_sales_answers_403_and_a_missing_product_404(client, sales1, category):
    product = make_product(category=category)

    refused = send(client, "patch", f"{URL}/{product.pk}", sales1, {"unit": "件", "reason": "x"})
    missing = send(client, "patch", f"{URL}/999999", sales1, {"unit": "件", "reason": "x"})

    assert refused.status_code == 403
    assert missing.status_code == 404
    assert Product.objects.get(pk=product.pk).unit == "台"

"""The stock REST API: /api/v1/warehouses and /api/v1/stock, through the real URLs,
authentication and error handlers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from orderdesk.inventory import services
from orderdesk.inventory.models import StockLevel, StockMovement, Warehouse
from tests.factories.accounts import bearer


def send(client: Any, method: str, url: str, user: Any, body: Any = None) -> Any:
    call = getattr(client, method)
    if body is None:
        return call(url, headers=bearer(user))
    return call(url, body, content_type="application/json", headers=bearer(user))


# --- warehouses -------------------------------------------------------------------------------


def test_create_and_list_warehouses(client, keeper, seller):
    created = send(
        client,
        "post",
        "/api/v1/warehouses",
        keeper,
        {"code": "BJ01", "name": "北京仓", "city": "北京市"},
    )

    assert created.status_code == 201, created.json()
    assert created.json()["code"] == "BJ01"
    listed = send(client, "get", "/api/v1/warehouses", seller)
    assert [w["code"] for w in listed.json()] == ["BJ01"]


def test_duplicate_warehouse_code_and_missing_name_are_named(client, keeper, main_wh):
    response = send(client, "post", "/api/v1/warehouses", keeper, {"code": main_wh.code})

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"code", "name"}


def test_sales_cannot_open_a_warehouse(client, seller):
    response = send(client, "post", "/api/v1/warehouses", seller, {"code": "X1", "name": "X"})

    assert response.status_code == 403
    assert not Warehouse.objects.exists()


# --- receipts and availability ----------------------------------------------------------------


def test_receipt_then_availability_per_warehouse(
    client, keeper, seller, product, main_wh, second_wh
):
    body = {"product": product.sku, "warehouse": main_wh.code, "quantity": "12.5"}

    received = send(client, "post", "/api/v1/stock/receipts", keeper, body)

    assert received.status_code == 201, received.json()
    assert received.json()["on_hand"] == "12.500"
    services.reserve(product, 2, reference="order-line:1", by=seller, warehouse=main_wh)
    response = send(client, "get", f"/api/v1/stock?product={product.sku}", seller)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["total"]["available"] == "10.500"
    by_code = {row["warehouse"]: row for row in data["warehouses"]}
    assert by_code[main_wh.code]["reserved"] == "2.000"
    assert by_code[second_wh.code]["on_hand"] == "0.000"
    assert by_code[second_wh.code]["restock_on"]
    one = send(
        client, "get", f"/api/v1/stock?product={product.pk}&warehouse={main_wh.code}", seller
    ).json()
    assert [row["warehouse"] for row in one["warehouses"]] == [main_wh.code]


def test_availability_shows_the_open_purchase_request_date(client, keeper, product, main_wh):
    services.create_purchase_request(
        product, main_wh, 10, expected_on=dt.date(2030, 1, 15), by=keeper
    )

    data = send(client, "get", f"/api/v1/stock?product={product.sku}", keeper).json()

    assert data["total"]["restock_on"] == "2030-01-15"


def test_unknown_product_is_404_in_availability(client, keeper):
    response = send(client, "get", "/api/v1/stock?product=NO-SUCH", keeper)

    assert response.status_code == 404


def test_zero_quantity_and_unknown_sku_are_named_and_nothing_written(client, keeper, main_wh):
    body = {"product": "NO-SUCH", "warehouse": main_wh.code, "quantity": 0}

    response = send(client, "post", "/api/v1/stock/receipts", keeper, body)

    assert response.status_code == 422
    assert {"product", "quantity"} <= set(response.json()["error"]["fields"])
    assert not StockMovement.objects.exists()


def test_sales_cannot_receive_stock(client, seller, product, main_wh):
    body = {"product": product.sku, "warehouse": main_wh.code, "quantity": 1}

    response = send(client, "post", "/api/v1/stock/receipts", seller, body)

    assert response.status_code == 403
    assert not StockLevel.objects.exists()


# --- adjustments and low stock ----------------------------------------------------------------


def test_adjustment_needs_a_reason(client, keeper, product, main_wh):
    services.receive_stock(product, main_wh, 5, by=keeper)
    body = {"product": product.sku, "warehouse": main_wh.code, "new_on_hand": "3"}

    refused = send(client, "post", "/api/v1/stock/adjustments", keeper, body)
    done = send(client, "post", "/api/v1/stock/adjustments", keeper, {**body, "reason": "盘点差异"})

    assert refused.status_code == 422
    assert "reason" in refused.json()["error"]["fields"]
    assert done.status_code == 201, done.json()
    assert Decimal(done.json()["on_hand"]) == 3
    movement = StockMovement.objects.filter(kind="adjustment").get()
    assert movement.reason == "盘点差异"


def test_adjustment_by_delta_below_reserved_is_refused(client, keeper, seller, product, main_wh):
    services.receive_stock(product, main_wh, 5, by=keeper)
    services.reserve(product, 4, reference="order-line:9", by=seller, warehouse=main_wh)
    body = {"product": product.pk, "warehouse": main_wh.pk, "delta": "-3", "reason": "破损"}

    response = send(client, "post", "/api/v1/stock/adjustments", keeper, body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "below_reserved"


def test_low_stock_lists_levels_at_or_below_the_threshold(client, keeper, make_product, main_wh):
    scarce, plenty = make_product(), make_product()
    services.receive_stock(scarce, main_wh, 2, by=keeper)
    services.receive_stock(plenty, main_wh, 50, by=keeper)

    data = send(client, "get", "/api/v1/stock/low?threshold=5", keeper).json()

    assert [item["sku"] for item in data["items"]] == [scarce.sku]
    assert data["count"] == 1

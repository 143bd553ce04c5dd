"""/api/v1/shipments and /api/v1/orders/{id}/fulfilment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orderdesk.orders.models import OrderStatus
from orderdesk.shipping.models import Shipment
from orderdesk.shipping.services import balance_paid
from tests.factories.accounts import bearer
from tests.factories.billing import prepaid
from tests.factories.orders import make_order, make_released_order, make_world, user

from .helpers import logistics, photo, released

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def order(world):
    return make_released_order(world)


def post(client, url, data, who):
    return client.post(url, data, content_type="application/json", headers=bearer(who))


def test_create_confirm_track_deliver_through_the_api(client, world, order):
    by = logistics()
    answer = post(
        client, "/api/v1/shipments", {"order_id": order.pk, "carrier": "JD", "packages": 2}, by
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["status"] == "draft"
    assert body["carrier"] == "JD"
    assert body["packages"] == 2
    assert [(line["line_no"], line["quantity"]) for line in body["lines"]] == [
        (1, "2.000"),
        (2, "5.000"),
    ]
    shipment_id = body["id"]

    answer = post(
        client, f"/api/v1/shipments/{shipment_id}/tracking", {"tracking_number": "SF123"}, by
    )
    assert answer.status_code == 422
    assert "tracking_number" in answer.json()["error"]["fields"]
    answer = post(
        client,
        f"/api/v1/shipments/{shipment_id}/tracking",
        {"tracking_number": "jdva12345678901"},
        by,
    )
    assert answer.status_code == 200
    assert answer.json()["tracking_number"] == "JDVA12345678901"

    answer = client.post(f"/api/v1/shipments/{shipment_id}/confirm", headers=bearer(by))
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "shipped"
    assert answer.json()["order_status"] == "shipped"
    answer = client.post(f"/api/v1/shipments/{shipment_id}/confirm", headers=bearer(by))
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "shipment_not_draft"

    answer = client.get("/api/v1/shipments?in_transit=true", headers=bearer(by))
    assert answer.status_code == 200
    assert answer.json()["count"] == 1

    today = timezone.localdate().isoformat()
    early = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    answer = post(
        client,
        f"/api/v1/shipments/{shipment_id}/delivery",
        {"signer": "王", "delivered_on": early},
        world.sales,
    )
    assert answer.status_code == 422
    assert "delivered_on" in answer.json()["error"]["fields"]
    answer = client.post(
        f"/api/v1/shipments/{shipment_id}/delivery",
        {"signer": "王经理", "delivered_on": today, "proof": photo()},
        headers=bearer(world.sales),
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "delivered"
    assert answer.json()["order_status"] == "delivered"
    answer = post(
        client,
        f"/api/v1/shipments/{shipment_id}/delivery",
        {"signer": "王", "delivered_on": today},
        world.sales,
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "already_delivered"

    answer = client.get(f"/api/v1/orders/{order.pk}/fulfilment", headers=bearer(world.sales))
    assert answer.status_code == 200
    lines = answer.json()["lines"]
    assert lines[0]["ordered"] == "2.000"
    assert lines[0]["shipped"] == "2.000"
    assert lines[0]["delivered"] == "2.000"
    assert lines[0]["remaining"] == "0.000"
    assert lines[0]["prepared"] == "2.000"  # shipped without a pick list: prepared all the same
    assert answer.json()["clearance"]["kind"] == "contract_terms"


def test_bad_input_gets_clear_errors(client, world, order):
    by = logistics()
    answer = post(
        client,
        "/api/v1/shipments",
        {"order_id": order.pk, "carrier": "SF", "lines": [{"line_no": 1, "quantity": "3"}]},
        by,
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_shipment"
    assert "line_1.quantity" in answer.json()["error"]["fields"]
    answer = post(client, "/api/v1/shipments", {"order_id": order.pk, "carrier": "NOPE"}, by)
    assert answer.status_code == 422
    assert "carrier" in answer.json()["error"]["fields"]
    answer = post(
        client, "/api/v1/shipments", {"order_id": order.pk, "carrier": "SF", "packages": "x"}, by
    )
    assert answer.status_code == 422
    answer = post(client, "/api/v1/shipments", {"order_id": 999999, "carrier": "SF"}, by)
    assert answer.status_code == 404
    draft = make_order(world)
    answer = post(client, "/api/v1/shipments", {"order_id": draft.pk, "carrier": "SF"}, by)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "order_not_shippable"
    answer = post(client, "/api/v1/shipments", {"order_id": order.pk, "carrier": "SF"}, world.sales)
    assert answer.status_code == 403
    assert not Shipment.objects.exists()
    answer = client.get("/api/v1/shipments/999999", headers=bearer(by))
    assert answer.status_code == 404


def test_exceptions_through_the_api(client, world, order):
    by = logistics()
    shipment_id = post(
        client,
        "/api/v1/shipments",
        {"order_id": order.pk, "carrier": "SF", "tracking_number": "SF123456789012"},
        by,
    ).json()["id"]
    client.post(f"/api/v1/shipments/{shipment_id}/confirm", headers=bearer(by))
    line_id = Shipment.objects.get(pk=shipment_id).lines.first().pk
    answer = post(
        client,
        f"/api/v1/shipments/{shipment_id}/exceptions",
        {
            "kind": "short_quantity",
            "description": "少一台",
            "lines": [{"shipment_line_id": line_id, "quantity": "1"}],
        },
        world.service,
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["case_number"]
    answer = client.post(
        f"/api/v1/shipments/{shipment_id}/exceptions",
        {
            "kind": "damage",
            "description": "破损",
            "lines": f'[{{"shipment_line_id": {line_id}, "quantity": "1"}}]',
            "photos": [photo("a.png")],
        },
        headers=bearer(world.service),
    )
    assert answer.status_code == 201, answer.json()
    answer = post(
        client,
        f"/api/v1/shipments/{shipment_id}/exceptions",
        {"kind": "damage", "description": "x", "lines": "nope"},
        world.service,
    )
    assert answer.status_code == 422
    detail = client.get(f"/api/v1/shipments/{shipment_id}", headers=bearer(by)).json()
    assert len(detail["exceptions"]) == 2


def test_clearance_endpoints(client):
    world = make_world(grade="B")
    order = released(world)
    answer = client.get(f"/api/v1/orders/{order.pk}/fulfilment", headers=bearer(world.finance))
    assert answer.json()["clearance"] is None
    assert answer.json()["clearance_missing"]
    answer = post(client, f"/api/v1/orders/{order.pk}/clearance", {}, world.finance)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "balance_not_received"
    assert set(answer.json()["error"]["fields"]) == {"clearance"}
    answer = post(client, f"/api/v1/orders/{order.pk}/clearance", {}, world.sales)
    assert answer.status_code == 403
    answer = post(
        client,
        f"/api/v1/orders/{order.pk}/urgent-release",
        {"reason": "急用"},
        user("sh_csm", "customer_service_manager"),
    )
    assert answer.status_code == 200
    assert answer.json()["clearance"]["paperwork_open"] is True
    answer = post(client, f"/api/v1/orders/{order.pk}/clearance", {"note": "x"}, world.finance)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "already_cleared"
    answer = post(client, f"/api/v1/orders/{order.pk}/paperwork", {"note": "已补齐"}, world.finance)
    assert answer.status_code == 200
    assert answer.json()["clearance"]["paperwork_open"] is False
    assert answer.json()["status"] == OrderStatus.RELEASED


def test_clearance_on_payments_through_the_api(client):
    world = make_world(grade="B")
    order = released(world)
    prepaid(order, order.total_amount - balance_paid(order).amount, world.finance)

    answer = post(client, f"/api/v1/orders/{order.pk}/clearance", {"note": "款到"}, world.finance)

    assert answer.status_code == 200
    clearance = answer.json()["clearance"]
    assert clearance["kind"] == "payment_received"
    assert Decimal(clearance["amount_received"]) == order.total_amount
    assert answer.json()["clearance_missing"] == ""

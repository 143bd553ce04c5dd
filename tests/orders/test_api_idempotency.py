"""Idempotent intake (issue 5, capability 7): ``POST /api/v1/orders`` with an
``Idempotency-Key`` — the same key and body returns the first result and creates nothing
more; the same key with another body is a 409; a refused call frees the key."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orderdesk.orders.models import Order
from tests.factories.accounts import bearer
from tests.factories.orders import make_world, order_values

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders"


@pytest.fixture
def world(db):
    return make_world()


def post(client: Any, user: Any, body: Any, key: str | None = None, url: str = URL) -> Any:
    headers = bearer(user) | ({"Idempotency-Key": key} if key else {})
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_a_retry_with_the_same_key_and_body_returns_the_first_order(client, world):
    body = order_values(world)

    first = post(client, world.sales, body, key="erp-po-4711")
    retry = post(client, world.sales, body, key="erp-po-4711")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.json()["id"] == first.json()["id"]
    assert retry["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_409_and_creates_nothing(client, world):
    post(client, world.sales, order_values(world), key="erp-po-4712")
    changed = order_values(world, contact_name="另一个人")

    response = post(client, world.sales, changed, key="erp-po-4712")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert set(error) == {"code", "message", "fields"}
    assert Order.objects.count() == 1
    assert Order.objects.get().contact_name == "王经理"


def test_a_refused_call_frees_the_key_for_the_corrected_retry(client, world):
    bad = order_values(world, customer_id=99999999)

    refused = post(client, world.sales, bad, key="erp-po-4713")
    corrected = post(client, world.sales, order_values(world), key="erp-po-4713")

    assert refused.status_code == 422
    assert corrected.status_code == 201
    assert Order.objects.count() == 1


def test_without_a_key_every_post_creates_an_order(client, world):
    body = order_values(world)

    first = post(client, world.sales, body)
    second = post(client, world.sales, body)

    assert first.json()["id"] != second.json()["id"]
    assert Order.objects.count() == 2


def test_different_keys_create_different_orders(client, world):
    body = order_values(world)

    first = post(client, world.sales, body, key="erp-po-1")
    second = post(client, world.sales, body, key="erp-po-2")

    assert first.json()["number"] != second.json()["number"]
    assert Order.objects.count() == 2


def test_keys_are_per_caller(client, world):
    colleague = world.service  # customer service enters orders for every customer
    body = order_values(world)

    mine = post(client, world.sales, body, key="shared-key")
    theirs = post(client, colleague, body, key="shared-key")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert Order.objects.count() == 2


def test_the_same_key_on_another_endpoint_is_another_request(client, world):
    created = post(client, world.sales, order_values(world), key="erp-4714").json()

    response = post(
        client,
        world.sales,
        {"reason": "客户撤单"},
        key="erp-4714",
        url=f"{URL}/{created['id']}/hold",
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Order.objects.get().status == "draft"

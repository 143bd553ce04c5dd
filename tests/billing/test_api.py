"""The billing API: status codes, JSON fields, decimal strings, refusals and visibility."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from orderdesk.billing.models import Invoice, Payment
from tests.factories.accounts import bearer
from tests.factories.customers import make_customer
from tests.factories.orders import make_released_order, make_world, user

from .helpers import invoice_per, with_tax_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    invoice_per("order")
    return make_world()


@pytest.fixture
def order(world):
    return make_released_order(world)


def post(client: Any, url: str, data: Any, who: Any) -> Any:
    return client.post(url, data, content_type="application/json", headers=bearer(who))


def get(client: Any, url: str, who: Any) -> Any:
    return client.get(url, headers=bearer(who))


def test_invoice_lifecycle_over_the_api(client, world, order):
    answer = post(
        client, "/api/v1/invoices", {"order_id": order.pk, "kind": "ordinary"}, world.finance
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "draft"
    assert body["gross_amount"] == str(order.total_amount)
    assert body["lines"][0]["quantity"] == "2.000"
    assert body["tax_totals"][0]["tax_rate"] == "0.13"
    invoice_id = body["id"]
    answer = post(
        client, f"/api/v1/invoices/{invoice_id}/issue", {"fapiao_number": "04400001"}, world.finance
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "issued"
    assert answer.json()["fapiao_number"] == "04400001"
    assert answer.json()["open_amount"] == str(order.total_amount)
    answer = post(
        client,
        f"/api/v1/invoices/{invoice_id}/fapiao",
        {"fapiao_number": "04400002"},
        world.finance,
    )
    assert answer.json()["fapiao_number"] == "04400002"
    line_id = body["lines"][0]["id"]
    answer = post(
        client,
        f"/api/v1/invoices/{invoice_id}/credit-notes",
        {"reason": "退货", "lines": [{"invoice_line_id": line_id, "quantity": "1"}]},
        world.finance,
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["gross_amount"] == "113.00"
    answer = post(client, f"/api/v1/invoices/{invoice_id}/void", {"reason": ""}, world.finance)
    assert answer.status_code == 422
    answer = post(client, f"/api/v1/invoices/{invoice_id}/void", {"reason": "错开"}, world.finance)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "invoice_credited"
    listing = get(client, f"/api/v1/invoices?order_id={order.pk}&status=issued", world.finance)
    assert listing.json()["count"] == 1
    assert (
        get(client, f"/api/v1/invoices/{invoice_id}", world.finance).json()["credited_amount"]
        == "113.00"
    )


def test_invoice_refusals(client, world, order):
    line = order.lines.first()
    answer = post(
        client,
        "/api/v1/invoices",
        {
            "order_id": order.pk,
            "kind": "ordinary",
            "lines": [{"order_line_id": line.pk, "quantity": "99"}],
        },
        world.finance,
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "over_invoicing"
    assert "lines.0.quantity" in answer.json()["error"]["fields"]
    answer = post(
        client, "/api/v1/invoices", {"order_id": order.pk, "kind": "special"}, world.finance
    )
    assert answer.status_code == 422
    assert "tax_number" in answer.json()["error"]["fields"]
    answer = post(
        client, "/api/v1/invoices", {"order_id": order.pk, "shipment_id": 999999}, world.finance
    )
    assert answer.status_code == 422
    answer = post(client, "/api/v1/invoices", {"order_id": 999999}, world.finance)
    assert answer.status_code == 404
    answer = post(client, "/api/v1/invoices", {"order_id": order.pk}, world.sales)
    assert answer.status_code == 403
    assert Invoice.objects.count() == 0
    assert get(client, "/api/v1/invoices/999999", world.finance).status_code == 404
    with_tax_data(world.customer)
    answer = post(
        client, "/api/v1/invoices", {"order_id": order.pk, "kind": "special"}, world.finance
    )
    assert answer.status_code == 201


def test_payments_allocations_and_reversal_over_the_api(client, world, order):
    invoice = post(client, "/api/v1/invoices", {"order_id": order.pk}, world.finance).json()
    post(client, f"/api/v1/invoices/{invoice['id']}/issue", {}, world.finance)
    today = timezone.localdate().isoformat()
    answer = post(
        client,
        "/api/v1/payments",
        {
            "customer_id": world.customer.pk,
            "amount": "1000.00",
            "method": "bank_transfer",
            "reference": "B-1",
            "received_on": today,
        },
        world.finance,
    )
    assert answer.status_code == 201, answer.content
    payment = answer.json()
    assert payment["unallocated_amount"] == "1000.00"
    answer = post(
        client,
        f"/api/v1/payments/{payment['id']}/allocations",
        {"invoice_id": invoice["id"], "amount": "2000"},
        world.finance,
    )
    assert answer.status_code == 422
    answer = post(
        client, f"/api/v1/payments/{payment['id']}/allocations", {"amount": "1"}, world.finance
    )
    assert answer.status_code == 422
    answer = post(
        client,
        f"/api/v1/payments/{payment['id']}/allocations",
        {"invoice_id": invoice["id"], "amount": 100},
        world.finance,
    )
    assert answer.status_code == 201, answer.content
    allocation = answer.json()
    assert allocation["amount"] == "100.00"
    answer = post(client, f"/api/v1/payments/{payment['id']}/auto-allocate", {}, world.finance)
    assert answer.status_code == 200
    assert answer.json()["allocated_amount"] == invoice["gross_amount"]
    answer = post(client, f"/api/v1/invoices/{invoice['id']}/void", {"reason": "x"}, world.finance)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "invoice_paid"
    answer = post(
        client,
        f"/api/v1/payments/{payment['id']}/allocations/{allocation['id']}/reverse",
        {"reason": "错配"},
        world.finance,
    )
    assert answer.status_code == 200
    assert answer.json()["reversed_at"] is not None
    answer = post(
        client,
        f"/api/v1/payments/{payment['id']}/allocations/999999/reverse",
        {"reason": "x"},
        world.finance,
    )
    assert answer.status_code == 404
    assert get(client, f"/api/v1/payments/{payment['id']}", world.finance).json()[
        "allocated_amount"
    ] == str(order.total_amount - 100)
    assert (
        get(client, f"/api/v1/payments?customer_id={world.customer.pk}", world.finance).json()[
            "count"
        ]
        == 1
    )


def test_payment_refusals(client, world):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    base = {
        "customer_id": world.customer.pk,
        "amount": "10",
        "method": "cash",
        "received_on": tomorrow,
    }
    answer = post(client, "/api/v1/payments", base, world.finance)
    assert answer.status_code == 422
    assert "received_on" in answer.json()["error"]["fields"]
    answer = post(
        client, "/api/v1/payments", {**base, "received_on": "", "amount": "x"}, world.finance
    )
    assert set(answer.json()["error"]["fields"]) >= {"received_on", "amount"}
    answer = post(client, "/api/v1/payments", {**base, "customer_id": 999999}, world.finance)
    assert answer.status_code == 404
    assert Payment.objects.count() == 0


def test_deposit_requests_over_the_api(client, world, order):
    answer = post(
        client,
        "/api/v1/payments/deposit-requests",
        {"order_id": order.pk, "percent": "30"},
        world.finance,
    )
    assert answer.status_code == 201, answer.content
    request = answer.json()
    assert request["open_amount"] == request["amount"]
    answer = post(
        client,
        "/api/v1/payments/deposit-requests",
        {"order_id": order.pk, "amount": "9999999"},
        world.finance,
    )
    assert answer.status_code == 422
    payment = post(
        client,
        "/api/v1/payments",
        {
            "customer_id": world.customer.pk,
            "amount": request["amount"],
            "method": "online",
            "reference": "WX1",
            "received_on": timezone.localdate().isoformat(),
        },
        world.finance,
    ).json()
    answer = post(
        client,
        f"/api/v1/payments/{payment['id']}/allocations",
        {"deposit_request_id": request["id"], "amount": request["amount"]},
        world.finance,
    )
    assert answer.status_code == 201
    listing = get(
        client, f"/api/v1/payments/deposit-requests?order_id={order.pk}", world.finance
    ).json()
    assert listing["items"][0]["open_amount"] == "0.00"


def test_account_and_aging_and_who_sees_them(client, world, order):
    invoice = post(client, "/api/v1/invoices", {"order_id": order.pk}, world.finance).json()
    post(client, f"/api/v1/invoices/{invoice['id']}/issue", {}, world.finance)
    answer = get(client, f"/api/v1/customers/{world.customer.pk}/account", world.finance)
    assert answer.status_code == 200
    account = answer.json()
    assert account["balance"] == invoice["gross_amount"]
    assert account["aging"]["not_due"] == invoice["gross_amount"]
    assert account["open_items"][0]["kind"] == "invoice"
    aging = get(client, "/api/v1/receivables/aging", world.finance).json()
    assert aging["total"]["total"] == invoice["gross_amount"]
    later = (timezone.localdate() + dt.timedelta(days=31)).isoformat()
    aging = get(
        client,
        f"/api/v1/receivables/aging?on={later}&customer_id={world.customer.pk}",
        world.finance,
    ).json()
    assert aging["total"]["d1_30"] == invoice["gross_amount"]
    # The salesperson sees their own customer; another salesperson sees nothing.
    assert (
        get(client, f"/api/v1/customers/{world.customer.pk}/account", world.sales).status_code
        == 200
    )
    stranger = user("bi_other_sales", "sales")
    assert (
        get(client, f"/api/v1/customers/{world.customer.pk}/account", stranger).status_code == 404
    )
    assert get(client, f"/api/v1/invoices/{invoice['id']}", stranger).status_code == 404
    assert get(client, "/api/v1/receivables/aging", stranger).json()["total"]["total"] == "0.00"
    assert get(client, "/api/v1/invoices", stranger).json()["count"] == 0
    warehouse = user("bi_wh", "warehouse")
    assert get(client, "/api/v1/receivables/aging", warehouse).status_code == 403
    make_customer(stranger)


def test_cancelling_a_deposit_request_over_the_api(client, world, order):
    created = post(
        client,
        "/api/v1/payments/deposit-requests",
        {"order_id": order.pk, "amount": 100},
        world.finance,
    ).json()
    url = f"/api/v1/payments/deposit-requests/{created['id']}/cancel"
    assert post(client, url, {"reason": ""}, world.finance).status_code == 422
    answer = post(client, url, {"reason": "客户取消"}, world.finance)
    assert answer.status_code == 200
    assert answer.json()["status"] == "cancelled"
    assert post(client, url, {"reason": "again"}, world.finance).status_code == 409
    assert (
        post(
            client,
            "/api/v1/payments/deposit-requests/999999/cancel",
            {"reason": "x"},
            world.finance,
        ).status_code
        == 404
    )

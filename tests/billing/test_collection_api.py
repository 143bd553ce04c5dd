"""/api/v1/collection: cases, payment contacts and the on-demand run — codes, JSON, errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI

from orderdesk.billing import collection
from orderdesk.billing.collection_api import collection_router
from orderdesk.billing.models import CollectionCase, Invoice, PaymentContact
from orderdesk.config import urls as project_urls
from orderdesk.config.api import api
from tests.factories.accounts import bearer
from tests.factories.customers import make_customer
from tests.factories.orders import make_released_order, make_world, user

from .helpers import invoice_per, issued

# Until the lead mounts the router in config/api.py, these tests mount it on an API with
# the project's authentication and error handlers; afterwards they use the real one.
if any(router is collection_router for _prefix, router in api._routers):
    urlpatterns = project_urls.urlpatterns
else:
    mounted = NinjaAPI(auth=api.auth, urls_namespace="collection-tests")
    mounted._exception_handlers = dict(api._exception_handlers)
    mounted.add_router("/collection", collection_router)
    urlpatterns = [path("api/v1/", mounted.urls), *project_urls.urlpatterns]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
BASE = "/api/v1/collection"


def day(n: int) -> dt.date:
    # Today when the test runs (a session may pass midnight in the company's time zone).
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def world():
    invoice_per("order")
    return make_world()


@pytest.fixture
def invoice(world):
    found = issued(make_released_order(world), world.finance)
    Invoice.objects.filter(pk=found.pk).update(due_on=day(-1))
    found.refresh_from_db()
    return found


def post(client: Any, url: str, data: Any, who: Any) -> Any:
    return client.post(url, data, content_type="application/json", headers=bearer(who))


def get(client: Any, url: str, who: Any) -> Any:
    return client.get(url, headers=bearer(who))


def test_run_list_and_get_cases(client, world, invoice):
    response = post(client, f"{BASE}/run", {"on": str(day(0))}, world.finance)
    assert response.status_code == 200
    assert response.json()["opened"] == 1
    listed = get(client, f"{BASE}/cases", world.sales).json()
    assert listed["count"] == 1
    row = listed["items"][0]
    assert row["invoice_number"] == invoice.number
    assert row["level"] == "first_reminder"
    assert row["status"] == "open"
    assert row["open_amount"] == str(invoice.gross_amount)
    assert row["days_overdue"] == 1
    assert get(client, f"{BASE}/cases?level=escalated", world.sales).json()["count"] == 0
    assert get(client, f"{BASE}/cases?status=open", world.finance).json()["count"] == 1
    one = get(client, f"{BASE}/cases/{row['id']}", world.sales)
    assert one.status_code == 200
    assert one.json()["contacts"] == []


def test_run_is_for_finance_only(client, world, invoice):
    response = post(client, f"{BASE}/run", {}, world.sales)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert CollectionCase.objects.count() == 0


def test_log_a_contact_with_a_promise(client, world, invoice):
    collection.advance_collection(on=day(0))
    body = {
        "invoice_id": invoice.pk,
        "channel": "phone",
        "summary": "客户承诺本周五付款",
        "promised_amount": "500.50",
        "promised_on": str(day(3)),
    }
    response = post(client, f"{BASE}/contacts", body, world.sales)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["promised_amount"] == "500.50"
    assert data["case_id"] == CollectionCase.objects.get().pk
    case = get(client, f"{BASE}/cases/{data['case_id']}", world.sales).json()
    assert case["status"] == "promised"
    assert case["promised_on"] == str(day(3))
    assert len(case["contacts"]) == 1
    listed = get(client, f"{BASE}/contacts?customer_id={invoice.customer_id}", world.finance)
    assert listed.json()["count"] == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"promised_on": "2000-01-01"}, 422, "promised_on"),
        ({"promised_on": "someday"}, 422, "promised_on"),
        ({"promised_amount": "99999999", "promised_on": "+1"}, 422, "promised_amount"),
        ({"channel": "pigeon"}, 422, "channel"),
        ({"summary": ""}, 422, "summary"),
        ({"invoice_id": 999999}, 404, None),
        ({"invoice_id": None, "customer_id": None}, 422, "customer_id"),
        ({"invoice_id": None, "customer_id": 999999}, 404, None),
    ],
)
def test_bad_contacts(client, world, invoice, body, status, field):
    payload = {"invoice_id": invoice.pk, "channel": "phone", "summary": "催款", **body}
    if payload.get("promised_on") == "+1":
        payload["promised_on"] = str(day(1))
    response = post(client, f"{BASE}/contacts", payload, world.sales)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"]
    if field:
        assert field in error["fields"]
    assert PaymentContact.objects.count() == 0


def test_hidden_cases_and_customers(client, world, invoice):
    collection.advance_collection(on=day(0))
    case = CollectionCase.objects.get()
    other = user("bi_other_sales", "sales")
    assert get(client, f"{BASE}/cases", other).json()["count"] == 0
    assert get(client, f"{BASE}/cases/{case.pk}", other).status_code == 404
    assert get(client, f"{BASE}/cases/999999", world.finance).status_code == 404
    body = {"invoice_id": invoice.pk, "channel": "phone", "summary": "x"}
    assert post(client, f"{BASE}/contacts", body, other).status_code == 404
    assert get(client, f"{BASE}/cases", world.warehouse).status_code == 403
    foreign = make_customer(other)
    body = {"invoice_id": invoice.pk, "customer_id": foreign.pk, "channel": "phone", "summary": "x"}
    response = post(client, f"{BASE}/contacts", body, world.finance)
    assert response.status_code == 422
    assert "invoice_id" in response.json()["error"]["fields"]
    assert client.get(f"{BASE}/cases").status_code == 401

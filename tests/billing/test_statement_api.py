"""/api/v1/statements: generate, list, read, PDF and Excel, send, confirm and dispute —
codes, JSON, errors, permissions and visibility."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from orderdesk.billing import statements
from orderdesk.billing.models import Invoice, Statement
from tests.factories.accounts import bearer
from tests.factories.orders import make_released_order, make_world, user

from .helpers import invoice_per, issued, paid

pytestmark = pytest.mark.django_db
BASE = "/api/v1/statements"


def last_month() -> dt.date:
    return statements.last_month(timezone.localdate())


def post(client: Any, url: str, data: Any, who: Any) -> Any:
    return client.post(url, data, content_type="application/json", headers=bearer(who))


def get(client: Any, url: str, who: Any) -> Any:
    return client.get(url, headers=bearer(who))


@pytest.fixture
def world():
    invoice_per("order")
    return make_world()


@pytest.fixture
def month():
    return f"{last_month():%Y-%m}"


@pytest.fixture
def statement(client, world, month):
    response = post(client, BASE, {"customer_id": world.customer.pk, "month": month}, world.finance)
    assert response.status_code == 201, response.json()
    return response.json()


def test_generate_with_figures_and_lines(client, world, month):
    order = make_released_order(world)
    invoice = issued(order, world.finance)
    day = last_month() + dt.timedelta(days=4)
    Invoice.objects.filter(pk=invoice.pk).update(issued_on=day)
    paid(world.customer, "91.00", world.finance, received_on=day + dt.timedelta(days=1))

    response = post(client, BASE, {"customer_id": world.customer.pk, "month": month}, world.finance)

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["period"] == month
    assert data["status"] == "issued"
    assert data["opening_balance"] == "0.00"
    assert data["invoiced"] == str(invoice.gross_amount)
    assert data["paid"] == "91.00"
    closing = invoice.gross_amount - Decimal("91.00")
    assert data["closing_balance"] == str(closing)
    assert [line["kind"] for line in data["lines"]] == ["invoice", "payment"]
    assert data["lines"][0]["date"] == str(day)
    assert data["lines"][-1]["balance"] == str(closing)
    assert data["customer_code"] == world.customer.code
    assert data["recorded_by"] is None


def test_list_filters_and_reads_one(client, world, month, statement):
    listed = get(client, f"{BASE}?period={month}&status=issued", world.sales).json()
    assert listed["count"] == 1
    assert listed["items"][0]["id"] == statement["id"]
    assert "lines" not in listed["items"][0]
    assert get(client, f"{BASE}?status=confirmed", world.finance).json()["count"] == 0
    assert (
        get(client, f"{BASE}?customer_id={world.customer.pk}", world.finance).json()["count"] == 1
    )
    assert get(client, f"{BASE}?period=2000-01", world.finance).json()["count"] == 0
    bad = get(client, f"{BASE}?period=soon", world.finance)
    assert bad.status_code == 422
    assert "period" in bad.json()["error"]["fields"]
    assert get(client, f"{BASE}?status=lost", world.finance).status_code == 422
    one = get(client, f"{BASE}/{statement['id']}", world.sales)
    assert one.status_code == 200
    assert one.json()["lines"] == []


def test_pdf_and_excel(client, world, statement):
    pdf = get(client, f"{BASE}/{statement['id']}/pdf", world.sales)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = get(client, f"{BASE}/{statement['id']}/xlsx", world.finance)
    assert xlsx.status_code == 200
    assert "attachment" in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert f"{world.customer.name} ({world.customer.code})" in values
    assert 0 in values  # the opening and closing balances, as numbers


def test_a_month_not_ended_and_a_bad_month_are_422(client, world):
    this_month = f"{timezone.localdate():%Y-%m}"
    response = post(
        client, BASE, {"customer_id": world.customer.pk, "month": this_month}, world.finance
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "month_not_ended"
    assert "month" in response.json()["error"]["fields"]
    response = post(
        client, BASE, {"customer_id": world.customer.pk, "month": "11/2026"}, world.finance
    )
    assert response.status_code == 422
    assert Statement.objects.count() == 0


def test_writes_need_finance(client, world, month, statement):
    sid = statement["id"]
    for url, body in (
        (BASE, {"customer_id": world.customer.pk, "month": month}),
        (f"{BASE}/{sid}/send", {}),
        (f"{BASE}/{sid}/confirm", {"name": "王会计"}),
        (f"{BASE}/{sid}/dispute", {"name": "王会计", "reason": "少一笔"}),
    ):
        response = post(client, url, body, world.sales)  # sees the customer, is not finance
        assert response.status_code == 403, url
        assert response.json()["error"]["code"] == "permission_denied"
    outsider = user("st_warehouse", "warehouse")
    assert get(client, BASE, outsider).status_code == 403
    assert get(client, f"{BASE}/{sid}", outsider).status_code == 403
    assert Statement.objects.get().status == "issued"


def test_a_customer_the_user_may_not_see_is_404(client, world, month, statement):
    stranger = user("st_other_sales", "sales")
    assert get(client, f"{BASE}/{statement['id']}", stranger).status_code == 404
    assert get(client, f"{BASE}/{statement['id']}/pdf", stranger).status_code == 404
    assert get(client, BASE, stranger).json()["count"] == 0
    response = post(client, BASE, {"customer_id": world.customer.pk, "month": month}, stranger)
    assert response.status_code == 404
    assert get(client, f"{BASE}/999999", world.finance).status_code == 404


def test_confirm_then_answering_again_is_409(client, world, statement):
    sid = statement["id"]
    response = post(
        client, f"{BASE}/{sid}/confirm", {"name": "王会计", "note": "无误"}, world.finance
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "confirmed"
    assert data["responder_name"] == "王会计"
    assert data["recorded_by"] == world.finance.username
    again = post(client, f"{BASE}/{sid}/dispute", {"name": "王会计", "reason": "x"}, world.finance)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "statement_answered"
    regenerate = post(
        client,
        BASE,
        {"customer_id": world.customer.pk, "month": statement["period"]},
        world.finance,
    )
    assert regenerate.status_code == 409


def test_dispute_needs_a_reason(client, world, statement):
    response = post(client, f"{BASE}/{statement['id']}/dispute", {"name": "王会计"}, world.finance)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "dispute_reason_required"
    assert "reason" in response.json()["error"]["fields"]
    ok = post(
        client,
        f"{BASE}/{statement['id']}/dispute",
        {"name": "王会计", "reason": "10月28日付款 5,000 元未列入"},
        world.finance,
    )
    assert ok.status_code == 200
    assert ok.json()["status"] == "disputed"
    assert ok.json()["response_note"] == "10月28日付款 5,000 元未列入"


def test_send(client, world, statement):
    mail.outbox.clear()
    response = post(client, f"{BASE}/{statement['id']}/send", {}, world.finance)
    assert response.status_code == 200, response.json()
    data = response.json()
    contact = world.customer.contacts.get()
    assert data["sent_to"] == [contact.email]
    assert data["statement"]["sent_to"] == contact.email
    assert data["statement"]["sent_at"]
    assert len(mail.outbox) == 1
    assert len(mail.outbox[0].attachments) == 2


def test_send_without_an_address_is_422(client, world, statement):
    world.customer.contacts.update(email="")
    response = post(client, f"{BASE}/{statement['id']}/send", {}, world.finance)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_contact_email"
    assert "contact_email" in response.json()["error"]["fields"]


def test_the_list_reads_a_fixed_number_of_queries(
    client, world, month, statement, django_assert_max_num_queries
):
    earlier = statements.last_month(last_month())
    statements.generate_statement(world.customer, earlier, by=world.finance)
    headers = bearer(world.finance)
    with django_assert_max_num_queries(12):
        listed = client.get(BASE, headers=headers).json()
    assert listed["count"] == 2
    assert [item["period"] for item in listed["items"]] == [month, f"{earlier:%Y-%m}"]

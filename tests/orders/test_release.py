"""Releasing an order (订单下达): A grade before the confirmation returns, B and C only with
the confirmation and the deposit received in billing; the API and the order page."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory

from orderdesk.billing import services as billing
from orderdesk.core import audit
from orderdesk.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from orderdesk.customers.models import CreditFile
from orderdesk.orders.models import ConfirmationStatus, Order, OrderStatus
from orderdesk.orders.services import confirmation, releasing
from orderdesk.orders.views.confirmation import panel_context
from tests.factories.accounts import bearer
from tests.factories.billing import prepaid
from tests.factories.orders import approve_all, make_order, make_world

pytestmark = pytest.mark.django_db


def approved_order(world: Any, **overrides: Any) -> Order:
    return approve_all(make_order(world, **overrides), world)


def sent(order: Order, world: Any, capture: Any) -> Order:
    with capture(execute=True):
        confirmation.send_confirmation(order, by=world.sales)
    order.refresh_from_db()
    return order


def api(client: Any, method: str, url: str, user: Any, body: Any = None) -> Any:
    call = getattr(client, method)
    if method == "get":
        return call(url, headers=bearer(user))
    data = "" if body is None else json.dumps(body)
    return call(url, data, content_type="application/json", headers=bearer(user))


# --- A grade ---------------------------------------------------------------------------------


def test_a_grade_order_is_released_before_the_confirmation_and_still_chased(
    django_capture_on_commit_callbacks,
):
    world = make_world(grade="A")
    order = sent(approved_order(world), world, django_capture_on_commit_callbacks)

    releasing.release(order, by=world.service)

    order.refresh_from_db()
    assert order.status == OrderStatus.RELEASED
    assert order.released_at is not None
    assert order.confirmation_status == ConfirmationStatus.SENT  # stays open
    entry = audit.entries_for(order).get(action="order_released")
    assert "before the customer's confirmation" in entry.reason
    assert [task.url for task in confirmation.chase_tasks_for(world.sales)]


def test_a_grade_order_needs_the_confirmation_sent_first():
    world = make_world(grade="A")
    order = approved_order(world)

    with pytest.raises(ValidationFailed) as refused:
        releasing.release(order, by=world.service)

    assert refused.value.code == "confirmation_not_sent"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.APPROVED


def test_an_early_released_order_is_chased_but_keeps_its_date(
    django_capture_on_commit_callbacks,
):
    world = make_world(grade="A")
    order = sent(approved_order(world), world, django_capture_on_commit_callbacks)
    releasing.release(order, by=world.service)
    promised = Order.objects.get(pk=order.pk).promised_date
    mail.outbox.clear()

    from orderdesk.core import workcalendar

    later = workcalendar.add_working_days(order.confirmation_due_on, 3)
    with django_capture_on_commit_callbacks(execute=True):
        assert confirmation.shift_late_confirmations(today=later) == 1

    order.refresh_from_db()
    assert order.promised_date == promised
    assert order.confirmation_delay_days == 3
    assert mail.outbox  # the customer is reminded


# --- B and C grades ----------------------------------------------------------------------------


def test_b_grade_order_waits_for_the_signed_confirmation(django_capture_on_commit_callbacks):
    world = make_world(grade="B")
    order = sent(
        approved_order(world, deposit_percent="0"), world, django_capture_on_commit_callbacks
    )

    with pytest.raises(ValidationFailed) as refused:
        releasing.release(order, by=world.service)

    assert refused.value.code == "confirmation_missing"
    assert set(refused.value.fields) == {"confirmation"}
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_CONFIRMATION


def test_c_grade_needs_confirmation_and_deposit_and_names_both():
    world = make_world(grade="C")
    order = approved_order(world, deposit_percent="30")

    with pytest.raises(ValidationFailed) as refused:
        releasing.release(order, by=world.service)

    assert set(refused.value.fields) == {"confirmation", "deposit"}
    assert "¥237.30" in refused.value.fields["deposit"]  # 30 % of ¥791.00
    assert Order.objects.get(pk=order.pk).status == OrderStatus.APPROVED


def test_b_grade_is_released_once_confirmed_and_the_deposit_is_in():
    world = make_world(grade="B")
    order = approved_order(world, deposit_percent="30")
    confirmation.record_signed_copy(
        order, file=SimpleUploadedFile("signed.pdf", b"%PDF-1.4"), by=world.service
    )
    with pytest.raises(ValidationFailed) as refused:
        releasing.release(order, by=world.service)
    assert refused.value.code == "deposit_missing"

    prepaid(order, "237.29", world.finance)  # a fen short
    with pytest.raises(ValidationFailed) as short:
        releasing.release(order, by=world.service)
    assert short.value.code == "deposit_missing"
    assert "¥237.29" in short.value.fields["deposit"]

    prepaid(order, "0.01", world.finance)
    released = releasing.release(order, by=world.service)

    assert released.status == OrderStatus.RELEASED
    assert releasing.deposit_received(order) == Decimal("237.30")
    assert audit.entries_for(order).filter(action="order_released").exists()


def test_a_reversed_deposit_payment_no_longer_counts():
    world = make_world(grade="B")
    order = approved_order(world, deposit_percent="30")
    confirmation.record_signed_copy(
        order, file=SimpleUploadedFile("signed.pdf", b"%PDF-1.4"), by=world.service
    )
    allocation = prepaid(order, "237.30", world.finance)
    billing.reverse_allocation(allocation, reason="wrong customer", by=world.finance)

    with pytest.raises(ValidationFailed) as refused:
        releasing.release(order, by=world.service)

    assert refused.value.code == "deposit_missing"
    assert releasing.deposit_received(order) == 0


def test_credit_exceeded_since_approval_blocks_the_release(django_capture_on_commit_callbacks):
    world = make_world(grade="A")
    order = sent(approved_order(world), world, django_capture_on_commit_callbacks)
    CreditFile.objects.filter(customer=world.customer).update(credit_limit=Decimal("100"))
    make_order(world)  # unrelated draft: not exposure

    with pytest.raises(ValidationFailed) as refused:
        releasing.release(order, by=world.service)

    assert refused.value.code == "credit_blocked"
    assert "¥691.00" in refused.value.fields["credit"]


# --- refusals ----------------------------------------------------------------------------------


def test_a_draft_cannot_be_released():
    world = make_world()
    order = make_order(world)

    with pytest.raises(InvalidTransition):
        releasing.release(order, by=world.service)


def test_salespeople_cannot_release():
    world = make_world()
    order = approved_order(world)

    with pytest.raises(NotAllowed):
        releasing.release(order, by=world.sales)


# --- API ---------------------------------------------------------------------------------------


def test_api_release_lists_what_is_missing_then_releases(client):
    world = make_world(grade="B")
    order = approved_order(world, deposit_percent="30")
    url = f"/api/v1/orders/{order.pk}"

    refused = api(client, "post", f"{url}/release", world.service)
    confirmed = api(client, "post", f"{url}/confirmation", world.service, {"note": "邮件回复确认"})
    prepaid(order, "237.30", world.finance)
    deposit = api(client, "get", f"{url}/confirmation", world.service)
    released = api(client, "post", f"{url}/release", world.service)

    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "confirmation_missing"
    assert set(error["fields"]) == {"confirmation", "deposit"}
    assert confirmed.status_code == 200
    assert confirmed.json()["confirmation_status"] == "confirmed"
    assert confirmed.json()["release_blockers"] == {"deposit": error["fields"]["deposit"]}
    assert deposit.status_code == 200
    assert deposit.json()["deposit_received"] == "237.30"
    assert deposit.json()["deposit_required"] == "237.30"
    assert released.status_code == 200
    assert released.json()["status"] == "released"
    again = api(client, "post", f"{url}/release", world.service)
    assert again.status_code == 409


def test_api_send_pdf_and_signed_copy_upload(client, django_capture_on_commit_callbacks):
    world = make_world(grade="B")
    order = approved_order(world)
    url = f"/api/v1/orders/{order.pk}"

    pdf = api(client, "get", f"{url}/confirmation.pdf", world.sales)
    with django_capture_on_commit_callbacks(execute=True):
        sent_now = api(client, "post", f"{url}/confirmation/send", world.sales)
    upload = client.post(
        f"{url}/confirmation",
        {"file": SimpleUploadedFile("signed.png", b"\x89PNG..."), "note": "扫描件"},
        headers=bearer(world.service),
    )
    bad_type = client.post(
        f"{url}/attachments",
        {"file": SimpleUploadedFile("run.sh", b"#!/bin/sh"), "kind": "other"},
        headers=bearer(world.service),
    )

    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert sent_now.status_code == 200
    assert sent_now.json()["confirmation_status"] == "sent"
    assert len(mail.outbox) == 1
    assert upload.status_code == 200, upload.content
    assert upload.json()["confirmation_status"] == "confirmed"
    assert Order.objects.get(pk=order.pk).attachments.get().kind == "signed_confirmation"
    assert bad_type.status_code == 422
    assert "file" in bad_type.json()["error"]["fields"]


def test_api_hides_other_salespeoples_orders(client, make_user):
    world = make_world()
    order = approved_order(world)
    other = make_user("other_sales", "sales")

    response = api(client, "post", f"/api/v1/orders/{order.pk}/confirmation/send", other)

    assert response.status_code == 404


# --- pages -------------------------------------------------------------------------------------


def test_release_button_on_the_page_shows_what_is_missing(client):
    world = make_world(grade="B")
    order = approved_order(world)
    client.force_login(world.service)

    response = client.post(f"/orders/{order.pk}/release", follow=True)

    assert response.status_code == 200
    text = response.content.decode()
    assert "must confirm the order first" in text
    assert Order.objects.get(pk=order.pk).status == OrderStatus.APPROVED


def test_panel_offers_what_the_user_may_do(django_capture_on_commit_callbacks):
    world = make_world(grade="B")
    order = approved_order(world, deposit_percent="30")
    request = RequestFactory().get("/")
    request.user = world.service

    context = panel_context(request, order)
    html = render_to_string("orders/confirmation_panel.html", context, request)

    assert context["can"]["send"]
    assert context["can"]["release"]
    assert len(context["blockers"]) == 2
    assert "Send the confirmation to the customer" in html
    assert f"/orders/{order.pk}/confirmation.pdf" in html

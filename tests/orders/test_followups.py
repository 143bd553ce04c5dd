"""Follow-ups with the customer about missing information (缺失信息跟进) and order
attachments: working-day deadlines, "My tasks", pages and API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from orderdesk.core import audit, workcalendar
from orderdesk.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from orderdesk.orders import services
from orderdesk.orders.models import FollowUp
from orderdesk.orders.services import attachments, followups
from tests.factories.accounts import bearer
from tests.factories.orders import make_order, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def test_follow_up_is_due_in_working_days_and_audited(world):
    order = make_order(world, contact_phone="")

    follow_up = followups.log_follow_up(
        order, items=["Contact phone", "Contact phone", " "], note="微信问了王经理", by=world.sales
    )

    assert follow_up.items == ["Contact phone"]
    assert follow_up.due_on == workcalendar.add_working_days(timezone.localdate(), 2)
    entry = audit.entries_for(order).get(action="follow_up_logged")
    assert entry.reason == "微信问了王经理"


def test_follow_up_needs_something_asked(world):
    order = make_order(world)

    with pytest.raises(ValidationFailed) as refused:
        followups.log_follow_up(order, items=[], note="", by=world.sales)

    assert "items" in refused.value.fields
    assert not FollowUp.objects.exists()


def test_resolving_closes_it_once(world):
    order = make_order(world)
    follow_up = followups.log_follow_up(order, items=["Delivery address"], by=world.sales)

    followups.resolve_follow_up(follow_up, by=world.sales, note="客户已回复")

    follow_up.refresh_from_db()
    assert follow_up.resolved_at is not None
    assert follow_up.resolved_by == world.sales
    with pytest.raises(Conflict):
        followups.resolve_follow_up(follow_up, by=world.sales)


def test_a_cancelled_order_takes_no_follow_ups(world):
    order = make_order(world)
    services.cancel(order, by=world.sales, reason="客户取消")

    with pytest.raises(InvalidTransition):
        followups.log_follow_up(order, items=["Delivery date"], by=world.sales)


def test_warehouse_cannot_log_follow_ups(world):
    order = make_order(world)

    with pytest.raises(NotAllowed):
        followups.log_follow_up(order, items=["Delivery date"], by=world.warehouse)


def test_open_follow_ups_are_the_salespersons_tasks(world):
    order = make_order(world)
    open_one = followups.log_follow_up(order, items=["Delivery address"], by=world.sales)
    done = followups.log_follow_up(order, items=["Contact phone"], by=world.sales)
    followups.resolve_follow_up(done, by=world.sales)

    tasks = followups.tasks_for(world.sales)

    assert len(tasks) == 1
    assert order.number in tasks[0].title
    assert "Delivery address" in tasks[0].detail
    assert timezone.localtime(tasks[0].due_at).date() == open_one.due_on + dt.timedelta(days=1)
    assert followups.tasks_for(world.manager) == []


def test_follow_up_page_offers_the_missing_items(world, client):
    order = make_order(world, contact_phone="", delivery_address="")
    client.force_login(world.sales)
    url = f"/orders/{order.pk}/follow-ups/add"

    page = client.get(url)
    done = client.post(url, {"items": ["Contact phone"], "other": "图纸", "note": "电话沟通"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Contact phone" in html
    assert "Delivery address" in html
    assert done.status_code == 302
    follow_up = order.follow_ups.get()
    assert follow_up.items == ["Contact phone", "图纸"]
    resolved = client.post(f"/orders/{order.pk}/follow-ups/{follow_up.pk}/resolve")
    assert resolved.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.resolved_at is not None


def test_api_follow_ups(world, client):
    order = make_order(world)
    url = f"/api/v1/orders/{order.pk}/follow-ups"

    created = client.post(
        url,
        json.dumps({"items": ["Requested delivery date"], "note": "邮件询问"}),
        content_type="application/json",
        headers=bearer(world.sales),
    )
    empty = client.post(
        url, json.dumps({}), content_type="application/json", headers=bearer(world.sales)
    )
    listed = client.get(url, headers=bearer(world.sales))

    assert created.status_code == 201
    body = created.json()
    assert body["items"] == ["Requested delivery date"]
    assert body["due_on"] == workcalendar.add_working_days(timezone.localdate(), 2).isoformat()
    assert empty.status_code == 422
    assert [row["id"] for row in listed.json()] == [body["id"]]
    resolved = client.post(
        f"{url}/{body['id']}/resolve",
        json.dumps({"note": "ok"}),
        content_type="application/json",
        headers=bearer(world.sales),
    )
    assert resolved.status_code == 200
    assert resolved.json()["resolved_at"]


# --- attachments ----------------------------------------------------------------------------


def test_attachment_is_stored_and_audited(world):
    order = make_order(world)
    fax = SimpleUploadedFile("传真订单.tif", b"II*\x00fax", content_type="image/tiff")

    attachment = attachments.add_attachment(order, file=fax, kind="fax", by=world.sales)

    assert attachment.filename == "传真订单.tif"
    assert attachment.size == 7
    assert attachment.file.read() == b"II*\x00fax"
    assert audit.entries_for(order).filter(action="attachment_added").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ"),
        ("empty.pdf", b""),
        ("huge.pdf", b"0" * (20 * 1024 * 1024 + 1)),
    ],
)
def test_attachment_type_and_size_are_checked(world, name, content):
    order = make_order(world)

    with pytest.raises(ValidationFailed) as refused:
        attachments.add_attachment(
            order, file=SimpleUploadedFile(name, content), kind="other", by=world.sales
        )

    assert "file" in refused.value.fields
    assert not order.attachments.exists()


def test_attachment_upload_and_download_pages(world, client, make_user):
    order = make_order(world)
    client.force_login(world.sales)

    page = client.get(f"/orders/{order.pk}/attachments/add")
    done = client.post(
        f"/orders/{order.pk}/attachments/add",
        {"kind": "email", "file": SimpleUploadedFile("客户邮件.eml", b"Subject: order")},
    )

    assert page.status_code == 200
    assert done.status_code == 302
    attachment = order.attachments.get()
    download = client.get(f"/orders/{order.pk}/attachments/{attachment.pk}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"Subject: order"
    client.force_login(make_user("other_sales", "sales"))
    assert client.get(f"/orders/{order.pk}/attachments/{attachment.pk}").status_code == 404

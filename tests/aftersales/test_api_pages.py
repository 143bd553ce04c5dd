"""/api/v1/cases and the case pages: list, filters, detail, assign, status, photos, the
order page panel and the navigation entry."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orderdesk.aftersales import services
from orderdesk.aftersales.models import CaseKind, CaseStatus
from tests.factories.accounts import bearer
from tests.factories.orders import make_released_order, make_world, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def order(world):
    return make_released_order(world)


@pytest.fixture
def case(world, order):
    return services.open_case(
        order=order,
        kind=CaseKind.DAMAGE,
        description="外箱破损",
        lines=[{"sku": "OM-1", "quantity": "2"}],
        photos=[SimpleUploadedFile("a.jpg", b"\xff\xd8data", content_type="image/jpeg")],
        source="shipment FH20261204001",
        by=world.warehouse,
    )


def test_api_list_and_filters(client, world, case):
    headers = bearer(world.service)
    answer = client.get("/api/v1/cases", headers=headers)
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["number"] == case.number
    assert item["kind"] == "damage"
    assert item["status"] == "open"
    assert item["lines"] == [{"sku": "OM-1", "quantity": "2"}]
    assert item["time_left_hours"] is not None

    for query, count in (
        ("status=open", 1),
        ("status=closed", 0),
        (f"order_id={case.order_id}", 1),
        ("kind=late_arrival", 0),
        ("kind=damage&limit=1&offset=1", 1),
    ):
        found = client.get(f"/api/v1/cases?{query}", headers=headers).json()
        assert found["count"] == count, query
    assert client.get("/api/v1/cases?status=done", headers=headers).status_code == 422
    assert client.get("/api/v1/cases?limit=0", headers=headers).status_code == 422


def test_api_detail_and_hidden_cases(client, world, case):
    answer = client.get(f"/api/v1/cases/{case.pk}", headers=bearer(world.service))
    assert answer.status_code == 200
    assert answer.json()["photos"][0]["filename"] == "a.jpg"
    other = user("x_other_sales", "sales")
    hidden = client.get(f"/api/v1/cases/{case.pk}", headers=bearer(other))
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "case_not_found"
    assert client.get("/api/v1/cases", headers=bearer(other)).json()["count"] == 0
    assert client.get(f"/api/v1/cases/{2**63}", headers=bearer(world.service)).status_code in (
        404,
        422,
    )
    assert client.get("/api/v1/cases/999999", headers=bearer(world.service)).status_code == 404


def test_api_assign_and_status(client, world, case):
    headers = bearer(world.service)
    url = f"/api/v1/cases/{case.pk}"
    assigned = client.post(
        f"{url}/assign",
        {"owner_id": world.service.pk},
        content_type="application/json",
        headers=headers,
    )
    assert assigned.status_code == 200
    assert assigned.json()["owner_id"] == world.service.pk

    bad_owner = client.post(
        f"{url}/assign",
        {"owner_id": world.warehouse.pk},
        content_type="application/json",
        headers=headers,
    )
    assert bad_owner.status_code == 422
    unknown = client.post(
        f"{url}/assign", {"owner_id": 99999999}, content_type="application/json", headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"]["owner_id"]

    moved = client.post(
        f"{url}/status", {"status": "in_progress"}, content_type="application/json", headers=headers
    )
    assert moved.status_code == 200
    assert moved.json()["status"] == "in_progress"
    no_note = client.post(
        f"{url}/status", {"status": "resolved"}, content_type="application/json", headers=headers
    )
    assert no_note.status_code == 422
    assert no_note.json()["error"]["code"] == "note_required"
    resolved = client.post(
        f"{url}/status",
        {"status": "resolved", "note": "已补发"},
        content_type="application/json",
        headers=headers,
    )
    assert resolved.json()["resolved_at"]
    wrong = client.post(
        f"{url}/status",
        {"status": "open", "note": "x"},
        content_type="application/json",
        headers=headers,
    )
    assert wrong.status_code == 409
    forbidden = client.post(
        f"{url}/status",
        {"status": "closed", "note": "x"},
        content_type="application/json",
        headers=bearer(world.warehouse),
    )
    assert forbidden.status_code == 403
    missing = client.post(f"{url}/status", {}, content_type="application/json", headers=headers)
    assert missing.status_code == 422


def test_case_pages(client, world, case, order):
    client.force_login(world.service)
    listing = client.get(reverse("aftersales:list"))
    assert listing.status_code == 200
    assert case.number in listing.content.decode()
    filtered = client.get(reverse("aftersales:list"), {"status": "closed"})
    assert "No cases match" in filtered.content.decode()
    assert client.get(reverse("aftersales:list"), {"status": "bogus"}).status_code == 200

    page = client.get(reverse("aftersales:detail", args=[case.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert case.number in html
    assert "外箱破损" in html
    assert "a.jpg" in html
    assert "case_opened" in html  # the timeline
    assert 'name="csrfmiddlewaretoken"' in html

    photo = case.photos.get()
    download = client.get(reverse("aftersales:photo", args=[case.pk, photo.pk]))
    assert download.status_code == 200

    order_page = client.get(reverse("orders:detail", args=[order.pk]))
    assert 'id="order-cases"' in order_page.content.decode()

    assigned = client.post(
        reverse("aftersales:assign", args=[case.pk]), {"owner": world.service.pk}
    )
    assert assigned.status_code == 302
    case.refresh_from_db()
    assert case.owner == world.service

    refused = client.post(
        reverse("aftersales:status", args=[case.pk]),
        {"status": "resolved", "note": ""},
        follow=True,
    )
    assert "A note is required" in refused.content.decode()
    client.post(reverse("aftersales:status", args=[case.pk]), {"status": "resolved", "note": "ok"})
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED

    added = client.post(
        reverse("aftersales:add_photo", args=[case.pk]),
        {"file": SimpleUploadedFile("b.png", b"png", content_type="image/png")},
    )
    assert added.status_code == 302
    assert case.photos.count() == 2
    bad = client.post(
        reverse("aftersales:add_photo", args=[case.pk]),
        {"file": SimpleUploadedFile("b.exe", b"MZ")},
        follow=True,
    )
    assert "b.exe" in bad.content.decode()
    assert case.photos.count() == 2


def test_pages_refuse_and_hide(client, world, case):
    client.force_login(world.warehouse)
    assert (
        client.post(
            reverse("aftersales:status", args=[case.pk]), {"status": "in_progress"}
        ).status_code
        == 403
    )
    client.force_login(user("x_other_sales", "sales"))
    assert client.get(reverse("aftersales:detail", args=[case.pk])).status_code == 404
    client.force_login(user("x_production", "production"))
    listing = client.get(reverse("aftersales:list"))
    assert listing.status_code in (200, 403)


def test_empty_list_and_navigation(client, world):
    client.force_login(world.service)
    html = client.get(reverse("aftersales:list")).content.decode()
    assert "No after-sales cases yet" in html
    assert reverse("aftersales:list") in html  # navigation entry


def test_my_tasks_page_lists_the_case(client, world, case):
    client.force_login(world.service)
    html = client.get(reverse("core:my_tasks")).content.decode()
    assert case.number in html

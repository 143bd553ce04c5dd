"""/api/v1/pick-lists and the preparation pages: index, printable pick list with picked
quantities, the order page panel "备货", "My tasks"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orderdesk.preparation import services
from orderdesk.preparation.models import PickList, PickListStatus
from tests.factories.accounts import bearer
from tests.factories.orders import make_order, make_released_order, make_world, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def order(world):
    return make_released_order(world)


def post(client, url, body, who):
    return client.post(url, body, content_type="application/json", headers=bearer(who))


def test_api_create_get_pick_and_cancel(client, world, order):
    created = post(client, "/api/v1/pick-lists", {"order_id": order.pk}, world.warehouse)
    assert created.status_code == 201
    [pick_list] = created.json()
    assert pick_list["number"].startswith("JH")
    assert pick_list["status"] == "open"
    assert [line["quantity"] for line in pick_list["lines"]] == ["2.000", "5.000"]
    url = f"/api/v1/pick-lists/{pick_list['id']}"

    again = post(client, "/api/v1/pick-lists", {"order_id": order.pk}, world.warehouse)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "nothing_to_pick"

    got = client.get(url, headers=bearer(world.warehouse))
    assert got.status_code == 200
    first, second = got.json()["lines"]

    partly = post(
        client,
        f"{url}/picked",
        {
            "lines": [
                {"id": first["id"], "picked_quantity": "2"},
                {"id": second["id"], "picked_quantity": 3.6},
            ]
        },
        world.warehouse,
    )
    assert partly.status_code == 200
    assert partly.json()["status"] == "open"
    assert partly.json()["lines"][1]["picked_quantity"] == "3.600"

    too_many = post(
        client,
        f"{url}/picked",
        {"lines": [{"id": second["id"], "picked_quantity": "6"}]},
        world.warehouse,
    )
    assert too_many.status_code == 422
    assert f"lines.{second['id']}" in too_many.json()["error"]["fields"]
    too_fine = post(
        client,
        f"{url}/picked",
        {"lines": [{"id": second["id"], "picked_quantity": "1.0001"}]},
        world.warehouse,
    )
    assert too_fine.status_code == 422
    empty = post(client, f"{url}/picked", {"lines": []}, world.warehouse)
    assert empty.status_code == 422
    malformed = client.post(
        f"{url}/picked", "{", content_type="application/json", headers=bearer(world.warehouse)
    )
    assert malformed.status_code in (400, 422)

    done = post(
        client,
        f"{url}/picked",
        {"lines": [{"id": second["id"], "picked_quantity": "5"}]},
        world.warehouse,
    )
    assert done.json()["status"] == "picked"
    cancel = post(client, f"{url}/cancel", {"reason": "x"}, world.warehouse)
    assert cancel.status_code == 409

    listing = client.get(
        f"/api/v1/pick-lists?order_id={order.pk}&status=picked&warehouse_id={world.warehouse_site.pk}",
        headers=bearer(world.warehouse),
    )
    assert listing.json()["count"] == 1
    assert (
        client.get("/api/v1/pick-lists?status=open", headers=bearer(world.warehouse)).json()[
            "count"
        ]
        == 0
    )
    assert (
        client.get("/api/v1/pick-lists?status=bogus", headers=bearer(world.warehouse)).status_code
        == 422
    )


def test_api_cancel_and_refusals(client, world, order):
    [pick_list] = post(client, "/api/v1/pick-lists", {"order_id": order.pk}, world.warehouse).json()
    url = f"/api/v1/pick-lists/{pick_list['id']}"
    no_reason = post(client, f"{url}/cancel", {"reason": ""}, world.warehouse)
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["code"] == "reason_required"
    forbidden = post(client, f"{url}/cancel", {"reason": "x"}, world.manager)
    assert forbidden.status_code == 403
    cancelled = post(client, f"{url}/cancel", {"reason": "重新打印"}, world.warehouse)
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "重新打印"

    other = user("x_other_sales", "sales")
    assert client.get(url, headers=bearer(other)).status_code == 404
    assert post(client, "/api/v1/pick-lists", {"order_id": order.pk}, other).status_code == 404
    assert post(client, "/api/v1/pick-lists", {"order_id": 0}, world.warehouse).status_code == 422
    assert post(client, "/api/v1/pick-lists", {}, world.warehouse).status_code == 422
    assert (
        client.get("/api/v1/pick-lists/99999999", headers=bearer(world.warehouse)).status_code
        == 404
    )
    draft = make_order(world)
    unreleased = post(client, "/api/v1/pick-lists", {"order_id": draft.pk}, world.warehouse)
    assert unreleased.status_code == 409
    assert unreleased.json()["error"]["code"] == "order_not_released"
    denied = post(client, "/api/v1/pick-lists", {"order_id": order.pk}, world.sales)
    assert denied.status_code == 403


def test_order_panel_and_create_button(client, world, order):
    client.force_login(world.warehouse)
    html = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'id="preparation"' in html
    assert 'name="create-pick-lists"' in html
    assert "0 % prepared" in html

    created = client.post(reverse("preparation:create", args=[order.pk]))
    pick_list = PickList.objects.get()
    assert created.status_code == 302
    assert created["Location"] == reverse("preparation:detail", args=[pick_list.pk])
    again = client.post(reverse("preparation:create", args=[order.pk]), follow=True)
    assert "Nothing is left to pick" in again.content.decode()

    client.force_login(world.sales)
    html = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'id="preparation"' in html
    assert 'name="create-pick-lists"' not in html
    assert client.post(reverse("preparation:create", args=[order.pk])).status_code == 403


def test_pick_list_page_records_picked_quantities(client, world, order):
    pick_list = services.create_pick_lists(order, by=world.warehouse)[0]
    first, second = pick_list.lines.order_by("order_line__line_no")
    client.force_login(world.warehouse)
    page = client.get(reverse("preparation:detail", args=[pick_list.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert pick_list.number in html
    assert f'name="picked-{first.pk}"' in html
    assert "window.print()" in html

    bad = client.post(
        reverse("preparation:picked", args=[pick_list.pk]),
        {f"picked-{first.pk}": "9", f"picked-{second.pk}": "abc"},
    )
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "At most 2 are to be picked" in text
    assert "Enter a number" in text
    assert 'value="abc"' in text

    saved = client.post(
        reverse("preparation:picked", args=[pick_list.pk]),
        {f"picked-{first.pk}": "2", f"picked-{second.pk}": "3.6"},
    )
    assert saved.status_code == 302
    order_html = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "80 % prepared" in order_html

    client.post(reverse("preparation:picked", args=[pick_list.pk]), {"all": "1"})
    pick_list.refresh_from_db()
    assert pick_list.status == PickListStatus.PICKED
    second.refresh_from_db()
    assert second.picked_quantity == Decimal(5)
    html = client.get(reverse("preparation:detail", args=[pick_list.pk])).content.decode()
    assert f'name="picked-{first.pk}"' not in html  # no longer editable


def test_cancel_page(client, world, order):
    pick_list = services.create_pick_lists(order, by=world.warehouse)[0]
    client.force_login(world.warehouse)
    refused = client.post(
        reverse("preparation:cancel", args=[pick_list.pk]), {"reason": ""}, follow=True
    )
    assert "A reason is required" in refused.content.decode()
    client.post(reverse("preparation:cancel", args=[pick_list.pk]), {"reason": "打印错误"})
    pick_list.refresh_from_db()
    assert pick_list.status == PickListStatus.CANCELLED
    html = client.get(reverse("preparation:detail", args=[pick_list.pk])).content.decode()
    assert "打印错误" in html


def test_index_filters_and_empty_state(client, world, order):
    client.force_login(world.warehouse)
    html = client.get(reverse("preparation:list")).content.decode()
    assert "No pick lists yet" in html
    assert reverse("preparation:list") in html  # navigation entry
    pick_list = services.create_pick_lists(order, by=world.warehouse)[0]
    html = client.get(reverse("preparation:list")).content.decode()
    assert pick_list.number in html
    html = client.get(reverse("preparation:list"), {"status": "picked"}).content.decode()
    assert "No pick lists match" in html
    html = client.get(
        reverse("preparation:list"), {"warehouse": world.warehouse_site.pk, "status": "open"}
    ).content.decode()
    assert pick_list.number in html
    assert client.get(reverse("preparation:list"), {"warehouse": "x"}).status_code == 200
    tasks = client.get(reverse("core:my_tasks")).content.decode()
    assert pick_list.number in tasks

    client.force_login(user("x_prod", "production"))
    assert client.get(reverse("preparation:list")).status_code == 200
    client.force_login(user("x_other_sales", "sales"))
    assert client.get(reverse("preparation:list")).status_code == 403
    assert client.get(reverse("preparation:detail", args=[pick_list.pk])).status_code == 404

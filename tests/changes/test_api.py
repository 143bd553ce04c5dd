"""/api/v1/orders/{id}/changes and …/revisions: status codes, JSON fields, error bodies,
visibility, and the whole path from request to applied revision."""

from __future__ import annotations

from typing import Any

import pytest

from orderdesk.changes.models import ChangeRequest
from tests.factories.accounts import bearer
from tests.factories.orders import make_world, user

from .helpers import line, logistics, released_order, ship_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def order(world):
    return released_order(world)


def post(client: Any, url: str, data: Any, who: Any) -> Any:
    return client.post(url, data, content_type="application/json", headers=bearer(who))


def get(client: Any, url: str, who: Any) -> Any:
    return client.get(url, headers=bearer(who))


def body(order: Any, proposal: dict[str, Any], **values: Any) -> dict[str, Any]:
    return {
        "party": "customer",
        "requested_by_name": "王经理",
        "reason": "客户要求增加数量并改地址",
        "reason_category": "customer_request",
        "version": order.version,
        "proposal": proposal,
        **values,
    }


def test_request_approve_apply_and_compare_revisions(client, world, order):
    base = f"/api/v1/orders/{order.pk}"
    first = line(order, 1)
    answer = post(
        client,
        f"{base}/changes",
        body(
            order,
            {
                "lines": [{"line_id": first.pk, "quantity": 4}],
                "header": {"delivery_address": "南山区科技园 8 号"},
            },
        ),
        world.service,
    )
    assert answer.status_code == 201, answer.content
    change = answer.json()
    assert change["number"].startswith("BG")
    assert change["status"] == "open"
    assert change["order_number"] == order.number
    assert change["kinds"] == ["quantity", "address"]
    assert change["impact"]["totals"]["gross"] == ["791.00", "1017.00"]
    assert {item["department"] for item in change["approvals"]} == {
        "sales",
        "finance",
        "warehouse",
        "logistics",
    }
    assert change["actions"] == {
        "approve": [],
        "reject": [],
        "apply": False,
        "withdraw": True,
        "correct_invoices": False,
    }
    url = f"{base}/changes/{change['id']}"
    assert get(client, url, world.finance).json()["actions"]["approve"] == ["finance"]
    for department, who in (
        ("sales", world.manager),
        ("finance", world.finance),
        ("warehouse", world.warehouse),
        ("logistics", logistics()),
    ):
        answer = post(client, f"{url}/approve", {"department": department}, who)
        assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "approved"
    assert answer.json()["approvals"][0]["decided_by"]

    answer = post(client, f"{url}/apply", {}, world.service)

    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "applied"
    assert answer.json()["revision"] == 2
    listed = get(client, f"{base}/changes", world.sales).json()
    assert listed["count"] == 1
    revisions = get(client, f"{base}/revisions", world.sales).json()
    assert [item["number"] for item in revisions["items"]] == [1, 2]
    assert revisions["items"][1]["change_request"] == change["number"]
    detail = get(client, f"{base}/revisions/2", world.sales).json()
    assert detail["snapshot"]["lines"][0]["quantity"] == "4.000"
    assert {item["field"] for item in detail["changes"]} >= {"quantity", "delivery_address"}
    diff = get(client, f"{base}/revisions/diff?from=1&to=2", world.sales)
    assert diff.status_code == 200, diff.content
    assert diff.json()["from_revision"] == 1
    assert diff.json()["effect"]["total"] == ["791.00", "1017.00"]
    assert get(client, f"{base}/revisions/7", world.sales).json()["error"]["code"] == (
        "revision_not_found"
    )


def test_assess_shows_the_impact_without_saving(client, world, order):
    answer = post(
        client,
        f"/api/v1/orders/{order.pk}/changes/assess",
        {"lines": [{"line_id": line(order, 2).pk, "quantity": "1"}]},
        world.sales,
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["impact"]["stock"][0]["reserve"] == "-4.000"
    assert not ChangeRequest.objects.exists()


def test_below_shipped_is_a_422_naming_the_line(client, world, order):
    ship_part(order, 2, "3")

    answer = post(
        client,
        f"/api/v1/orders/{order.pk}/changes",
        body(order, {"lines": [{"line_id": line(order, 2).pk, "quantity": "1"}]}),
        world.service,
    )

    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "below_shipped"
    assert "Line 2" in error["fields"]["lines.0.quantity"]


def test_conflicts_are_409s(client, world, order):
    url = f"/api/v1/orders/{order.pk}/changes"
    proposal = {"lines": [{"line_id": line(order, 1).pk, "quantity": "3"}]}
    assert post(client, url, body(order, proposal), world.service).status_code == 201

    pending = post(client, url, body(order, proposal), world.sales)
    stale = post(
        client, url, body(order, {"header": {"consignee": "李四"}}, version=0), world.sales
    )

    assert pending.status_code == 409
    assert pending.json()["error"]["code"] == "change_pending"
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_order"
    assert "version" in stale.json()["error"]["fields"]


def test_decisions_over_the_api(client, world, order):
    change = post(
        client,
        f"/api/v1/orders/{order.pk}/changes",
        body(order, {"header": {"consignee": "李四"}}),
        world.service,
    ).json()
    url = f"/api/v1/orders/{order.pk}/changes/{change['id']}"

    wrong = post(client, f"{url}/approve", {"department": "logistics"}, world.finance)
    bare = post(client, f"{url}/reject", {"department": "logistics"}, logistics())
    rejected = post(
        client, f"{url}/reject", {"department": "logistics", "reason": "地址无法送达"}, logistics()
    )
    again = post(client, f"{url}/approve", {"department": "sales"}, world.manager)

    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "permission_denied"
    assert bare.status_code == 422
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "change_not_open"


def test_withdraw_over_the_api(client, world, order):
    change = post(
        client,
        f"/api/v1/orders/{order.pk}/changes",
        body(order, {"header": {"consignee": "李四"}}),
        world.service,
    ).json()
    url = f"/api/v1/orders/{order.pk}/changes/{change['id']}/withdraw"

    answer = post(client, url, {"reason": "客户撤回"}, world.service)

    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "withdrawn"
    assert post(client, url, {"reason": "again"}, world.service).status_code == 409


def test_input_format_errors_are_422_invalid_input(client, world, order):
    url = f"/api/v1/orders/{order.pk}/changes"

    unknown = post(client, url, body(order, {"header": {"colour": "red"}}), world.service)
    fine_price = post(
        client,
        url,
        body(order, {"lines": [{"line_id": line(order, 1).pk, "unit_price": "1.001"}]}),
        world.service,
    )
    missing = post(client, url, {"proposal": {}}, world.service)

    for answer in (unknown, fine_price, missing):
        assert answer.status_code == 422
        assert answer.json()["error"]["code"] == "invalid_input"


def test_hidden_orders_and_requests_are_404s(client, world, order):
    change = post(
        client,
        f"/api/v1/orders/{order.pk}/changes",
        body(order, {"header": {"consignee": "李四"}}),
        world.service,
    ).json()
    stranger = user("ch_stranger", "sales")
    other = released_order(world)

    hidden = get(client, f"/api/v1/orders/{order.pk}/changes", stranger)
    elsewhere = get(client, f"/api/v1/orders/{other.pk}/changes/{change['id']}", world.service)
    revisions = get(client, f"/api/v1/orders/{order.pk}/revisions", stranger)

    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "order_not_found"
    assert elsewhere.status_code == 404
    assert elsewhere.json()["error"]["code"] == "change_not_found"
    assert revisions.status_code == 404


def test_list_costs_a_fixed_number_of_queries(client, world, order, django_assert_max_num_queries):
    url = f"/api/v1/orders/{order.pk}/changes"
    for number in range(3):
        post(client, url, body(order, {"header": {"consignee": f"李{number}"}}), world.service)
        change = ChangeRequest.objects.latest("id")
        post(client, f"{url}/{change.pk}/withdraw", {"reason": "x"}, world.service)
    headers = bearer(world.sales)

    with django_assert_max_num_queries(12):
        answer = client.get(url, headers=headers)

    assert answer.json()["count"] == 3

"""The order REST API at /api/v1/orders: codes, error bodies, field names, visibility, the
review endpoints and query counts, through the real URLs and error handlers."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orderdesk.core import audit, workcalendar
from orderdesk.orders import services
from orderdesk.orders.models import Order, OrderStatus, ReviewStep
from tests.factories.accounts import bearer
from tests.factories.orders import make_order, make_world, order_values

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders"


def send(client: Any, method: str, url: str, user: Any, body: Any = None, **headers: str) -> Any:
    """A JSON call; without ``body`` a POST has an empty body, as clients send it."""
    call = getattr(client, method)
    if method == "get":
        return call(url, headers=bearer(user) | headers)
    data = body if isinstance(body, str | bytes | None) else json.dumps(body)
    return call(url, data or "", content_type="application/json", headers=bearer(user) | headers)


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def other_sales(make_user):
    return make_user("sales_other", "sales")


def submitted(world, **overrides) -> Order:
    order = make_order(world, **overrides)
    services.submit(order, by=world.sales)
    return order


# --- create ---------------------------------------------------------------------------------


def test_create_returns_201_with_number_totals_as_strings_and_lines(client, world):
    response = send(client, "post", URL, world.sales, order_values(world))

    assert response.status_code == 201
    data = response.json()
    order = Order.objects.get(pk=data["id"])
    assert data["number"] == order.number
    assert data["number"].startswith("GD001-")
    assert (data["status"], data["status_label"]) == ("draft", "Draft")
    assert (data["net_amount"], data["tax_amount"], data["total_amount"]) == (
        "700.00",
        "91.00",
        "791.00",
    )
    assert data["customer_id"] == world.customer.pk
    assert data["customer_name"] == world.customer.name
    assert data["salesperson_id"] == world.sales.pk
    assert data["delivery_province"] == "广东省"
    assert data["version"] == 1
    assert data["confirmation_status"] == "not_sent"
    assert data["missing"] == []
    assert data["submitted_at"] is None
    first = data["lines"][0]
    assert first == {
        "line_no": 1,
        "product_id": world.products[0].pk,
        "sku": world.products[0].sku,
        "name": "球阀",
        "spec": "DN50",
        "unit": "台",
        "quantity": "2.000",
        "list_price": "113.00",
        "unit_price": "113.00",
        "discount_percent": "0.00",
        "tax_rate": "0.13",
        "net_amount": "200.00",
        "tax_amount": "26.00",
        "line_total": "226.00",
        "promotion": "",
        "approval_role": "",
        "note": "",
    }
    assert audit.entries_for(order).filter(action="order_created").exists()


def test_an_incomplete_draft_is_saved_and_lists_what_is_missing(client, world):
    body = order_values(world, contact_phone="", payment_method="", requested_date=None, lines=[])

    response = send(client, "post", URL, world.sales, body)

    assert response.status_code == 201
    missing = {item["field"]: item["label"] for item in response.json()["missing"]}
    assert set(missing) == {"contact_phone", "payment_method", "requested_date", "lines"}
    assert missing["contact_phone"] == "Contact phone"


@pytest.mark.parametrize(
    ("quantity", "stored"), [("2.5", "2.500"), (2.5, "2.500"), ("2.500", "2.500"), (2, "2.000")]
)
def test_quantity_may_be_a_decimal_string_or_a_number(client, world, quantity, stored):
    body = order_values(world, lines=[{"sku": world.products[0].sku, "quantity": quantity}])

    response = send(client, "post", URL, world.sales, body)

    assert response.status_code == 201
    assert response.json()["lines"][0]["quantity"] == stored


def test_an_agreed_unit_price_with_two_decimals_is_kept(client, world):
    line = {"sku": world.products[0].sku, "quantity": "1", "unit_price": 110.5}
    response = send(client, "post", URL, world.sales, order_values(world, lines=[line]))

    assert response.status_code == 201
    assert response.json()["lines"][0]["unit_price"] == "110.50"


def yesterday() -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lines": [{"sku": "P", "quantity": "1", "unit_price": "1.234"}]}, "lines.0.unit_price"),
        ({"lines": [{"sku": "P", "quantity": "1", "unit_price": 99.999}]}, "lines.0.unit_price"),
        ({"customer_id": 99999999}, "customer_id"),
        ({"lines": [{"sku": "NO-SUCH-SKU", "quantity": "1"}]}, "lines.0.sku"),
        ({"requested_date": "PAST"}, "requested_date"),
        ({"lines": [{"sku": "P", "quantity": "0"}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "P", "quantity": -3}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "P"}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "P", "quantity": "1.2345"}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "P", "quantity": "1", "unit_price": "-1"}]}, "lines.0.unit_price"),
        ({"channel": "pigeon"}, "channel"),
        ({"payment_method": "barter"}, "payment_method"),
        ({"delivery_province": "Atlantis"}, "delivery_province"),
        ({"deposit_percent": "120"}, "deposit_percent"),
        ({"salesperson_id": 99999999}, "salesperson_id"),
        ({"contact_id": 99999999}, "contact_id"),
        ({"received_at": "2999-01-01T00:00:00"}, "received_at"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(client, world, overrides, field):
    overrides = copy.deepcopy(overrides)
    for line in overrides.get("lines", []):
        if line["sku"] == "P":
            line["sku"] = world.products[0].sku
    if overrides.get("requested_date") == "PAST":
        overrides["requested_date"] = yesterday()

    response = send(client, "post", URL, world.sales, order_values(world, **overrides))

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert not Order.objects.exists()


def test_every_rule_broken_at_once_is_named_at_once(client, world):
    body = order_values(
        world,
        customer_id=99999999,
        requested_date=yesterday(),
        channel="",
        lines=[{"sku": "NOPE", "quantity": "1"}, {"sku": world.products[0].sku, "quantity": 0}],
    )

    response = send(client, "post", URL, world.sales, body)

    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert {"customer_id", "requested_date", "channel", "lines.0.sku"} <= set(fields)


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[1, 2]",
        '"an order"',
        "null",
        "42",
        "",
        {"lines": "two valves"},
        {"lines": {"sku": "X"}},
        {"lines": ["abc", 5]},
        {"lines": [None]},
        {"lines": None},
        {"lines": [{"sku": ["A"], "quantity": {"n": 1}}]},
        {"lines": [{"sku": "X", "quantity": "lots"}]},
        {"lines": [{"sku": "X", "quantity": True}]},
        {"lines": [{"sku": "X", "quantity": "NaN"}]},
        {"lines": [{"sku": "X", "quantity": "Infinity"}]},
        {"lines": [{"sku": "X", "quantity": "1e999999"}]},
        {"lines": [{"sku": "X", "quantity": 1, "unit_price": "12,50"}]},
        {"customer_id": "abc"},
        {"customer_id": 10**30},
        {"customer_id": -1},
        {"customer_id": 1.5},
        {"customer_id": True},
        {"requested_date": "tomorrow"},
        {"requested_date": 20261231},
        {"received_at": "yesterday"},
        {"deposit_percent": "a lot"},
        {"deposit_percent": 1e300},
        {"contact_name": {"first": "王"}},
        {"contact_name": "王" * 51},
        {"special_requirements": "x" * 5000},
        {"channel": 5},
        {"channel": ["phone"]},
        {"contact_name": "王\u0000经理"},
        {"lines": [{"sku": "X\u0000", "quantity": 1}]},
        {"lines": [{"sku": "X", "quantity": 1, "note": "\u0000"}]},
    ],
)
def test_weird_bodies_are_refused_with_the_error_shape(client, world, body):
    if isinstance(body, dict):
        body = order_values(world, **body)

    response = send(client, "post", URL, world.sales, body)

    assert 400 <= response.status_code < 500
    error_of(response)
    assert not Order.objects.exists()


def test_amounts_too_large_for_the_books_are_refused(client, world):
    line = {"sku": world.products[0].sku, "quantity": "99999999999.999", "unit_price": "9999.99"}

    response = send(client, "post", URL, world.sales, order_values(world, lines=[line]))

    assert response.status_code == 422
    assert "lines.0.quantity" in error_of(response)["fields"]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/hold", {"reason": ["客户要求"]}),
        ("/hold", {"reason": "客户\u0000要求"}),
        ("/hold", "{"),
        ("/cancel", {"reason": {"text": "x"}}),
        ("/resume", {"reason": [1]}),
        ("/submit", "not json"),
        ("/reviews/sales/approve", {"earliest_completion": "soon"}),
        ("/reviews/sales/approve", {"comment": ["ok"]}),
        ("/reviews/sales/approve", {"comment": "x" * 1001}),
        ("/reviews/sales/reject", {"reason": None}),
        ("/reviews/sales/reject", {"reason": "x" * 501}),
        ("/reviews/%00/approve", {}),
        ("/reviews/" + "x" * 300 + "/approve", {}),
    ],
)
def test_bad_action_bodies_are_4xx_and_change_nothing(client, world, path, body):
    order = submitted(world)

    response = send(client, "post", f"{URL}/{order.pk}{path}", world.manager, body)

    assert 400 <= response.status_code < 500
    error_of(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_REVIEW
    assert ReviewStep.objects.get(order=order, step="sales").status == "pending"


def test_numbers_sent_for_texts_are_read_as_text(client, world):
    body = order_values(world, contact_phone=13800138000, delivery_address=None)

    response = send(client, "post", URL, world.sales, body)

    assert response.status_code == 201
    data = response.json()
    assert data["contact_phone"] == "13800138000"
    assert data["delivery_address"] == ""


def test_empty_strings_mean_not_given(client, world):
    body = order_values(world, requested_date="", deposit_percent="", salesperson_id="")
    body["lines"][0]["unit_price"] = ""

    response = send(client, "post", URL, world.sales, body)

    assert response.status_code == 201
    data = response.json()
    assert data["requested_date"] is None
    assert data["lines"][0]["unit_price"] == "113.00"


def test_roles_without_order_entry_cannot_create(client, world):
    response = send(client, "post", URL, world.finance, order_values(world))

    assert response.status_code == 403
    assert error_of(response)["code"]
    assert not Order.objects.exists()


def test_unauthenticated_calls_get_401(client, world):
    response = client.get(URL)

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


# --- retrieve -------------------------------------------------------------------------------


def test_retrieve_returns_the_order(client, world):
    order = make_order(world)

    response = send(client, "get", f"{URL}/{order.pk}", world.sales)

    assert response.status_code == 200
    data = response.json()
    assert data["number"] == order.number
    assert [line["line_no"] for line in data["lines"]] == [1, 2]


def test_another_salespersons_order_is_not_found(client, world, other_sales):
    order = make_order(world)

    for method, path, body in [
        ("get", "", None),
        ("patch", "", {"contact_name": "x"}),
        ("post", "/submit", ""),
        ("post", "/cancel", {"reason": "no"}),
        ("get", "/reviews", None),
    ]:
        response = send(client, method, f"{URL}/{order.pk}{path}", other_sales, body)
        assert response.status_code == 404, (method, path)
        assert error_of(response)["code"] == "order_not_found"
    order.refresh_from_db()
    assert (order.status, order.contact_name) == (OrderStatus.DRAFT, "王经理")


@pytest.mark.parametrize("order_id", ["0", "999999", str(10**30)])
def test_unknown_ids_are_404(client, world, order_id):
    response = send(client, "get", f"{URL}/{order_id}", world.sales)

    assert response.status_code == 404
    error_of(response)


# --- list -----------------------------------------------------------------------------------


def test_list_shows_count_and_items_newest_first(client, world, other_sales):
    first = make_order(world, received_at=timezone.now() - dt.timedelta(hours=2))
    second = make_order(world)

    response = send(client, "get", URL, world.sales)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [item["id"] for item in data["items"]] == [second.pk, first.pk]
    assert data["next"] is None
    item = data["items"][0]
    assert item["customer_name"] == world.customer.name
    assert item["total_amount"] == "791.00"
    assert "lines" not in item
    assert send(client, "get", URL, other_sales).json() == {"count": 0, "items": [], "next": None}


def test_list_filters(client, world):
    now = timezone.now()
    draft = make_order(world, channel="email", received_at=now - dt.timedelta(days=3))
    in_review = submitted(world, channel="fax")
    cancelled = make_order(world)
    services.cancel(cancelled, by=world.sales, reason="客户取消")

    def ids(query: str) -> list[int]:
        response = send(client, "get", f"{URL}?{query}", world.manager)
        assert response.status_code == 200, response.content
        return sorted(item["id"] for item in response.json()["items"])

    assert ids("status=draft") == [draft.pk]
    assert ids("status=draft&status=in_review") == sorted([draft.pk, in_review.pk])
    assert ids("channel=fax") == [in_review.pk]
    assert ids(f"customer_id={world.customer.pk}") == sorted([draft.pk, in_review.pk, cancelled.pk])
    assert ids("customer_id=99999") == []
    assert ids(f"salesperson_id={world.sales.pk}&status=cancelled") == [cancelled.pk]
    assert ids(f"q={draft.number}") == [draft.pk]
    assert ids(f"q={world.customer.name[:4]}&status=draft") == [draft.pk]
    since = timezone.localdate(now - dt.timedelta(days=1)).isoformat()
    until = timezone.localdate(now - dt.timedelta(days=2)).isoformat()
    assert draft.pk not in ids(f"received_from={since}")
    assert ids(f"received_until={until}") == [draft.pk]
    assert ids("overdue_review=true") == []
    ReviewStep.objects.filter(order=in_review, status="pending").update(
        due_at=now - dt.timedelta(hours=1)
    )
    assert ids("overdue_review=true") == [in_review.pk]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=1000",
        "offset=-1",
        "offset=99999999999999999999",
        "customer_id=abc",
        f"customer_id={10**30}",
        "received_from=yesterday",
        "overdue_review=perhaps",
        "status=shipped&status=lost",
        "channel=pigeon",
        "q=a%00b",
        "status=draft%00",
        "after=garbage",
        "after=2026-01-01T00:00:00Z|abc",
        "after=not-a-date|12",
        f"after=2026-01-01T00:00:00Z|{10**30}",
        "after=2026-99-99T00:00:00Z|1",
        "after=2026-01-01T00:00:00Z|%C2%B2",
        "after=2026-01-01T00:00:00Z",
    ],
)
def test_bad_list_queries_are_422(client, world, query):
    response = send(client, "get", f"{URL}?{query}", world.sales)

    assert response.status_code == 422
    error_of(response)


def test_limit_and_offset_page_through(client, world):
    now = timezone.now()
    orders = [make_order(world, received_at=now - dt.timedelta(minutes=n)) for n in range(5)]

    page = send(client, "get", f"{URL}?limit=2&offset=2", world.sales).json()

    assert page["count"] == 5
    assert [item["id"] for item in page["items"]] == [orders[2].pk, orders[3].pk]


def test_keyset_pages_walk_every_order_once_in_order(client, world):
    now = timezone.now().replace(microsecond=123456)
    same_moment = now - dt.timedelta(minutes=5)
    orders = [
        make_order(world, received_at=now - dt.timedelta(minutes=1)),
        make_order(world, received_at=same_moment),
        make_order(world, received_at=same_moment),
        make_order(world, received_at=same_moment),
        make_order(world, received_at=now - dt.timedelta(days=2)),
    ]
    expected = [orders[0].pk, orders[3].pk, orders[2].pk, orders[1].pk, orders[4].pk]
    seen: list[int] = []
    query = "limit=2"

    for _page in range(5):
        data = send(client, "get", f"{URL}?{query}", world.sales).json()
        assert data["count"] == 5
        seen += [item["id"] for item in data["items"]]
        if data["next"] is None:
            break
        query = f"limit=2&after={data['next']}"

    assert seen == expected


def test_a_cursor_with_an_offset_survives_an_unencoded_plus(client, world):
    now = timezone.now()
    orders = [make_order(world, received_at=now - dt.timedelta(minutes=n)) for n in range(3)]
    moment = orders[0].received_at.astimezone(dt.UTC).isoformat()  # ends in +00:00

    plain = send(client, "get", f"{URL}?after={moment}|{orders[0].pk}", world.sales).json()
    encoded = moment.replace("+", "%2B")
    escaped = send(client, "get", f"{URL}?after={encoded}|{orders[0].pk}", world.sales).json()

    assert [item["id"] for item in plain["items"]] == [orders[1].pk, orders[2].pk]
    assert escaped["items"] == plain["items"]


def list_queries(client, user, query: str = "") -> int:
    bearer(user)  # the token is made before counting
    with CaptureQueriesContext(connection) as captured:
        response = send(client, "get", f"{URL}?{query}", user)
    assert response.status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_with_the_page(client, world, django_assert_max_num_queries):
    make_order(world)
    one = list_queries(client, world.manager)
    for _ in range(14):
        make_order(world)
    submitted(world)
    with django_assert_max_num_queries(one):
        response = send(client, "get", f"{URL}?limit=200", world.manager)
    assert len(response.json()["items"]) == 16
    cursor = response.json()["items"][3]
    after = f"{cursor['received_at']}|{cursor['id']}".replace("+", "%2B")
    with django_assert_max_num_queries(one):
        send(client, "get", f"{URL}?limit=5&status=draft&after={after}", world.manager)
    with django_assert_max_num_queries(one + 1):  # the overdue filter is a subquery, not a trip
        send(client, "get", f"{URL}?overdue_review=true&q=GD", world.manager)


# --- update ---------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent_and_bumps_the_version(client, world):
    order = make_order(world)
    body = {
        "contact_name": "李主任",
        "lines": [{"sku": world.products[2].sku, "quantity": 3, "unit_price": "100.00"}],
    }

    response = send(client, "patch", f"{URL}/{order.pk}", world.sales, body)

    assert response.status_code == 200
    data = response.json()
    assert data["contact_name"] == "李主任"
    assert data["contact_phone"] == "13800138000"
    assert data["version"] == 2
    assert [(line["sku"], line["quantity"]) for line in data["lines"]] == [
        (world.products[2].sku, "3.000")
    ]
    assert data["total_amount"] == "300.00"
    assert audit.entries_for(order).filter(action="order_changed").exists()


def test_patch_with_a_stale_version_is_409_and_changes_nothing(client, world):
    order = make_order(world)
    send(client, "patch", f"{URL}/{order.pk}", world.sales, {"contact_name": "A", "version": 1})

    response = send(
        client, "patch", f"{URL}/{order.pk}", world.sales, {"contact_name": "B", "version": 1}
    )

    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "stale_order"
    assert error["fields"] == {"version": "2"}
    order.refresh_from_db()
    assert (order.contact_name, order.version) == ("A", 2)


def test_patch_with_the_current_version_passes(client, world):
    order = make_order(world)

    response = send(
        client,
        "patch",
        f"{URL}/{order.pk}",
        world.sales,
        {"payment_terms": "月结30天", "version": 1},
    )

    assert response.status_code == 200
    assert response.json()["payment_terms"] == "月结30天"


def test_patch_bad_input_is_422_and_changes_nothing(client, world):
    order = make_order(world)
    body = {"lines": [{"sku": world.products[0].sku, "quantity": "1", "unit_price": "9.999"}]}

    response = send(client, "patch", f"{URL}/{order.pk}", world.sales, body)

    assert response.status_code == 422
    assert "lines.0.unit_price" in error_of(response)["fields"]
    order.refresh_from_db()
    assert (order.version, order.lines.count()) == (1, 2)


def test_an_order_in_review_cannot_be_patched(client, world):
    order = submitted(world)

    response = send(client, "patch", f"{URL}/{order.pk}", world.sales, {"contact_name": "X"})

    assert response.status_code == 409
    assert error_of(response)["code"] == "order_not_editable"


# --- submit and review ----------------------------------------------------------------------


def test_submitting_an_incomplete_order_lists_every_missing_item(client, world):
    order = make_order(world, contact_phone="", delivery_city="", lines=[])

    response = send(client, "post", f"{URL}/{order.pk}/submit", world.sales)

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "order_incomplete"
    assert {"contact_phone", "delivery_city", "lines"} <= set(error["fields"])
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_submit_starts_the_review_with_time_limits(client, world):
    order = make_order(world)

    response = send(client, "post", f"{URL}/{order.pk}/submit", world.sales)

    assert response.status_code == 200
    assert response.json()["status"] == "in_review"
    assert response.json()["submitted_at"] is not None
    reviews = send(client, "get", f"{URL}/{order.pk}/reviews", world.sales).json()
    assert (reviews["status"], reviews["round"]) == ("in_review", 1)
    steps = {step["step"]: step for step in reviews["steps"]}
    assert list(steps) == ["sales", "finance", "warehouse"]
    sales = steps["sales"]
    assert (sales["status"], sales["role"], sales["stage"]) == ("pending", "sales_manager", 0)
    assert sales["due_at"] is not None
    assert 0 < sales["time_left_hours"] <= 4
    assert steps["finance"]["status"] == "waiting"
    assert steps["finance"]["time_left_hours"] is None
    assert steps["finance"]["findings"]["credit"]["blocked"] is False


def test_reviews_of_a_draft_are_empty(client, world):
    order = make_order(world)

    response = send(client, "get", f"{URL}/{order.pk}/reviews", world.sales)

    assert response.json()["steps"] == []


def test_approving_every_step_approves_the_order(client, world):
    order = submitted(world)

    sales = send(client, "post", f"{URL}/{order.pk}/reviews/sales/approve", world.manager, {})
    finance = send(
        client,
        "post",
        f"{URL}/{order.pk}/reviews/finance/approve",
        world.finance,
        {"comment": "ok"},
    )
    warehouse = send(client, "post", f"{URL}/{order.pk}/reviews/warehouse/approve", world.warehouse)

    assert [sales.status_code, finance.status_code, warehouse.status_code] == [200, 200, 200]
    data = warehouse.json()
    assert data["status"] == "approved"
    steps = {step["step"]: step for step in data["steps"]}
    assert steps["sales"]["decided_by"] == world.manager.username
    assert steps["finance"]["comment"] == "ok"
    assert steps["warehouse"]["decision"]["reservations"]
    order_data = send(client, "get", f"{URL}/{order.pk}", world.sales).json()
    assert order_data["approved_at"] is not None
    assert order_data["promised_date"] == order_data["requested_date"]


def test_a_finance_user_cannot_approve_the_sales_step(client, world):
    order = submitted(world)

    response = send(client, "post", f"{URL}/{order.pk}/reviews/sales/approve", world.finance, {})

    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert ReviewStep.objects.get(order=order, step="sales").status == "pending"


def test_approving_twice_is_409(client, world):
    order = submitted(world)
    url = f"{URL}/{order.pk}/reviews/sales/approve"
    send(client, "post", url, world.manager, {})

    response = send(client, "post", url, world.manager, {})

    assert response.status_code == 409
    assert error_of(response)["code"] == "step_already_decided"


def test_a_waiting_step_cannot_be_decided_yet(client, world):
    order = submitted(world)

    response = send(client, "post", f"{URL}/{order.pk}/reviews/finance/approve", world.finance)

    assert response.status_code == 409
    assert error_of(response)["code"] == "step_waiting"


def test_unknown_or_absent_steps_are_422(client, world):
    order = submitted(world)

    unknown = send(client, "post", f"{URL}/{order.pk}/reviews/marketing/approve", world.manager)
    absent = send(client, "post", f"{URL}/{order.pk}/reviews/production/approve", world.manager)

    assert (unknown.status_code, absent.status_code) == (422, 422)
    assert error_of(unknown)["code"] == error_of(absent)["code"] == "unknown_step"


def test_deciding_a_draft_is_409(client, world):
    order = make_order(world)

    response = send(client, "post", f"{URL}/{order.pk}/reviews/sales/approve", world.manager)

    assert response.status_code == 409
    assert error_of(response)["code"] == "not_in_review"


def test_production_approval_needs_a_completion_date(client, world):
    soon = workcalendar.add_working_days(timezone.localdate(), 1).isoformat()
    order = submitted(world, requested_date=soon)  # earlier than the 3-day lead time
    send(client, "post", f"{URL}/{order.pk}/reviews/sales/approve", world.manager)
    url = f"{URL}/{order.pk}/reviews/production/approve"

    without = send(client, "post", url, world.production, {"comment": "可以"})
    past = send(client, "post", url, world.production, {"earliest_completion": yesterday()})
    text = send(client, "post", url, world.production, {"earliest_completion": "next week"})
    later = workcalendar.add_working_days(timezone.localdate(), 5).isoformat()
    dated = send(client, "post", url, world.production, {"earliest_completion": later})

    assert error_of(without)["code"] == "completion_date_required"
    assert "earliest_completion" in error_of(past)["fields"]
    assert "earliest_completion" in error_of(text)["fields"]
    assert (without.status_code, past.status_code, text.status_code) == (422, 422, 422)
    assert dated.status_code == 200
    production = next(step for step in dated.json()["steps"] if step["step"] == "production")
    assert production["decision"] == {"earliest_completion": later}
    assert production["findings"]["late"]


def test_reject_needs_a_reason_and_returns_the_order_to_sales(client, world):
    order = submitted(world)
    url = f"{URL}/{order.pk}/reviews/sales/reject"

    no_reason = send(client, "post", url, world.manager, {})
    rejected = send(client, "post", url, world.manager, {"reason": "价格未确认"})

    assert no_reason.status_code == 422
    assert error_of(no_reason)["code"] == "reason_required"
    assert rejected.status_code == 200
    data = rejected.json()
    assert data["status"] == "returned"
    steps = {step["step"]: step for step in data["steps"]}
    assert (steps["sales"]["status"], steps["sales"]["comment"]) == ("rejected", "价格未确认")
    assert steps["finance"]["status"] == "superseded"
    order_data = send(client, "get", f"{URL}/{order.pk}", world.sales).json()
    assert order_data["status_reason"] == "价格未确认"

    patched = send(client, "patch", f"{URL}/{order.pk}", world.sales, {"payment_terms": "款到发货"})
    resubmitted = send(client, "post", f"{URL}/{order.pk}/submit", world.sales)

    assert (patched.status_code, resubmitted.status_code) == (200, 200)
    assert send(client, "get", f"{URL}/{order.pk}/reviews", world.sales).json()["round"] == 2


# --- cancel, hold, resume -------------------------------------------------------------------


def test_cancel_needs_a_reason(client, world):
    order = make_order(world)

    empty = send(client, "post", f"{URL}/{order.pk}/cancel", world.sales, {"reason": "  "})
    none = send(client, "post", f"{URL}/{order.pk}/cancel", world.sales, {})

    assert (empty.status_code, none.status_code) == (422, 422)
    assert error_of(empty)["code"] == "reason_required"
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_cancel_releases_the_order_and_a_cancelled_order_refuses_everything(client, world):
    order = submitted(world)

    response = send(client, "post", f"{URL}/{order.pk}/cancel", world.sales, {"reason": "客户撤单"})

    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["status_reason"]) == ("cancelled", "客户撤单")
    assert data["cancelled_at"] is not None
    for user, path, body in [
        (world.sales, "/submit", None),
        (world.sales, "/cancel", {"reason": "again"}),
        (world.sales, "/hold", {"reason": "wait"}),
        (world.manager, "/reviews/sales/approve", {}),
    ]:
        refused = send(client, "post", f"{URL}/{order.pk}{path}", user, body)
        assert refused.status_code == 409, path
        error_of(refused)
    patched = send(client, "patch", f"{URL}/{order.pk}", world.sales, {"contact_name": "x"})
    assert patched.status_code == 409


def test_hold_and_resume_return_to_the_same_status(client, world):
    order = submitted(world)

    held = send(client, "post", f"{URL}/{order.pk}/hold", world.sales, {"reason": "等待客户确认"})
    approve = send(client, "post", f"{URL}/{order.pk}/reviews/sales/approve", world.manager)
    resumed = send(client, "post", f"{URL}/{order.pk}/resume", world.sales)

    assert held.status_code == 200
    assert (held.json()["status"], held.json()["status_reason"]) == ("on_hold", "等待客户确认")
    assert approve.status_code == 409
    assert resumed.status_code == 200
    assert resumed.json()["status"] == "in_review"
    again = send(client, "post", f"{URL}/{order.pk}/resume", world.sales, {"reason": "x"})
    assert again.status_code == 409
    assert error_of(again)["code"] == "not_on_hold"


def test_roles_without_cancel_rights_cannot_cancel_or_hold(client, world):
    order = make_order(world)

    cancel = send(client, "post", f"{URL}/{order.pk}/cancel", world.warehouse, {"reason": "x"})
    hold = send(client, "post", f"{URL}/{order.pk}/hold", world.warehouse, {"reason": "x"})

    assert (cancel.status_code, hold.status_code) == (403, 403)
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT

"""Asking for an order change: what a request records, who approves it, and the refusals
(closed or fully shipped orders, below what was shipped, a second request on the same
lines, a stale order version)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orderdesk.changes import services
from orderdesk.changes.models import ChangeRequest, ChangeStatus
from orderdesk.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from orderdesk.core.models import AuditEntry
from orderdesk.orders import services as order_services
from orderdesk.orders.models import OrderStatus
from tests.factories.orders import make_order, user

from .helpers import (
    approved_order,
    ask,
    decide_all,
    line,
    make_world,
    released_order,
    ship_part,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def order(world):
    return released_order(world)


def test_a_request_records_who_asked_why_and_what_it_would_do(world, order):
    first = line(order, 1)
    asked_at = timezone.now() - dt.timedelta(hours=2)

    request = ask(
        order,
        world.service,
        {"lines": [{"line_id": first.pk, "quantity": "4"}], "header": {"delivery_city": "深圳市"}},
        requested_at=asked_at,
        version=order.version,
    )

    assert request.number.startswith("BG" + timezone.localdate().strftime("%Y%m%d"))
    assert request.status == ChangeStatus.OPEN
    assert request.party == "customer"
    assert request.requested_by_name == "王经理"
    assert request.requested_at == asked_at
    assert request.base_version == order.version
    assert request.kinds == ["quantity", "address"]
    assert request.line_ids == [first.pk]
    assert request.header_fields == ["delivery_city"]
    assert request.impact["totals"]["gross"] == [str(order.total_amount), "1017.00"]
    assert request.impact["refusals"] == {}
    assert request.proposal["lines"] == [{"line_id": first.pk, "quantity": "4"}]
    assert AuditEntry.objects.filter(action="change_requested", object_id=str(order.pk)).exists()


def test_each_affected_department_approves_within_its_working_hours(world, order):
    request = ask(order, world.service, {"header": {"delivery_address": "南山区科技园 8 号"}})

    approvals = {approval.department: approval for approval in request.approvals.all()}

    assert set(approvals) == {"sales", "logistics"}
    assert approvals["sales"].role == "sales_manager"
    assert approvals["logistics"].role == "logistics"
    assert approvals["sales"].due_at < approvals["logistics"].due_at  # 4 h against 8 h
    assert "address" in approvals["logistics"].why


def test_switched_off_review_steps_are_not_asked_and_no_department_means_approved(world, order):
    from orderdesk.orders.models import ReviewSettings

    ReviewSettings.objects.filter(pk=1).update(sales_step=False)
    later = (order.requested_date + dt.timedelta(days=7)).isoformat()

    terms = ask(order, world.service, {"header": {"payment_terms": "月结 30 天"}})
    date = ask(order, world.service, {"header": {"requested_date": later}}, party="internal")

    assert [approval.department for approval in terms.approvals.all()] == ["finance"]
    assert terms.status == ChangeStatus.OPEN
    assert list(date.approvals.all()) == []
    assert date.status == ChangeStatus.APPROVED
    assert date.decided_at is not None
    assert date.impact["promised_date"] == [order.promised_date.isoformat(), later]


def test_approved_orders_take_change_requests_too(world):
    order = approved_order(world)

    request = ask(order, world.sales, {"header": {"consignee": "李四"}})

    assert request.status == ChangeStatus.OPEN


@pytest.mark.parametrize(
    ("action", "code"),
    [("cancel", "order_closed"), ("draft", "order_not_approved")],
)
def test_closed_and_unapproved_orders_refuse_changes(world, action, code):
    if action == "cancel":
        order = released_order(world)
        order_services.cancel(order, by=world.manager, reason="客户取消")
    else:
        order = make_order(world)

    with pytest.raises(Conflict) as refused:
        ask(order, world.service, {"header": {"consignee": "李四"}})

    assert refused.value.code == code
    assert refused.value.status == 409


def test_a_fraction_below_what_was_shipped_is_refused_as_below_shipped(world, order):
    ship_part(order, 2, "1")
    second = line(order, 2)

    with pytest.raises(ValidationFailed) as refused:
        ask(order, world.service, {"lines": [{"line_id": second.pk, "quantity": "0.5"}]})

    assert refused.value.code == "below_shipped"
    assert "1 " in refused.value.fields["lines.0.quantity"]


def test_a_fully_shipped_order_refuses_changes(world, order):
    ship_part(order, 1, "2")
    ship_part(order, 2, "5")
    assert order.status == OrderStatus.SHIPPED

    with pytest.raises(Conflict) as refused:
        ask(order, world.service, {"header": {"consignee": "李四"}})

    assert refused.value.code == "order_fully_shipped"


def test_a_line_cannot_go_below_what_was_shipped(world, order):
    ship_part(order, 2, "3")
    second = line(order, 2)

    with pytest.raises(ValidationFailed) as refused:
        ask(order, world.service, {"lines": [{"line_id": second.pk, "quantity": "2"}]})

    assert refused.value.code == "below_shipped"
    assert refused.value.status == 422
    assert "lines.0.quantity" in refused.value.fields
    assert "Line 2" in refused.value.fields["lines.0.quantity"]
    assert not ChangeRequest.objects.exists()


def test_reducing_to_exactly_what_was_shipped_is_allowed(world, order):
    ship_part(order, 2, "3")
    second = line(order, 2)

    request = ask(order, world.service, {"lines": [{"line_id": second.pk, "quantity": "3"}]})

    assert request.impact["shipped"][0]["shipped"] == "3.000"
    assert request.impact["shipped"][0]["new_quantity"] == "3.000"


def test_a_shipped_line_cannot_be_removed_nor_a_partly_shipped_order_cancelled(world, order):
    ship_part(order, 1, "1")

    with pytest.raises(ValidationFailed) as removal:
        ask(order, world.service, {"remove": [line(order, 1).pk]})
    with pytest.raises(ValidationFailed) as cancellation:
        ask(order, world.service, {"cancel": True})

    assert removal.value.code == "below_shipped"
    assert "remove.0" in removal.value.fields
    assert cancellation.value.code == "below_shipped"
    assert "cancel" in cancellation.value.fields


def test_a_second_request_on_the_same_lines_waits_for_the_first(world, order):
    first = line(order, 1)
    pending = ask(order, world.service, {"lines": [{"line_id": first.pk, "quantity": "3"}]})

    with pytest.raises(Conflict) as refused:
        ask(order, world.sales, {"lines": [{"line_id": first.pk, "unit_price": "100.00"}]})

    assert refused.value.code == "change_pending"
    assert "lines.1" in refused.value.fields
    assert pending.number in refused.value.fields["lines.1"]
    # Other lines and fields are free meanwhile.
    ask(order, world.sales, {"lines": [{"line_id": line(order, 2).pk, "quantity": "6"}]})
    ask(order, world.sales, {"header": {"consignee": "李四"}})
    with pytest.raises(Conflict):
        ask(order, world.sales, {"header": {"consignee": "王五"}})
    with pytest.raises(Conflict):
        ask(order, world.sales, {"cancel": True})


def test_a_decided_request_frees_its_lines(world, order):
    first = line(order, 1)
    pending = ask(order, world.service, {"lines": [{"line_id": first.pk, "quantity": "3"}]})

    services.withdraw_change(pending, by=world.service, reason="客户改主意")

    again = ask(order, world.service, {"lines": [{"line_id": first.pk, "quantity": "4"}]})
    assert again.status == ChangeStatus.OPEN
    pending.refresh_from_db()
    assert pending.status == ChangeStatus.WITHDRAWN
    assert pending.withdrawn_reason == "客户改主意"


def test_an_approved_but_unapplied_request_still_holds_its_lines(world, order):
    first = line(order, 1)
    decide_all(
        ask(order, world.service, {"lines": [{"line_id": first.pk, "quantity": "3"}]}), world
    )

    with pytest.raises(Conflict) as refused:
        ask(order, world.service, {"lines": [{"line_id": first.pk, "quantity": "4"}]})

    assert refused.value.code == "change_pending"


def test_a_stale_version_is_a_409_naming_what_changed(world, order):
    first = line(order, 1)
    seen = order.version
    request = decide_all(
        ask(order, world.service, {"lines": [{"line_id": first.pk, "quantity": "4"}]}), world
    )
    services.apply_change(request, by=world.service)

    with pytest.raises(Conflict) as refused:
        ask(order, world.service, {"header": {"consignee": "李四"}}, version=seen)

    assert refused.value.code == "stale_order"
    assert refused.value.fields["lines.1.quantity"] == "2 台 → 4 台"
    assert "version" in refused.value.fields


def test_every_bad_field_is_named_at_once(world, order):
    first = line(order, 1)

    with pytest.raises(ValidationFailed) as refused:
        ask(
            order,
            world.service,
            {
                "header": {"delivery_city": "", "requested_date": "2001-01-01", "colour": "red"},
                "lines": [
                    {"line_id": first.pk, "quantity": "-1", "unit_price": "1.234"},
                    {"line_id": 999999, "quantity": "1"},
                ],
                "add": [{"product_id": 999999, "quantity": "0"}],
                "remove": [123456789],
            },
        )

    assert set(refused.value.fields) >= {
        "header.delivery_city",
        "header.requested_date",
        "header.colour",
        "lines.0.quantity",
        "lines.0.unit_price",
        "lines.1.line_id",
        "add.0.product_id",
        "add.0.quantity",
        "remove.0",
    }


def test_who_when_and_why_are_required(world, order):
    with pytest.raises(ValidationFailed) as refused:
        services.create_change_request(
            order,
            by=world.service,
            party="neighbour",
            reason="  ",
            reason_category="whim",
            requested_at=timezone.now() + dt.timedelta(days=1),
            proposal={"header": {"consignee": "李四"}},
        )

    assert set(refused.value.fields) == {"party", "reason", "reason_category", "requested_at"}


def test_nothing_to_change_is_refused(world, order):
    first = line(order, 1)

    with pytest.raises(ValidationFailed) as refused:
        ask(order, world.service, {"lines": [{"line_id": first.pk, "quantity": "2"}]})

    assert refused.value.code == "nothing_to_change"


def test_only_sales_and_customer_service_ask_for_changes(world, order):
    with pytest.raises(NotAllowed):
        ask(order, world.warehouse, {"header": {"consignee": "李四"}})
    other = user("ch_other_sales", "sales")
    with pytest.raises(NotFound):  # another salesperson's order is hidden
        ask(order, other, {"header": {"consignee": "李四"}})


def test_withdrawing_needs_a_reason_and_an_undecided_request(world, order):
    request = ask(order, world.service, {"header": {"consignee": "李四"}})

    with pytest.raises(ValidationFailed):
        services.withdraw_change(request, by=world.service, reason="")
    services.withdraw_change(request, by=world.service, reason="不改了")
    with pytest.raises(Conflict) as refused:
        services.withdraw_change(request, by=world.service, reason="再撤一次")

    assert refused.value.code == "change_closed"


def test_a_new_line_is_priced_by_the_price_policy(world, order):
    request = ask(
        order, world.service, {"add": [{"product_id": world.products[2].pk, "quantity": "3"}]}
    )

    added = request.impact["lines"][0]
    assert added["change"] == "added"
    assert added["unit_price"] == [None, "113.00"]
    assert added["line_total"] == [None, "339.00"]
    assert request.impact["totals"]["gross"][1] == str(order.total_amount + Decimal("339.00"))
    assert request.kinds == ["add_line"]

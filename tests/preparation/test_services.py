"""Preparation (备货): pick lists per warehouse from the reservations of released orders,
picked quantities, cancelling, the prepared quantity per line (the contract the shipping
app reads) and the order's preparation status."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderdesk.accounts.selectors import system_user
from orderdesk.core import audit
from orderdesk.core.errors import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from orderdesk.inventory import services as stock
from orderdesk.inventory.models import Reservation, Warehouse
from orderdesk.orders import services as orders
from orderdesk.preparation import selectors, services
from orderdesk.preparation.models import PickLine, PickList, PickListStatus
from tests.factories.orders import make_order, make_released_order, make_world, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def order(world):
    return make_released_order(world)  # lines: 2 × product 0, 5 × product 1


def lines_of(order):
    return list(order.lines.order_by("line_no"))


def test_create_one_pick_list_for_the_reserved_lines(world, order):
    created = services.create_pick_lists(order, by=world.warehouse)

    assert len(created) == 1
    pick_list = created[0]
    assert pick_list.number.startswith("JH")
    assert pick_list.number.endswith("001")
    assert pick_list.warehouse == world.warehouse_site
    assert pick_list.status == PickListStatus.OPEN
    first, second = lines_of(order)
    picks = {line.order_line_id: line for line in pick_list.lines.all()}
    assert picks[first.pk].quantity == Decimal(2)
    assert picks[second.pk].quantity == Decimal(5)
    assert picks[first.pk].product == first.product
    assert picks[first.pk].location == ""
    assert audit.entries_for(pick_list).filter(action="pick_list_created").exists()
    assert audit.entries_for(order).filter(action="pick_list_created").exists()


def test_one_pick_list_per_warehouse(world):
    other = Warehouse.objects.create(code="OM-WH2", name="二号仓")
    product = world.products[2]
    stock.receive_stock(product, other, 50, by=system_user())
    order = make_order(
        world,
        lines=[
            {"sku": world.products[0].sku, "quantity": "2"},
            {"sku": product.sku, "quantity": "120"},  # more than OM-WH holds: reserved in WH2?
        ],
    )
    # Reserve the second line in the other warehouse by hand before the review does.
    line = order.lines.get(product=product)
    line.quantity = Decimal(40)
    line.save(update_fields=["quantity"])
    from tests.factories.orders import approve_all

    order = approve_all(order, world)
    orders.send_confirmation(order, by=world.sales)
    orders.record_confirmation(order, by=world.service, note="ok")
    orders.release(order, by=world.manager)
    # Move the second line's reservation to the other warehouse.
    reservation = Reservation.objects.get(reference=line.reference, status="open")
    stock.release(reservation, by=system_user(), reason="move")
    stock.reserve(product, Decimal(40), warehouse=other, reference=line.reference, by=system_user())

    created = services.create_pick_lists(order, by=world.warehouse)

    assert {pick_list.warehouse.code for pick_list in created} == {"OM-WH", "OM-WH2"}
    assert len({pick_list.number for pick_list in created}) == 2


def test_nothing_left_to_pick(world, order):
    services.create_pick_lists(order, by=world.warehouse)
    with pytest.raises(Conflict) as refused:
        services.create_pick_lists(order, by=world.warehouse)
    assert refused.value.code == "nothing_to_pick"
    assert PickList.objects.count() == 1


def test_a_cancelled_pick_list_frees_its_lines(world, order):
    first = services.create_pick_lists(order, by=world.warehouse)[0]
    services.cancel_pick_list(first, "打印错了", by=world.warehouse)
    again = services.create_pick_lists(order, by=world.warehouse)
    assert sum(line.quantity for line in again[0].lines.all()) == Decimal(7)


def test_what_already_left_the_warehouse_is_not_picked_again(world, order):
    first, _second = lines_of(order)
    reservation = Reservation.objects.get(reference=first.reference, status="open")
    stock.issue(reservation, by=system_user(), quantity=Decimal(1))
    pick_list = services.create_pick_lists(order, by=world.warehouse)[0]
    assert pick_list.lines.get(order_line=first).quantity == Decimal(1)


def test_create_refusals(world, order):
    with pytest.raises(NotAllowed):
        services.create_pick_lists(order, by=world.sales)
    draft = make_order(world)
    with pytest.raises(InvalidTransition) as unreleased:
        services.create_pick_lists(draft, by=world.warehouse)
    assert unreleased.value.code == "order_not_released"
    orders.cancel(order, by=world.manager, reason="客户取消")
    order.refresh_from_db()
    with pytest.raises(InvalidTransition) as cancelled:
        services.create_pick_lists(order, by=world.warehouse)
    assert cancelled.value.code == "order_cancelled"
    assert not PickList.objects.exists()


def test_record_picked_partly_then_fully(world, order):
    pick_list = services.create_pick_lists(order, by=world.warehouse)[0]
    first, second = lines_of(order)
    pick_first = pick_list.lines.get(order_line=first)
    pick_second = pick_list.lines.get(order_line=second)

    services.record_picked(
        pick_list, {pick_first.pk: "2", pick_second.pk: "3.6"}, by=world.warehouse
    )
    pick_list.refresh_from_db()
    assert pick_list.status == PickListStatus.OPEN
    assert selectors.prepared_by_line(order) == {first.pk: Decimal(2), second.pk: Decimal("3.6")}
    status = selectors.preparation_status(order)
    assert [line.percent for line in status.lines] == [Decimal(100), Decimal(72)]
    assert status.percent == Decimal(80)  # 5.6 of 7
    assert status.prepared == Decimal("5.6")

    services.record_picked(pick_list, {str(pick_second.pk): 5}, by=world.warehouse)
    pick_list.refresh_from_db()
    assert pick_list.status == PickListStatus.PICKED
    assert pick_list.completed_by == world.warehouse
    assert pick_list.completed_at is not None
    assert selectors.preparation_status(order).percent == Decimal(100)
    assert audit.entries_for(pick_list).filter(action="pick_list_picked").count() == 2
    with pytest.raises(InvalidTransition) as closed:
        services.record_picked(pick_list, {pick_second.pk: 4}, by=world.warehouse)
    assert closed.value.code == "pick_list_not_open"
    with pytest.raises(InvalidTransition):
        services.cancel_pick_list(pick_list, "no", by=world.warehouse)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("-1", "negative"),
        ("2.5", "At most"),
        ("abc", "number"),
        ("0.0001", "3 decimals"),
        (None, "number"),
        (True, "number"),
        ("NaN", "number"),
        ("Infinity", "number"),
    ],
)
def test_bad_picked_quantities(world, order, value, fragment):
    pick_list = services.create_pick_lists(order, by=world.warehouse)[0]
    first = pick_list.lines.get(order_line=lines_of(order)[0])
    with pytest.raises(ValidationFailed) as refused:
        services.record_picked(pick_list, {first.pk: value}, by=world.warehouse)
    assert fragment in refused.value.fields[f"lines.{first.pk}"]
    assert not PickLine.objects.filter(picked_quantity__gt=0).exists()


def test_unknown_lines_and_empty_input(world, order):
    pick_list = services.create_pick_lists(order, by=world.warehouse)[0]
    for bad in ({}, None, [], {"x": 1}, {999999: 1}, {True: 1}, {None: 1}):
        with pytest.raises(ValidationFailed):
            services.record_picked(pick_list, bad, by=world.warehouse)
    with pytest.raises(NotAllowed):
        services.record_picked(pick_list, {1: 1}, by=world.sales)


def test_lines_of_another_pick_list_are_refused(world, order):
    pick_list = services.create_pick_lists(order, by=world.warehouse)[0]
    other_order = make_released_order(world)
    other = services.create_pick_lists(other_order, by=world.warehouse)[0]
    foreign = other.lines.first()
    with pytest.raises(ValidationFailed):
        services.record_picked(pick_list, {foreign.pk: 1}, by=world.warehouse)


def test_cancel(world, order):
    pick_list = services.create_pick_lists(order, by=world.warehouse)[0]
    first = pick_list.lines.first()
    services.record_picked(pick_list, {first.pk: 1}, by=world.warehouse)
    with pytest.raises(ValidationFailed) as no_reason:
        services.cancel_pick_list(pick_list, "  ", by=world.warehouse)
    assert "reason" in no_reason.value.fields
    with pytest.raises(ValidationFailed):
        services.cancel_pick_list(pick_list, "x" * 501, by=world.warehouse)
    with pytest.raises(NotAllowed):
        services.cancel_pick_list(pick_list, "x", by=world.sales)

    services.cancel_pick_list(pick_list, "库位错误，重打", by=world.warehouse)
    pick_list.refresh_from_db()
    assert pick_list.status == PickListStatus.CANCELLED
    assert pick_list.cancel_reason == "库位错误，重打"
    assert selectors.prepared_by_line(order) == {}  # cancelled lists count nothing
    entry = audit.entries_for(pick_list).get(action="pick_list_cancelled")
    assert entry.reason == "库位错误，重打"
    with pytest.raises(InvalidTransition):
        services.cancel_pick_list(pick_list, "again", by=world.warehouse)


def test_hidden_order_is_not_found(world, order):
    pick_list = services.create_pick_lists(order, by=world.warehouse)[0]
    hidden = user("x_prep_sales", "sales")
    hidden.user_permissions.add(
        *__import__(
            "django.contrib.auth.models", fromlist=["Permission"]
        ).Permission.objects.filter(codename="prepare_orders")
    )
    hidden = type(hidden).objects.get(pk=hidden.pk)
    with pytest.raises(NotFound):
        services.record_picked(pick_list, {pick_list.lines.first().pk: 1}, by=hidden)


def test_prepared_by_line_is_empty_without_pick_lists(world, order):
    assert selectors.prepared_by_line(order) == {}
    status = selectors.preparation_status(order)
    assert status.percent == Decimal(0)
    assert [line.ordered for line in status.lines] == [Decimal(2), Decimal(5)]


def test_my_tasks_for_warehouse(world, order):
    pick_list = services.create_pick_lists(order, by=world.warehouse)[0]
    tasks = selectors.my_tasks(world.warehouse)
    assert [pick_list.number in task.title for task in tasks] == [True]
    assert selectors.my_tasks(world.sales) == []

"""Reservations: hold, release, issue; never more than is available."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orderdesk.catalog.models import SalesKind
from orderdesk.core import workcalendar
from orderdesk.core.audit import entries_for
from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.inventory import selectors, services
from orderdesk.inventory.errors import InsufficientStock, ReservationClosed, ReservationExists
from orderdesk.inventory.models import Reservation, ReservationStatus, StockLevel, StockMovement

D = Decimal


@pytest.fixture
def stocked(keeper, product, main_wh):
    services.receive_stock(product, main_wh, 10, by=keeper)
    return product


def test_reservation_holds_stock_and_is_audited(seller, stocked, main_wh):
    reservation = services.reserve(stocked, 4, reference="orders.OrderLine:17", by=seller)

    assert (reservation.warehouse, reservation.quantity) == (main_wh, D(4))
    assert selectors.availability(stocked) | {"restock_on": None} == {
        "on_hand": D(10),
        "reserved": D(4),
        "available": D(6),
        "restock_on": None,
    }
    movement = StockMovement.objects.get(kind="reservation")
    assert movement.reservation == reservation
    assert entries_for(reservation).get().action == "stock_reserved"


def test_shortfall_says_what_is_available_and_when_more_comes(seller, stocked):
    with pytest.raises(InsufficientStock) as refused:
        services.reserve(stocked, 11, reference="orders.OrderLine:1", by=seller)

    error = refused.value
    assert (error.code, error.status) == ("insufficient_stock", 409)
    assert error.available == D(10)
    assert error.restock_on == workcalendar.add_working_days(timezone.localdate(), 5)
    assert error.as_dict()["fields"]["available"] == "10.000"
    assert not Reservation.objects.exists()
    assert StockLevel.objects.get().reserved == D(0)


def test_restock_date_comes_from_the_earliest_open_purchase_request(
    keeper, seller, stocked, main_wh
):
    soon = timezone.localdate() + dt.timedelta(days=3)
    services.create_purchase_request(
        stocked, main_wh, 20, expected_on=soon + dt.timedelta(days=9), by=keeper
    )
    services.create_purchase_request(stocked, main_wh, 20, expected_on=soon, by=keeper)

    with pytest.raises(InsufficientStock) as refused:
        services.reserve(stocked, 50, reference="orders.OrderLine:1", by=seller)

    assert refused.value.restock_on == soon


def test_receiving_a_purchase_request_adds_stock_and_closes_it(keeper, stocked, main_wh):
    request = services.create_purchase_request(
        stocked, main_wh, 5, expected_on=timezone.localdate(), by=keeper
    )

    services.receive_purchase_request(request, by=keeper)

    request.refresh_from_db()
    assert request.status == "received"
    assert StockLevel.objects.get().on_hand == D(15)
    assert StockMovement.objects.filter(source_id=str(request.pk)).count() == 1


def test_without_warehouse_the_first_that_can_serve_all_is_used(keeper, seller, stocked, second_wh):
    services.receive_stock(stocked, second_wh, 30, by=keeper)

    reservation = services.reserve(stocked, 20, reference="x:1", by=seller)

    assert reservation.warehouse == second_wh


def test_one_open_reservation_per_reference(seller, stocked):
    services.reserve(stocked, 1, reference="orders.OrderLine:5", by=seller)

    with pytest.raises(ReservationExists):
        services.reserve(stocked, 1, reference="orders.OrderLine:5", by=seller)


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"is_active": False}, "product"), ({"sales_kind": SalesKind.PROHIBITED}, "product")],
)
def test_inactive_or_prohibited_products_cannot_be_reserved(seller, make_product, fields, field):
    product = make_product(**fields)

    with pytest.raises(ValidationFailed) as refused:
        services.reserve(product, 1, reference="x:1", by=seller)

    assert field in refused.value.fields


def test_bad_reservation_input_names_each_field(seller, stocked):
    with pytest.raises(ValidationFailed) as refused:
        services.reserve(stocked, "-2", reference="", by=seller, warehouse="NOPE")

    assert set(refused.value.fields) == {"quantity", "reference", "warehouse"}
    assert not Reservation.objects.exists()


def test_reserving_needs_reserve_stock(make_user, stocked):
    finance = make_user("fin", "finance")

    with pytest.raises(NotAllowed):
        services.reserve(stocked, 1, reference="x:1", by=finance)


def test_release_gives_stock_back_once(seller, stocked):
    reservation = services.reserve(stocked, 4, reference="x:1", by=seller)

    released = services.release(reservation, by=seller, reason="order cancelled")

    assert released.status == ReservationStatus.RELEASED
    assert selectors.availability(stocked)["available"] == D(10)
    with pytest.raises(ReservationClosed):
        services.release(reservation, by=seller)
    # the reference is free again
    services.reserve(stocked, 1, reference="x:1", by=seller)


def test_partial_issue_then_release_of_the_rest(keeper, seller, stocked, main_wh):
    reservation = services.reserve(stocked, 4, reference="x:1", by=seller)

    services.issue(reservation, by=keeper, quantity=3)
    with pytest.raises(ValidationFailed):
        services.issue(reservation, by=keeper, quantity=2)
    services.release(reservation, by=keeper)

    level = StockLevel.objects.get()
    assert (level.on_hand, level.reserved) == (D(7), D(0))
    assert selectors.ledger_totals(stocked, main_wh) == (D(7), D(0))
    assert Reservation.objects.get().issued == D(3)


def test_full_issue_closes_the_reservation(keeper, seller, stocked):
    reservation = services.reserve(stocked, 4, reference="x:1", by=seller)

    issued = services.issue(reservation, by=keeper)

    assert issued.status == ReservationStatus.ISSUED
    assert StockLevel.objects.get().on_hand == D(6)
    with pytest.raises(NotAllowed):
        services.issue(services.reserve(stocked, 1, reference="x:2", by=seller), by=seller)


def test_ledger_recompute_matches_every_stored_level(
    keeper, seller, make_product, main_wh, second_wh
):
    first, second = make_product(), make_product()
    services.receive_stock(first, main_wh, 10, by=keeper)
    services.receive_stock(second, second_wh, 5, by=keeper)
    held = services.reserve(first, 3, reference="a:1", by=seller)
    services.issue(held, by=keeper, quantity=1)
    services.adjust_stock(second, second_wh, delta="-2", by=keeper, reason="damaged")

    assert selectors.ledger_mismatches() == []
    assert selectors.recompute_levels()[first.pk, main_wh.pk] == (D(9), D(2))

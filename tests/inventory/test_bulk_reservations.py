"""Reserving and issuing many lines at once (a large order's warehouse approval and its
shipment): the same outcomes as one call after the other, in queries that do not grow with
the number of lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orderdesk.core.audit import entries_for
from orderdesk.core.errors import ValidationFailed
from orderdesk.inventory import services
from orderdesk.inventory.errors import InsufficientStock, ReservationExists
from orderdesk.inventory.models import Reservation, ReservationStatus, StockLevel, StockMovement

D = Decimal


def stocked(keeper, make_product, warehouse, count: int, quantity: int = 10):
    products = [make_product() for _ in range(count)]
    for product in products:
        services.receive_stock(product, warehouse, quantity, by=keeper)
    return products


def test_reserve_many_serves_each_line_in_turn_as_reserve_would(
    keeper, seller, make_product, main_wh, second_wh
):
    first, second = stocked(keeper, make_product, main_wh, 2)
    services.receive_stock(second, second_wh, 5, by=keeper)
    services.reserve(first, 1, reference="line:taken", by=seller)

    outcomes = services.reserve_many(
        [
            services.Wanted(first, D(6), "line:1"),
            services.Wanted(first, D(4), "line:2"),  # 3 left after line 1: short
            services.Wanted(second, D(12), "line:3"),  # no warehouse holds 12
            services.Wanted(second, D(10), "line:4"),
            services.Wanted(second, D(5), "line:5"),  # the first row is used up: the second
            services.Wanted(first, D(1), "line:taken"),
        ],
        by=seller,
    )

    held, short, too_much, full, other, taken = outcomes
    assert isinstance(held, Reservation)
    assert held.quantity == D(6)
    assert isinstance(short, InsufficientStock)
    assert short.available == D(3)
    assert isinstance(too_much, InsufficientStock)
    assert too_much.available == D(10)
    assert isinstance(full, Reservation)
    assert full.warehouse == main_wh
    assert isinstance(other, Reservation)
    assert other.warehouse == second_wh
    assert isinstance(taken, ReservationExists)
    levels = {(level.product_id, level.warehouse_id): level for level in StockLevel.objects.all()}
    assert levels[first.pk, main_wh.pk].reserved == D(7)
    assert levels[second.pk, main_wh.pk].reserved == D(10)
    assert levels[second.pk, second_wh.pk].reserved == D(5)
    assert StockMovement.objects.filter(kind="reservation").count() == 4
    entry = entries_for(held).get()
    assert entry.action == "stock_reserved"
    assert entry.changes["reserved"] == ["1.000", "7.000"]


def test_issue_many_ships_reserved_stock_and_closes_what_is_used_up(
    keeper, seller, make_product, main_wh
):
    first, second = stocked(keeper, make_product, main_wh, 2)
    a, b = services.reserve_many(
        [services.Wanted(first, D(4), "line:1"), services.Wanted(second, D(5), "line:2")],
        by=seller,
    )

    services.issue_many([(a, D(4)), (b, D(2))], by=keeper)

    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.issued) == (ReservationStatus.ISSUED, D(4))
    assert (b.status, b.issued) == (ReservationStatus.OPEN, D(2))
    level = StockLevel.objects.get(product=second)
    assert (level.on_hand, level.reserved) == (D(8), D(3))
    assert entries_for(a).filter(action="stock_issued").exists()


def test_queries_do_not_grow_with_the_lines(keeper, seller, make_product, main_wh):
    def counted(lines: int, tag: str) -> tuple[int, int]:
        products = stocked(keeper, make_product, main_wh, lines)
        wanted = [services.Wanted(p, D(2), f"{tag}:{n}") for n, p in enumerate(products)]
        with CaptureQueriesContext(connection) as reserving:
            reservations = services.reserve_many(wanted, by=seller)
        with CaptureQueriesContext(connection) as issuing:
            services.issue_many([(r, D(2)) for r in reservations], by=keeper)
        return len(reserving), len(issuing)

    counted(1, "warm")  # content types, permissions: cached once per process
    assert counted(2, "small") == counted(20, "large")


def test_more_than_reserved_is_refused_and_nothing_is_issued(keeper, seller, make_product, main_wh):
    (product,) = stocked(keeper, make_product, main_wh, 1)
    (reservation,) = services.reserve_many([services.Wanted(product, D(3), "line:1")], by=seller)

    with pytest.raises(ValidationFailed, match=r"Only 3\.000 is still reserved"):
        services.issue_many([(reservation, D(4))], by=keeper)

    assert StockLevel.objects.get().on_hand == D(10)

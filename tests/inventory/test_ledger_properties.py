"""Hypothesis walks random sequences of stock operations: available never drops below
zero, refusals change nothing, and the ledger always rebuilds the stored levels."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderdesk.core.errors import DomainError
from orderdesk.inventory import selectors, services
from orderdesk.inventory.models import Reservation, StockLevel, StockMovement

REFERENCES = itertools.count(1)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(40), places=3)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(0, 1), quantities),
        st.tuples(st.just("reserve"), st.sampled_from([None, 0, 1]), quantities),
        st.tuples(st.just("release"), st.integers(0, 20), st.none()),
        st.tuples(st.just("issue"), st.integers(0, 20), st.one_of(st.none(), quantities)),
        st.tuples(st.just("adjust"), st.integers(0, 1), st.decimals(-30, 30, places=3)),
        st.tuples(st.just("return"), st.integers(0, 1), quantities),
    ),
    max_size=25,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_random_operations_never_oversell_and_ledger_agrees(
    keeper, product, main_wh, second_wh, steps
):
    warehouses = [main_wh, second_wh]
    for kind, which, quantity in steps:
        before = levels_and_ledger()
        try:
            apply(kind, which, quantity, keeper, product, warehouses)
        except DomainError:
            assert levels_and_ledger() == before
        for level in StockLevel.objects.all():
            assert level.reserved >= 0
            assert level.on_hand - level.reserved >= 0
        assert selectors.ledger_mismatches() == []
    for level in StockLevel.objects.all():
        open_held = sum(
            (r.open_quantity for r in Reservation.objects.filter(warehouse=level.warehouse_id)),
            Decimal(0),
        )
        assert level.reserved == open_held


def levels_and_ledger() -> tuple[list[tuple[Decimal, Decimal]], int]:
    levels = list(StockLevel.objects.order_by("pk").values_list("on_hand", "reserved"))
    return levels, StockMovement.objects.count()


def apply(kind, which, quantity, by, product, warehouses) -> None:
    if kind == "receive":
        services.receive_stock(product, warehouses[which], quantity, by=by)
    elif kind == "return":
        services.return_stock(product, warehouses[which], quantity, by=by, reason="return")
    elif kind == "adjust":
        services.adjust_stock(product, warehouses[which], delta=quantity, by=by, reason="count")
    elif kind == "reserve":
        warehouse = None if which is None else warehouses[which]
        services.reserve(
            product, quantity, reference=f"t:{next(REFERENCES)}", by=by, warehouse=warehouse
        )
    else:
        reservation = Reservation.objects.filter(status="open").order_by("pk")[which:].first()
        if reservation is None:
            return
        if kind == "release":
            services.release(reservation, by=by)
        else:
            services.issue(reservation, by=by, quantity=quantity)

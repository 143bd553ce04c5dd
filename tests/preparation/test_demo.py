"""The demo's pick lists: open, partly (80 %) and fully picked; safe without orders."""

from __future__ import annotations

import pytest

from orderdesk.demo.preparation import create_pick_lists
from orderdesk.preparation import selectors
from orderdesk.preparation.models import PickList
from tests.factories.orders import make_released_order, make_world

pytestmark = pytest.mark.django_db


def test_nothing_to_do_without_released_orders(db):
    assert create_pick_lists(seed=1) == {"pick_lists": 0, "open": 0, "picked": 0, "cancelled": 0}


def test_demo_pick_lists_in_each_state(db):
    world = make_world()
    orders = [
        make_released_order(world, lines=[{"sku": world.products[0].sku, "quantity": "10"}])
        for _ in range(3)
    ]

    counts = create_pick_lists(seed=7)

    assert counts["pick_lists"] == 3
    assert counts["picked"] == 1
    assert counts["open"] == 2
    percents = sorted(selectors.preparation_status(order).percent for order in orders)
    assert [int(value) for value in percents] == [0, 80, 100]
    assert create_pick_lists(seed=7)["pick_lists"] == 0  # already loaded
    assert PickList.objects.count() == 3

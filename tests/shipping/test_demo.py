"""The demo's shipments: in transit, delivered, late and one with an exception."""

from __future__ import annotations

import pytest
from django.utils import timezone

from orderdesk.aftersales.models import Case
from orderdesk.demo.shipping import create_shipments
from orderdesk.shipping.models import Shipment, ShipmentStatus
from tests.factories.orders import make_released_order, make_world

pytestmark = pytest.mark.django_db


def test_nothing_to_ship_creates_nothing():
    assert create_shipments(seed=7)["shipments"] == 0


def test_the_demo_ships_released_orders_in_every_state():
    world = make_world(stock_each=200)
    for _ in range(4):
        make_released_order(world)
    counts = create_shipments(seed=7)
    assert counts == {
        "shipments": 4,
        "in_transit": 1,
        "delivered": 1,
        "late": 1,
        "exception": 1,
    }
    today = timezone.localdate()
    assert Shipment.objects.filter(status=ShipmentStatus.DELIVERED).count() == 1
    late = Shipment.objects.filter(status=ShipmentStatus.SHIPPED, expected_arrival__lt=today)
    assert late.count() == 1
    assert Case.objects.count() == 1
    assert create_shipments(seed=7)["shipments"] == 0

"""Demo production orders: varied states through the services; safe without released orders."""

from __future__ import annotations

import pytest

from orderdesk.demo.loader import load_demo
from orderdesk.demo.production import create_production
from orderdesk.inventory import selectors as inventory_selectors
from orderdesk.production.models import ProductionOrder, ProgressReport

pytestmark = pytest.mark.django_db


def test_nothing_to_do_without_released_orders():
    counts = create_production(seed=1)
    assert counts["production_orders"] == 0
    assert not ProductionOrder.objects.exists()


def test_demo_production_orders_in_varied_states():
    load_demo(customers=40, products=80, seed=2026)

    counts = create_production(seed=2026)

    if not counts["production_orders"]:
        pytest.skip("the demo has no released order needing production for this seed")
    assert counts["production_orders"] == ProductionOrder.objects.count()
    statuses = set(ProductionOrder.objects.values_list("status", flat=True))
    assert "in_progress" in statuses
    if counts["production_orders"] > 1:
        assert "exception" in statuses
    assert ProgressReport.objects.exists()
    assert inventory_selectors.ledger_mismatches() == []
    assert create_production(seed=2026)["production_orders"] == 0  # a second run adds nothing

"""Two shipments of one order line confirmed from two PostgreSQL connections at once: the
order row lock makes them queue, and the second sees the first and cannot over-ship."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from orderdesk.core.errors import DomainError
from orderdesk.shipping import services
from orderdesk.shipping.models import Shipment, ShipmentLine, ShipmentStatus
from tests.factories.orders import make_released_order, make_world

from .helpers import logistics

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_concurrent_confirmations_cannot_over_ship_a_line():
    world = make_world()
    order = make_released_order(world)
    by = logistics()
    line = order.lines.get(line_no=2)  # 5 ordered
    first = services.create_shipment(
        order, by=by, carrier="SF", lines=[{"line_no": 2, "quantity": "4"}]
    )
    # A second draft written past the check (as if two clerks raced on stale pages): the
    # confirmation re-checks against the other shipments with the order row locked.
    second = Shipment.objects.create(
        number="FH-RACE-2",
        order=order,
        ship_date=first.ship_date,
        warehouse=first.warehouse,
        carrier=first.carrier,
        expected_arrival=first.expected_arrival,
        created_by=by,
        **{
            name: getattr(first, name)
            for name in ("consignee", "consignee_phone", "province", "city", "district", "address")
        },
    )
    ShipmentLine.objects.create(shipment=second, order_line=line, quantity=Decimal(4))

    barrier = threading.Barrier(2)
    results: list[object] = []
    lock = threading.Lock()

    def work(shipment: Shipment) -> None:
        try:
            barrier.wait()
            services.confirm_shipment(Shipment.objects.get(pk=shipment.pk), by=by)
            outcome: object = "ok"
        except DomainError as error:
            outcome = error
        except BaseException as error:  # reported below
            outcome = error
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=work, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count("ok") == 1, results
    [refused] = [r for r in results if r != "ok"]
    assert isinstance(refused, DomainError), refused
    assert refused.code == "shipment_not_ready"
    sent = ShipmentLine.objects.filter(
        order_line=line, shipment__status=ShipmentStatus.SHIPPED
    ).values_list("quantity", flat=True)
    assert sum(sent) == Decimal(4)

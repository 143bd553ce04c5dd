"""Reservations from many PostgreSQL connections at once against too little stock: exactly
the satisfiable ones win, the rest get a clear shortfall, and the books agree."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from orderdesk.accounts.selectors import system_user
from orderdesk.catalog.models import Category, Product
from orderdesk.inventory import selectors, services
from orderdesk.inventory.errors import InsufficientStock
from orderdesk.inventory.models import Reservation, StockLevel, StockMovement, Warehouse

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 60
STOCK = 25


def test_sixty_concurrent_reservations_against_twenty_five_units():
    by = system_user()
    category = Category.objects.create(code="conc", name="并发")
    product = Product.objects.create(sku="CONC-1", name="并发测试品", unit="个", category=category)
    warehouse = Warehouse.objects.create(code="CC01", name="并发仓")
    services.receive_stock(product, warehouse, STOCK, by=by)
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    won: list[Reservation] = []
    short: list[InsufficientStock] = []
    other: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            barrier.wait()
            reservation = services.reserve(
                product, 1, reference=f"orders.OrderLine:{number}", by=by
            )
            with lock:
                won.append(reservation)
        except InsufficientStock as error:
            with lock:
                short.append(error)
        except BaseException as error:  # collected and reported in the main thread
            with lock:
                other.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert other == []
    assert len(won) == STOCK
    assert len(short) == THREADS - STOCK
    assert all(error.available == 0 and error.restock_on is not None for error in short)
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert (level.on_hand, level.reserved) == (Decimal(STOCK), Decimal(STOCK))
    assert Reservation.objects.filter(status="open").count() == STOCK
    assert StockMovement.objects.filter(kind="reservation").count() == STOCK
    assert selectors.ledger_totals(product, warehouse) == (Decimal(STOCK), Decimal(STOCK))
    assert selectors.ledger_mismatches() == []

"""Inventory benchmark (issue 4): reservation throughput.

``run(database)`` is called by bench/runner.py in a fresh database. It stocks 40 products
in one warehouse and has 16 client processes (PostgreSQL; 1 on SQLite, which serialises
writers), each with its own connection, reserve one unit at a time through
``services.reserve`` (row lock, level update, ledger line, reservation, audit entry):
4,000 reservations in all on PostgreSQL, spread over the products as order lines are. A
second row puts every client on a single product, the worst case, where the row lock
serialises all of them. Target: 1,000 reservations/s.

Measured on the 2-core development machine (database and clients sharing the cores): about
350/s spread and 250/s on one product. The cost is Python CPU per reservation (ORM, ledger
line, audit entry: about 3 ms), not waiting for locks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

PRODUCTS = 40
TARGET = 1_000.0


def run(database: str) -> Iterator[dict[str, object]]:
    from bench.runner import measure_processes
    from orderdesk.accounts.selectors import system_user
    from orderdesk.catalog.models import Category, Product
    from orderdesk.inventory import services
    from orderdesk.inventory.models import Warehouse

    by = system_user()
    threads, per_thread = (16, 250) if database == "postgresql" else (1, 500)
    category = Category.objects.create(code="bench-stock", name="压测")
    warehouse = Warehouse.objects.create(code="BENCH", name="压测仓")
    products = [
        Product.objects.create(
            sku=f"BENCH-{n:03d}", name=f"压测品 {n}", unit="个", category=category
        )
        for n in range(PRODUCTS)
    ]
    for product in products:
        services.receive_stock(product, warehouse, threads * per_thread, by=by)

    def reserve_spread(n: int) -> object:
        return services.reserve(
            products[(os.getpid() + n) % PRODUCTS],
            1,
            reference=f"bench:{os.getpid()}:{n}",
            by=by,
            warehouse=warehouse,
        )

    def reserve_hot(n: int) -> object:
        return services.reserve(
            products[0], 1, reference=f"bench:hot:{os.getpid()}:{n}", by=by, warehouse=warehouse
        )

    yield measure_processes(
        f"inventory: reserve 1 unit ({PRODUCTS} products)",
        database,
        threads,
        per_thread,
        reserve_spread,
        target_ops=TARGET,
    )
    yield measure_processes(
        "inventory: reserve 1 unit (one hot product)",
        database,
        threads,
        per_thread // 2,
        reserve_hot,
        target_ops=TARGET,
    )

"""Billing benchmarks (issue 7): the receivables aging report at scale.

``run(database)`` is called by bench/runner.py in a fresh database. A fixture bulk-inserts
``BENCH_OPEN_ITEMS`` issued invoices (default 200,000, the issue's figure) for 2,000
customers with due dates from 150 days ago to 30 days ahead, a fifth of them part-paid, and
times ``billing.selectors.aging`` (all customers, buckets per customer and in total) and one
customer's aging. Target: the full report under 1 s (p95), on PostgreSQL and SQLite.

Measured on the 2-core development machine (``BENCH_ONLY=billing make bench``, 2026-12-04):
200,000 open items, full report p95 454 ms on SQLite and 263 ms on PostgreSQL (one grouped
query with the buckets as conditional sums); one customer's aging 2–3 ms.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

OPEN_ITEMS = int(os.environ.get("BENCH_OPEN_ITEMS", "200000"))
CUSTOMERS = 2_000
BATCH = 5_000
AGING_TARGET_MS = 1000.0


def run(database: str) -> Iterator[dict[str, object]]:
    from .customers import latency_row, total_row

    started = time.perf_counter()
    customers = load_invoices(OPEN_ITEMS)
    yield total_row(
        f"billing: bulk load {OPEN_ITEMS:,} open invoices (setup)",
        database,
        OPEN_ITEMS,
        time.perf_counter() - started,
        600,
    )
    from django.utils import timezone

    from orderdesk.billing import selectors

    today = timezone.localdate()

    def full() -> object:
        report = selectors.aging(on=today)
        assert report["total"]["total"] > 0
        return report

    yield latency_row(
        f"billing: aging report, {OPEN_ITEMS // 1000}k open items", database, timed(full, 10),
        AGING_TARGET_MS,
    )  # fmt: skip
    one = customers[len(customers) // 2]
    yield latency_row(
        "billing: one customer's aging", database,
        timed(lambda: selectors.aging(on=today, customer=one), 20), 150.0,
    )  # fmt: skip


def timed(operation: Any, repeat: int) -> list[float]:
    operation()  # warm: plans, caches
    latencies = []
    for _round in range(repeat):
        start = time.perf_counter()
        operation()
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def load_invoices(count: int) -> list[Any]:
    """2,000 customers with one order each, and ``count`` issued invoices spread over them."""
    from django.db import transaction
    from django.utils import timezone

    from orderdesk.billing.models import Invoice, InvoiceKind, InvoiceStatus
    from orderdesk.core.maintenance import refresh_statistics
    from orderdesk.orders.models import Channel, Order, OrderStatus

    from .orders import bench_user, make_customers

    owner = bench_user("bench_billing_sales", "sales")
    customers = make_customers(CUSTOMERS, prefix="BBL", owners=[owner], uscc_from=720_000_000)
    now = timezone.now()
    orders = Order.objects.bulk_create(
        Order(
            number=f"BB{serial:09d}",
            customer=customer,
            channel=Channel.PHONE,
            received_at=now,
            salesperson=owner,
            created_by=owner,
            status=OrderStatus.SHIPPED,
            delivery_province="广东省",
            delivery_city="广州市",
            delivery_address="天河路 1 号",
        )
        for serial, customer in enumerate(customers)
    )
    rng = random.Random(20261204)
    today = timezone.localdate()
    for start in range(0, count, BATCH):
        rows = []
        for serial in range(start, min(count, start + BATCH)):
            order = orders[rng.randrange(len(orders))]
            net = Decimal(rng.randrange(10_000, 2_000_000)) / 100
            tax = (net * Decimal("0.13")).quantize(Decimal("0.01"))
            gross = net + tax
            issued = today - dt.timedelta(days=rng.randrange(0, 180))
            paid = (gross * Decimal(rng.randrange(10, 90)) / 100).quantize(Decimal("0.01"))
            rows.append(
                Invoice(
                    number=f"BFP{serial:09d}",
                    kind=InvoiceKind.ORDINARY,
                    customer_id=order.customer_id,
                    order=order,
                    status=InvoiceStatus.ISSUED,
                    buyer_title="压测客户",
                    issued_on=issued,
                    due_on=issued + dt.timedelta(days=30),
                    net_amount=net,
                    tax_amount=tax,
                    gross_amount=gross,
                    allocated_amount=paid if rng.random() < 0.2 else Decimal(0),
                    created_by=owner,
                )
            )
        with transaction.atomic():
            Invoice.objects.bulk_create(rows)
    refresh_statistics()
    return customers

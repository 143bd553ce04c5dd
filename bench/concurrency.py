"""Concurrency benchmarks (issue 9): exactness under contention, not throughput.

``run(database)`` is called by bench/runner.py in a fresh database and yields two rows:

**Scarce stock**: one product with ``STOCK`` (100) units; ``CLIENTS`` (200) clients each
reserve one unit for their own order line (``inventory.services.reserve``, reference
``orders.OrderLine:<n>``) at the same moment. Exactly 100 must win, the other 100 must be
refused with ``insufficient_stock`` and nothing else (no deadlock, no lock timeout, no
integrity error), and the books must agree: the stock level's on hand / reserved /
available equal the ledger's sums, the open reservations add up to the reserved quantity,
nothing is negative. PostgreSQL has no room for 200 simultaneous connections (the default
``max_connections`` is 100), so the 200 clients are served by ``WORKERS`` forked processes
with one connection each (32 on PostgreSQL, 16 on SQLite, where the backend queues writers
on a lock file, ``core/sqlite``), released together by a barrier.

**Gapless numbering**: ``CONFIRMERS`` (16) clients each enter an order
(``orders.services.create_order``, which draws the number from ``next_number("order")``)
and submit it (``orders.services.submit``) at the same moment, one process and connection
each. Every call must succeed (no lock-wait or deadlock error), the numbers must be unique
and the day's serials must continue the sequence without a gap.

The result column is PASS/FAIL on exactness; the ops/s and latencies are indicative.
``python -m bench.concurrency`` runs both against a fresh database (``DATABASE_URL``, or a
SQLite file under var/bench/) and exits 1 on a FAIL; ``--clients/--stock/--confirmers``
size it (the smoke test uses tiny numbers).

Measured on the 2-core development machine (2026-12-04, other work running)::

    scenario                                          database    workers  ops/s  p99 ms  result
    concurrency: 200 clients reserve 1 of 100 units   sqlite      16       190.8    322   PASS
    concurrency: 16 clients enter + submit orders     sqlite      16        20.0    899   PASS
    concurrency: 200 clients reserve 1 of 100 units   postgresql  32       124.2   1116   PASS
    concurrency: 16 clients enter + submit orders     postgresql  16        12.5   1388   PASS
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 200
STOCK = 100
CONFIRMERS = 16
WORKERS = {"postgresql": 32, "sqlite": 16}


@dataclass
class Outcome:
    """What one client's call gave: ``ok`` with a value, ``refused`` with the domain error's
    code, or ``error`` with anything else."""

    client: int
    kind: str
    detail: str
    ms: float


def attempt(client: int, operation: Callable[[int], object]) -> Outcome:
    from orderdesk.core.errors import DomainError

    start = time.perf_counter()
    try:
        value = operation(client)
        kind, detail = "ok", str(value)
    except DomainError as error:
        kind, detail = "refused", str(error.code)
    except Exception as error:  # the point of the check: any other error is reported
        kind, detail = "error", f"{type(error).__name__}: {error}"[:300]
    return Outcome(client, kind, detail, (time.perf_counter() - start) * 1000)


def contend(
    clients: int, operation: Callable[[int], object], *, workers: int, processes: bool
) -> tuple[list[Outcome], float]:
    """Call ``operation(n)`` for n in 0..clients-1, spread over ``workers`` forked processes
    (or threads) with their own connection, all released together; returns every outcome
    and the wall time."""
    from django.db import connections

    workers = max(1, min(workers, clients))
    share = [list(range(w, clients, workers)) for w in range(workers)]
    if not processes:
        outcomes: list[Outcome] = []
        lock = threading.Lock()
        barrier = threading.Barrier(workers + 1)

        def thread_client(numbers: list[int]) -> None:
            try:
                barrier.wait()
                for n in numbers:
                    got = attempt(n, operation)
                    with lock:
                        outcomes.append(got)
            finally:
                connections.close_all()

        pool = [threading.Thread(target=thread_client, args=(s,)) for s in share]
        for thread in pool:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in pool:
            thread.join()
        return outcomes, time.perf_counter() - started

    connections.close_all()  # a forked child must open its own connection
    context = multiprocessing.get_context("fork")
    process_barrier = context.Barrier(workers + 1)
    results = context.Queue()

    def process_client(numbers: list[int]) -> None:
        got: list[Outcome] = []
        try:
            process_barrier.wait()
            got = [attempt(n, operation) for n in numbers]
        finally:
            connections.close_all()
            results.put(got)
            results.close()
            results.join_thread()  # flush to the pipe before the hard exit below
            os._exit(0)

    pool_p = [context.Process(target=process_client, args=(s,)) for s in share]
    for process in pool_p:
        process.start()
    process_barrier.wait()
    started = time.perf_counter()
    collected: list[Outcome] = []
    for _ in pool_p:
        collected += results.get(timeout=600)
    wall = time.perf_counter() - started
    for process in pool_p:
        process.join()
    return collected, wall


def result_row(
    name: str,
    database: str,
    workers: int,
    outcomes: list[Outcome],
    wall: float,
    target: str,
    problems: list[str],
) -> dict[str, object]:
    from bench.runner import percentile

    latencies = sorted(outcome.ms for outcome in outcomes) or [0.0]
    return {
        "scenario": name,
        "database": database,
        "concurrency": workers,
        "operations": len(outcomes),
        "ops/s": round(len(outcomes) / wall, 1) if wall else 0.0,
        "p50 ms": round(percentile(latencies, 0.5), 2),
        "p95 ms": round(percentile(latencies, 0.95), 2),
        "p99 ms": round(percentile(latencies, 0.99), 2),
        "target": target if not problems else f"{target}; " + "; ".join(problems)[:400],
        "result": "FAIL" if problems else "PASS",
        "problems": problems,
    }


def tally(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    kinds: dict[str, list[Outcome]] = {"ok": [], "refused": [], "error": []}
    for outcome in outcomes:
        kinds[outcome.kind].append(outcome)
    return kinds


# --- scarce stock ----------------------------------------------------------------------------


def scarce_stock(
    database: str,
    *,
    clients: int = CLIENTS,
    stock: int = STOCK,
    workers: int | None = None,
    processes: bool = True,
) -> dict[str, object]:
    from orderdesk.accounts.selectors import system_user
    from orderdesk.catalog.models import Category, Product
    from orderdesk.inventory import selectors, services
    from orderdesk.inventory.models import Reservation, StockLevel, Warehouse

    by = system_user()
    tag = f"{os.getpid()}-{time.monotonic_ns() % 1_000_000}"
    category, _created = Category.objects.get_or_create(
        code="bench-scarce", defaults={"name": "压测稀缺"}
    )
    product = Product.objects.create(
        sku=f"SCARCE-{tag}", name="稀缺品", unit="个", category=category
    )
    warehouse = Warehouse.objects.create(code=f"SC{tag}"[:20], name="稀缺仓")
    services.receive_stock(product, warehouse, stock, by=by)
    workers = workers or WORKERS[database]

    def reserve(n: int) -> object:
        return services.reserve(
            product, 1, reference=f"orders.OrderLine:{tag}:{n}", by=by, warehouse=warehouse
        ).pk

    outcomes, wall = contend(clients, reserve, workers=workers, processes=processes)
    problems = check_scarce_stock(outcomes, clients, stock)
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    on_hand, reserved = level.on_hand, level.reserved
    available = on_hand - reserved
    if (on_hand, reserved) != (Decimal(stock), Decimal(min(stock, clients))):
        problems.append(f"level on hand {on_hand} / reserved {reserved}")
    if min(on_hand, reserved, available) < 0:
        problems.append(f"negative stock: {on_hand} / {reserved} / {available}")
    ledger = selectors.ledger_totals(product, warehouse)
    if ledger != (on_hand, reserved):
        problems.append(f"ledger {ledger} != level {(on_hand, reserved)}")
    open_reservations = Reservation.objects.filter(
        product=product, warehouse=warehouse, status="open"
    ).values_list("quantity", flat=True)
    if sum(open_reservations, Decimal(0)) != reserved:
        problems.append(f"open reservations add up to {sum(open_reservations)} != {reserved}")
    return result_row(
        f"concurrency: {clients} clients reserve 1 of {stock} units",
        database,
        workers,
        outcomes,
        wall,
        f"exactly {min(stock, clients)} win, the rest insufficient_stock, ledger agrees",
        problems,
    )


def check_scarce_stock(outcomes: list[Outcome], clients: int, stock: int) -> list[str]:
    kinds = tally(outcomes)
    problems = []
    if len(outcomes) != clients:
        problems.append(f"{len(outcomes)} outcomes for {clients} clients")
    if len(kinds["ok"]) != min(stock, clients):
        problems.append(f"{len(kinds['ok'])} won, expected {min(stock, clients)}")
    wrong = [o for o in kinds["refused"] if o.detail != "insufficient_stock"]
    if wrong:
        problems.append(f"{len(wrong)} refused with another code: {wrong[0].detail}")
    if len(kinds["refused"]) != clients - min(stock, clients):
        problems.append(f"{len(kinds['refused'])} refused, expected {clients - stock}")
    if kinds["error"]:
        problems.append(f"{len(kinds['error'])} errors: {kinds['error'][0].detail}")
    return problems


# --- gapless numbering under concurrent confirmations ----------------------------------------


def order_world(tag: str, products: int = 5) -> dict[str, Any]:
    """An intake user, a few customers with ample credit, priced products with stock."""
    import datetime as dt

    from orderdesk.accounts.selectors import system_user
    from orderdesk.catalog.models import Category, Product
    from orderdesk.core.models import Branch
    from orderdesk.inventory import services as stock
    from orderdesk.inventory.models import Warehouse
    from orderdesk.pricing import services as pricing

    try:
        from bench.http import bench_user, make_customers  # type: ignore[import-not-found]
    except ImportError:
        from bench.orders import bench_user, make_customers

    system = system_user()
    branch, _created = Branch.objects.get_or_create(
        code="GD001", defaults={"name": "广州一店", "province": "广东"}
    )
    owner = bench_user(f"bench_{tag}_sales", "sales", branch=branch)
    intake = bench_user(f"bench_{tag}_api", "customer_service")
    serial = int(time.time()) % 1_000_000
    customers = make_customers(
        4, prefix=f"B{tag[:2].upper()}", owners=[owner], uscc_from=720_000_000 + serial * 10
    )
    category, _created = Category.objects.get_or_create(
        code=f"bench-{tag}", defaults={"name": "压测并发品"}
    )
    price_list = pricing.create_price_list(
        {"code": f"bench-{tag}-{serial}", "name": "压测价格", "valid_from": dt.date(2026, 1, 1)},
        by=system,
    )
    warehouse, _created = Warehouse.objects.get_or_create(
        code=f"BENCH-{tag}"[:20], defaults={"name": "压测并发仓"}
    )
    skus = []
    for n in range(products):
        product = Product.objects.create(
            sku=f"{tag.upper()}-{serial}-{n}",
            name=f"压测并发品 {n}",
            spec="DN50",
            unit="台",
            category=category,
            tax_rate=Decimal("0.13"),
            lead_time_days=2,
        )
        pricing.set_price(
            price_list, product, {"unit_price": Decimal(100), "floor_price": Decimal(80)}, by=system
        )
        stock.receive_stock(product, warehouse, 1_000_000, by=system)
        skus.append(product.sku)
    return {"intake": intake, "customers": [c.pk for c in customers], "skus": skus}


def order_body(world: dict[str, Any], n: int, requested: str) -> dict[str, Any]:
    skus = world["skus"]
    return {
        "customer_id": world["customers"][n % len(world["customers"])],
        "channel": "api",
        "contact_name": "王经理",
        "contact_phone": "13800138000",
        "payment_method": "bank_transfer",
        "delivery_province": "广东",
        "delivery_city": "广州市",
        "delivery_district": "天河区",
        "delivery_address": "天河路 1 号",
        "requested_date": requested,
        "customer_reference": f"PO-{os.getpid()}-{n}",
        "lines": [
            {"sku": skus[(n + k) % len(skus)], "quantity": str(1 + (n + k) % 4)} for k in range(3)
        ],
    }


def serial_of(number: str) -> int:
    """The serial of an order number (pattern ``{branch}-{yyyymmdd}-{seq:2}``)."""
    return int(number.rsplit("-", 1)[1])


def sequence_state() -> dict[tuple[str, str], int]:
    """Last value of every order number sequence, by (prefix, period)."""
    from orderdesk.core.models import NumberSequence

    return {
        (prefix, period): last
        for prefix, period, last in NumberSequence.objects.filter(rule__kind="order").values_list(
            "prefix", "period", "last_value"
        )
    }


def confirmations(
    database: str, *, clients: int = CONFIRMERS, processes: bool = True
) -> dict[str, object]:
    from django.utils import timezone

    from orderdesk.core import workcalendar
    from orderdesk.orders import services
    from orderdesk.orders.models import Order

    world = order_world("cn")
    by = world["intake"]
    requested = workcalendar.add_working_days(timezone.localdate(), 20).isoformat()
    before = sequence_state()

    def enter_and_submit(n: int) -> object:
        order = services.create_order(order_body(world, n, requested), by=by)
        submitted = services.submit(order.pk, by=by)
        if submitted.status != "in_review":
            raise RuntimeError(f"order {submitted.number} is {submitted.status}")
        return submitted.number

    outcomes, wall = contend(clients, enter_and_submit, workers=clients, processes=processes)
    after = sequence_state()
    numbers = [o.detail for o in outcomes if o.kind == "ok"]
    problems = check_numbers(outcomes, clients, before, after)
    stored = Order.objects.filter(number__in=numbers).count()
    if stored != len(numbers):
        problems.append(f"{stored} orders stored for {len(numbers)} numbers")
    return result_row(
        f"concurrency: {clients} clients enter + submit orders",
        database,
        clients,
        outcomes,
        wall,
        "every call succeeds, numbers unique and gapless",
        problems,
    )


def check_numbers(
    outcomes: list[Outcome],
    clients: int,
    before: dict[tuple[str, str], int],
    after: dict[tuple[str, str], int],
) -> list[str]:
    kinds = tally(outcomes)
    problems = []
    if len(kinds["ok"]) != clients:
        problems.append(f"{len(kinds['ok'])} of {clients} succeeded")
    failed = kinds["refused"] + kinds["error"]
    if failed:
        problems.append(f"{len(failed)} failed: {failed[0].detail}")
    return problems + check_numbers_gapless([o.detail for o in kinds["ok"]], before, after)


def check_numbers_gapless(
    numbers: list[str],
    before: dict[tuple[str, str], int],
    after: dict[tuple[str, str], int] | None = None,
) -> list[str]:
    """``numbers`` (the order numbers of a run) are unique, and they are exactly the serials
    the sequences advanced by since ``before``: none skipped, none drawn twice."""
    after = sequence_state() if after is None else after
    problems = []
    if len(set(numbers)) != len(numbers):
        problems.append(f"duplicate numbers: {len(numbers) - len(set(numbers))}")
    drawn = sum(last - before.get(key, 0) for key, last in after.items())
    if drawn != len(numbers):
        problems.append(f"{drawn} serials drawn for {len(numbers)} orders (a gap)")
    by_day: dict[str, list[int]] = {}
    for number in numbers:
        prefix, _sep, _serial = number.rpartition("-")
        by_day.setdefault(prefix, []).append(serial_of(number))
    for prefix, serials in by_day.items():
        serials.sort()
        if serials != list(range(serials[0], serials[0] + len(serials))):
            problems.append(f"gap in {prefix}: {serials[:5]}…")
    return problems


# --- entry points ------------------------------------------------------------------------------


def run(database: str) -> Iterator[dict[str, object]]:
    yield scarce_stock(database)
    yield confirmations(database)


def fresh_database() -> str:
    """Set Django up on a fresh database: ``DATABASE_URL`` (PostgreSQL: its test database,
    recreated) or a SQLite file; returns the vendor (as bench/runner.py does)."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        return "postgresql"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.DATABASES['default']['NAME']}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    return "sqlite"


def bench_environment(name: str) -> None:
    """Settings for a stand-alone run: production settings, a bench key, and (without a
    ``DATABASE_URL``) a SQLite file under var/bench/."""
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("ORDERDESK_VAR_DIR", str(var / "tmp"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderdesk.config.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var / f'{name}.sqlite3'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--stock", type=int, default=STOCK)
    parser.add_argument("--confirmers", type=int, default=CONFIRMERS)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args(argv)
    bench_environment("concurrency")
    database = fresh_database()
    rows = [
        scarce_stock(
            database, clients=args.clients, stock=args.stock, workers=args.workers or None
        ),
        confirmations(database, clients=args.confirmers),
    ]
    for row in rows:
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0 if all(row["result"] == "PASS" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Order benchmarks (issue 5): intake end to end through the API, and the order list.

``run(database)`` is called by bench/runner.py in a fresh database and yields result rows
in the runner's format.

**Intake** ("create an order with 5 lines, then submit it"), end to end: the bench starts
the production server (``orderdesk serve``: gunicorn, gthread workers, DEBUG off) on a free
port against the bench database, waits for ``/healthz``, issues an API token for an
integration user (customer service) and has client processes (16 on PostgreSQL, 4 on
SQLite, which serialises writers), each with one keep-alive connection (``http.client``;
httpx is not in the lock files), send ``POST /api/v1/orders`` (with an
``Idempotency-Key``, as integrations do) and ``POST /api/v1/orders/{id}/submit``. One
operation is both requests; the row gives orders/s and the latency of the pair. Targets:
300 orders/s on PostgreSQL, 150 on SQLite, p99 under 200 ms. ``BENCH_WEB_WORKERS`` and
``BENCH_WEB_THREADS`` size the server (default: 2 × cores + 1 workers, 2 threads).

**Order list**: a fixture bulk-inserts ``BENCH_ORDERS`` orders (default 200,000; the issue's
figure is ``BENCH_ORDERS=1000000``) over two years, 20 salespeople and 2,000 customers, then
``selectors.search_orders`` materialises one page (50 rows and the one-more probe, as the
API does) for: the first page (all orders, as finance or a manager sees them), a
salesperson's own orders, a filtered page (status + salesperson) and a deep keyset page
(the API's ``after`` cursor half-way down the list). Target p95 < 150 ms each. A last row
times the API list request itself in-process (page, ``count`` and rendering) and checks
that its queries do not grow with the rows shown (10 vs 200 rows).

Measured on the 2-core development machine (database, server and 16 clients sharing the
two cores; ``BENCH_ONLY=orders make bench``, 2026-11-23, machine otherwise idle)::

    scenario                                  database    ops/s  p50 ms  p95 ms  p99 ms  result
    API intake, 5 lines + submit (4 clients)  sqlite       27.1   131.1   210.5   321.2  FAIL
    API intake, 5 lines + submit (16 clients) postgresql   24.2   428.3  1340.8  1564.2  FAIL
    list 200k, first page                     sqlite              3.7     3.9     3.9   PASS
    list 200k, salesperson's own              sqlite             19.8    20.3    20.4   PASS
    list 200k, status + salesperson           sqlite              4.0     4.2     4.2   PASS
    list 200k, deep keyset page               sqlite            184.3   194.9   209.5   FAIL
    API list 200k, page of 50 with count      sqlite             12.2    13.4    13.4   PASS
    list 200k, first page                     postgresql          4.4     4.7     4.7   PASS
    list 200k, salesperson's own              postgresql          5.5     6.5     6.6   PASS
    list 200k, status + salesperson           postgresql          4.7     4.9     4.9   PASS
    list 200k, deep keyset page               postgresql         60.9    63.1    63.5   PASS
    API list 200k, page of 50 with count      postgresql         34.8    36.8    36.8   PASS

With ``BENCH_ORDERS=1000000`` on PostgreSQL (bulk load 220 s): first page p95 23 ms, a
salesperson's own 6.5 ms, status + salesperson 5.7 ms, but the deep keyset page 1,207 ms
and the API page with its ``count`` 212 ms (both FAIL); queries per API page stay at 5 for
10 and for 200 rows.

What the numbers say:

- Intake is CPU-bound: one order (create + submit, about 60 queries) costs about 45 ms of
  server CPU, so two cores top out near 25 orders/s whatever the concurrency; 16 clients
  only queue (p50 0.4 s). The profile's largest items: ``selectors.order_for`` runs three
  times per request pair (the view, then ``order_detail`` again, about 10 ms per order);
  ``workcalendar.current()`` reads the company profile and calendar from the database on
  every call (7 calls, 14 queries per order: one per line's lead time in ``checks.findings``
  and per step due time); stock availability is 2 queries per line. The targets (300/150
  orders/s, p99 < 200 ms) need both fewer queries per order and more cores.
- The deep keyset page used to filter ``received_at < t OR (received_at = t AND id < n)``
  only, which neither database turns into an index range (1,207 ms at 1M rows). The cursor
  filter now adds the redundant bound ``received_at <= t`` (``orders.api.after_cursor``):
  an index range scan, 1,163 ms → 6 ms at 1M rows on PostgreSQL; after the fix at 20k rows
  (``BENCH_ORDERS=20000``): 3.8 ms SQLite, 5.1 ms PostgreSQL. The work calendar is now read
  once per request (``core.context.request_memo``), roles once per user object, review
  settings once per request, the order's lock and visibility check are one query and the
  API answers with the saved order: about 49 queries per order instead of 53, intake
  39.2 orders/s (SQLite, 4 clients, p99 441 ms) and 31.5 (PostgreSQL, 16 clients, p99
  1.3 s). ORM and database CPU per order is the limit.
- 2026-12-04 (issue 5's last stop): roles and permissions in one query per request
  (``accounts.backends.RoleBackend``), idempotency keys purged hourly instead of on every
  request, the customer read with its credit file and owner, submit locking the order once
  (no separate visibility read) and inserting the first review stage already started:
  58 → 40 queries per create + submit; in-process 25 → 20 ms per order. SQLite connections
  are now kept between requests (opening one and running the PRAGMAs cost ~6 ms per order)
  and write transactions queue on a lock file (``core/sqlite``) instead of SQLite's
  sleep-and-retry busy handler. Measured (``BENCH_ONLY=orders BENCH_ORDERS=20000``)::

    API intake, 5 lines + submit (4 clients)   sqlite      63.9 orders/s  p50 48 ms  p99 384 ms
    API intake, 5 lines + submit (16 clients)  postgresql  39.2 orders/s  p50 277 ms p99 920 ms

  Why the targets stay out of reach on this machine: measured against the running server,
  one create + submit costs 20.6 ms of server CPU on SQLite and 26 ms on PostgreSQL (plus
  the PostgreSQL backend's own CPU and the clients', on the same two cores); an
  authenticated API request that reads one small table costs 2 ms in-process, so the pair
  has a floor of ~4 ms before any business rule. 300 orders/s on two cores leaves 6.7 ms of
  CPU per order for server, database and clients together. The rest is spread thin over
  ~40 ORM queries (~0.3 ms each) and the rules themselves (pricing, numbering, audit,
  review steps, credit and stock checks); no single item is above 8 % of the profile.
  With 16 clients p99 is queueing: 16 / 39 per second ≈ 0.4 s on average.
- ``count()`` of the unfiltered list grows with the table (36 ms at 200k, 100-200 ms at 1M
  on PostgreSQL); an estimate or a capped count would keep the API page constant.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from .http import (  # re-exported: other bench modules import them from here
    ApiClient,
    Server,
    bench_user,
    failed_row,
    make_customers,
    set_up,
    tokens_for,
)

__all__ = ["IntakeClient", "Server", "bench_user", "failed_row", "make_customers", "set_up"]

LINES = 5
INTAKE_TARGET = {"postgresql": 300.0, "sqlite": 150.0}
INTAKE_P99_MS = 200.0
LIST_ORDERS = int(os.environ.get("BENCH_ORDERS", "200000"))
LIST_CUSTOMERS = 2_000
SALESPEOPLE = 20
PAGE = 50
LIST_P95_MS = 150.0
BATCH = 5_000


def run(database: str) -> Iterator[dict[str, object]]:
    world = set_up()
    yield intake_row(database, world)
    yield from list_rows(database, world)


# --- intake through the API ----------------------------------------------------------------


def intake_row(database: str, world: dict[str, Any]) -> dict[str, object]:
    from django.utils import timezone

    from orderdesk.core import workcalendar

    from .runner import measure_processes

    clients, per_client = (16, 50) if database == "postgresql" else (4, 75)
    clients = int(os.environ.get("BENCH_INTAKE_CLIENTS", clients))
    per_client = int(os.environ.get("BENCH_INTAKE_PER_CLIENT", per_client))
    raw = tokens_for({"intake": world["intake"]}, "bench")["intake"]
    requested = workcalendar.add_working_days(timezone.localdate(), 20).isoformat()
    name = f"orders: API intake, create {LINES} lines + submit"
    server = Server(database)
    try:
        server.start()
        client = IntakeClient(server.port, raw, world, requested)
        for n in range(20):  # warm every worker: imports, translations, prepared plans
            client.intake(10_000_000 + n)
        client.close()
        row = measure_processes(
            name,
            database,
            clients,
            per_client,
            client.intake,
            target_ops=INTAKE_TARGET[database],
        )
    except Exception as error:  # one failed scenario must not lose the other rows
        return failed_row(name, database, f"{type(error).__name__}: {error}"[:300])
    finally:
        server.stop()
    row["peak RSS MB"] = server.peak_rss_mb
    p99 = float(row["p99 ms"])  # type: ignore[arg-type]
    row["target"] = f">= {INTAKE_TARGET[database]:g} orders/s, p99 < {INTAKE_P99_MS:g} ms"
    if p99 >= INTAKE_P99_MS:
        row["result"] = "FAIL"
    return row


class IntakeClient(ApiClient):
    """One keep-alive connection per client process (opened in the process that uses it)."""

    def __init__(self, port: int, token: str, world: dict[str, Any], requested: str) -> None:
        super().__init__(port, {"intake": token})
        self.customers = world["customers"]
        self.skus = world["skus"]
        self.requested = requested

    def post(self, path: str, body: dict[str, Any], expect: int, **headers: str) -> Any:
        return self.call("POST", path, body, expect, role="intake", **headers)

    def intake(self, n: int) -> object:
        pid = os.getpid()
        rng = random.Random(pid * 1_000_003 + n)
        body = {
            "customer_id": rng.choice(self.customers),
            "channel": "api",
            "contact_name": "王经理",
            "contact_phone": "13800138000",
            "payment_method": "bank_transfer",
            "delivery_province": "广东",
            "delivery_city": "广州市",
            "delivery_district": "天河区",
            "delivery_address": "天河路 1 号",
            "requested_date": self.requested,
            "customer_reference": f"PO-{pid}-{n}",
            "lines": [
                {"sku": sku, "quantity": str(rng.randint(1, 5))}
                for sku in rng.sample(self.skus, LINES)
            ],
        }
        order = self.post("/api/v1/orders", body, 201, **{"Idempotency-Key": f"bench-{pid}-{n}"})
        submitted = self.post(f"/api/v1/orders/{order['id']}/submit", {}, 200)
        if submitted["status"] != "in_review":
            raise RuntimeError(f"order {order['number']} is {submitted['status']}")
        return submitted


# --- the order list --------------------------------------------------------------------------


def list_rows(database: str, world: dict[str, Any]) -> Iterator[dict[str, object]]:
    from .customers import latency_row, total_row

    started = time.perf_counter()
    salespeople = load_orders(LIST_ORDERS)
    yield total_row(
        f"orders: bulk load {LIST_ORDERS:,} orders (setup)",
        database,
        LIST_ORDERS,
        time.perf_counter() - started,
        600,
    )
    from orderdesk.orders import selectors
    from orderdesk.orders.api import after_cursor, cursor_of

    admin = world["admin"]
    seller = salespeople[0]

    def page(orders: Any) -> Callable[[], object]:
        return lambda: list(orders[: PAGE + 1])

    newest_first = selectors.search_orders(admin)
    middle = newest_first[LIST_ORDERS // 2]
    scenarios: list[tuple[str, Callable[[], object]]] = [
        ("first page", page(newest_first)),
        ("first page of a salesperson's own", page(selectors.search_orders(seller))),
        (
            "page filtered by status + salesperson",
            page(selectors.search_orders(admin, status="approved", salesperson=seller.pk)),
        ),
        (
            "deep keyset page (half-way)",
            page(after_cursor(selectors.search_orders(admin), cursor_of(middle))),
        ),
    ]
    size = f"{LIST_ORDERS // 1000:,}k"
    for label, operation in scenarios:
        operation()  # warm
        latencies = timed(operation, 30)
        yield latency_row(f"orders: list {size}, {label}", database, latencies, LIST_P95_MS)
    yield api_list_row(database, admin, size)


def load_orders(count: int) -> list[Any]:
    """Bulk-insert ``count`` orders over two years; returns the salespeople."""
    from django.db import transaction
    from django.utils import timezone

    from orderdesk.core.maintenance import refresh_statistics
    from orderdesk.orders.models import Channel, Order, OrderStatus

    salespeople = [bench_user(f"bench_list_sales{n:02d}", "sales") for n in range(SALESPEOPLE)]
    customers = make_customers(
        LIST_CUSTOMERS, prefix="BOL", owners=salespeople, uscc_from=710_000_000
    )
    rng = random.Random(20261123)
    now = timezone.now()
    span = 2 * 365 * 24 * 3600
    statuses = [
        (OrderStatus.COMPLETED, 40),
        (OrderStatus.APPROVED, 12),
        (OrderStatus.RELEASED, 10),
        (OrderStatus.SHIPPED, 8),
        (OrderStatus.IN_REVIEW, 8),
        (OrderStatus.DRAFT, 8),
        (OrderStatus.CANCELLED, 6),
        (OrderStatus.RETURNED, 4),
        (OrderStatus.ON_HOLD, 4),
    ]
    status_values = [status for status, _weight in statuses]
    weights = [weight for _status, weight in statuses]
    channels = list(Channel.values)
    for start in range(0, count, BATCH):
        rows = []
        for serial in range(start, min(count, start + BATCH)):
            customer = customers[rng.randrange(len(customers))]
            net = Decimal(rng.randrange(10_000, 5_000_000)) / 100
            tax = (net * Decimal("0.13")).quantize(Decimal("0.01"))
            rows.append(
                Order(
                    number=f"BL{serial:09d}",
                    customer=customer,
                    contact_name="王经理",
                    contact_phone="13800138000",
                    channel=rng.choice(channels),
                    received_at=now - dt.timedelta(seconds=rng.randrange(span)),
                    salesperson_id=customer.owner_id,
                    created_by_id=customer.owner_id,
                    status=rng.choices(status_values, weights)[0],
                    net_amount=net,
                    tax_amount=tax,
                    total_amount=net + tax,
                    delivery_province="广东省",
                    delivery_city="广州市",
                    delivery_address="天河路 1 号",
                )
            )
        with transaction.atomic():
            Order.objects.bulk_create(rows)
    refresh_statistics()  # as after every bulk load
    return salespeople


def timed(operation: Callable[[], object], repeat: int) -> list[float]:
    latencies = []
    for _round in range(repeat):
        start = time.perf_counter()
        operation()
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def api_list_row(database: str, admin: Any, size: str) -> dict[str, object]:
    """GET /api/v1/orders in-process (page, count, rendering): time, and queries per page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from orderdesk.accounts import services as accounts
    from orderdesk.accounts.selectors import system_user

    from .customers import latency_row

    _token, raw = accounts.create_api_token(admin, by=system_user(), name="bench-list")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(limit: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/orders", {"limit": limit})
        if response.status_code != 200:
            raise RuntimeError(f"GET /api/v1/orders: {response.status_code}")
        return len(queries)

    get(PAGE)  # warm: the token's "last used" stamp, caches
    small, large = get(10), get(200)
    latencies = timed(lambda: get(PAGE), 20)
    row = latency_row(
        f"orders: API list {size}, page of {PAGE} with count", database, latencies, LIST_P95_MS
    )
    row["target"] = f"{row['target']}; queries 10 rows {small} = 200 rows {large}"
    if small != large:
        row["result"] = "FAIL"
    return row

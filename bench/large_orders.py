"""Large orders (issue 9): one order of 1, 50, 200 and 1,000 lines through its whole life,
each step timed on its own, in-process through the services (the server-side cost).

Other systems are reported to break down here (minutes to confirm a 300-line order, 30 s
to edit one line of a 1,000-line order, 166 s to submit a 161-line delivery note). For each
size the bench creates the order, submits it, approves every review step it gets, sends
and records the customer's confirmation, releases it, changes one line through a change
request (create → every department approves → apply), ships it (one shipment: create +
confirm) and invoices it (create + issue). ``BENCH_LARGE_REPEATS`` orders per size
(default 3; ``BENCH_LARGE_SIZES=1,50,200,1000``) give p50/p95/p99.

Rows: one per size × step (target: under 2 s), one growth check per step
(time(1000) / time(200) ≤ 5.5: linear or better, with some slack for noise; 1,000 / 200
is 5 × the lines) and the entry form's live totals (``orders/entry/quote/``: the htmx
request re-pricing the form as typed) with 200 lines, p95 under 100 ms. Each row's
``target`` also gives the queries the step ran (p50 repeat), so a growth in queries shows
next to a growth in time.

Measured on the 2-core development machine, shared with other helpers' test runs
(indicative only), 2026-12-04. 1,000 lines, p50 ms (queries); "before" is the first run
(SQLite, one order), "after" three orders per size, this module alone in a fresh
database::

    step               SQLite before     SQLite after    PostgreSQL after   growth 200→1000
                                                                            SQLite / PG
    create              108 (34)          140 (34)         136 (14)          4.2 / 2.7
    submit              210 (21)          104 (21)          81 (20)          4.3 / 2.2
    approve            2071 (11,038)      396 (80)         577 (47)          4.4 / 4.1
    confirm            1156 (22)         1573 (22)        1458 (20)          4.0 / 4.8
    release               8 (11)            9 (11)          11 (10)          1.2 / 1.0
    change: request     121 (41)          160 (41)         205 (40)          3.6 / 3.4
    change: approve       8 (18)            9 (18)          14 (16)          1.2 / 0.9
    change: apply       236 (73)          331 (73)         266 (72)          3.4 / 2.5
    ship: create        107 (22)          143 (22)         227 (17)          2.7 / 5.5
    ship: confirm      4312 (9,031)      1721 (63)        1588 (40)          6.9 / 5.5
    invoice: create     169 (38)          232 (38)         227 (24)          3.9 / 4.6
    invoice: issue        3 (9)             6 (9)            7 (8)           1.6 / 1.2
    entry form totals, 200 lines: p50 167 ms SQLite, 103 ms PostgreSQL (13 queries) — FAIL

Every step of the 1,000-line order is under 2 s at p50; ``ship: confirm`` and ``confirm``
are the ones near the limit (p95 1.7–2.1 s), both because of a PDF (below). The growth
ratios hover around 4–5.5 with this much noise (200-line steps of 30–100 ms), the queries
are flat except where bulk inserts are batched (500 rows a batch).

What was fixed:

- **Approve** (the warehouse step reserves stock for every line): ``stock.reserve`` per
  line was ~11 queries (product re-read, warehouses, lock, reservation, level, movement,
  audit, two savepoints). ``inventory.services.reserve_many`` does all lines in a fixed
  number of queries — the stock rows of every product locked in one query in primary-key
  order, the lines served in order exactly as one ``reserve`` after the other would, then
  reservations, movements and audit entries bulk-inserted and the levels written back in
  one ``executemany`` (``ledger.post_many`` / ``write_back``; Django's ``bulk_update``
  builds a ``CASE WHEN`` per row and field, slower than the queries it saves here).
- **Ship: confirm** (issuing the stock of every line): one open-reservation read per line
  and ``stock.issue`` per line (~9 queries each) → one read for the shipment and
  ``inventory.services.issue_many`` (levels and reservations locked in one query each).
- Query counts no longer grow with the lines except for bulk-insert batches of 500
  (tests/inventory/test_bulk_reservations.py checks 2 vs 20 lines).

What is left (not in the files this work owned):

- **PDFs**: the customer's confirmation (``confirm``: ``orders.documents.confirmation_pdf``,
  sent in ``on_commit`` of ``send_confirmation``) and the delivery notice (in ``ship:
  confirm``: ``shipping.documents.notice_pdf`` via ``notices.deliver_notice``) are rendered
  inside the request: about 1.2 s of each of the two steps at 1,000 lines (linear:
  ~15 reportlab ``Paragraph`` cells per line with CJK line breaking, ~45,000 ``wrap``
  calls). Plain strings for the cells that never wrap (numbers, units, codes) or rendering
  the mails in a queued task would take both steps well under 2 s.
- **Entry form totals** (``orders.views.entry.quote``, one pricing call for all rows):
  100–170 ms p50 for 200 rows with 13 queries. Profile: building the 200 line forms
  (``Form.__init__`` deep-copies the fields, ~30 %), rendering the rows (~30 %), pricing
  (``drafts.price``, ~11 %); the database is not the limit. Cheaper forms (or pricing the
  raw POST without a bound formset) and a leaner row partial would be the fix.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

SIZES = tuple(int(n) for n in os.environ.get("BENCH_LARGE_SIZES", "1,50,200,1000").split(","))
STEP_TARGET_MS = 2000.0
QUOTE_TARGET_MS = 100.0
QUOTE_LINES = 200
GROWTH_LIMIT = 5.5
STEPS = (
    "create",
    "submit",
    "approve",
    "confirm",
    "release",
    "change: request",
    "change: approve",
    "change: apply",
    "ship: create",
    "ship: confirm",
    "invoice: create",
    "invoice: issue",
)


def repeats_for(lines: int) -> int:
    """Three orders per size: one order of 1,000 lines is too noisy on a shared machine for
    the growth check (its median is what is compared)."""
    return int(os.environ.get("BENCH_LARGE_REPEATS", "3"))


@dataclass
class Timing:
    ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)


def run(
    database: str,
    sizes: Sequence[int] = SIZES,
    repeats: int | None = None,
    quote_lines: int = QUOTE_LINES,
) -> Iterator[dict[str, object]]:
    from django.test import override_settings

    world = set_up(max(*sizes, quote_lines))
    measured: dict[int, dict[str, Timing]] = {}
    for lines in sizes:
        timings: dict[str, Timing] = {step: Timing() for step in STEPS}
        # The customer's mails are built and handed to the backend as in production; the
        # dummy backend keeps the console one from printing them into the runner's output.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for _round in range(repeats or repeats_for(lines)):
                require_done(life_of_an_order(world, lines, timings), lines)
        measured[lines] = timings
        for step in STEPS:
            yield step_row(database, lines, step, timings[step])
    if 200 in measured and 1000 in measured:
        for step in STEPS:
            yield growth_row(database, step, measured[200][step], measured[1000][step])
    yield quote_row(database, world, quote_lines)


# --- rows ----------------------------------------------------------------------------------


def step_row(database: str, lines: int, step: str, timing: Timing) -> dict[str, object]:
    from .runner import percentile

    p95 = percentile(timing.ms, 0.95)
    return {
        "scenario": f"large order: {step} {lines} lines",
        "database": database,
        "concurrency": 1,
        "operations": len(timing.ms),
        "ops/s": round(1000 * len(timing.ms) / sum(timing.ms), 1),
        "p50 ms": round(statistics.median(timing.ms), 2),
        "p95 ms": round(p95, 2),
        "p99 ms": round(percentile(timing.ms, 0.99), 2),
        "target": f"< {STEP_TARGET_MS:g} ms ({int(statistics.median(timing.queries))} queries)",
        "result": "PASS" if p95 < STEP_TARGET_MS else "FAIL",
    }


def growth_row(database: str, step: str, small: Timing, large: Timing) -> dict[str, object]:
    ratio = statistics.median(large.ms) / max(statistics.median(small.ms), 0.001)
    queries = (int(statistics.median(small.queries)), int(statistics.median(large.queries)))
    return {
        "scenario": f"large order: {step} growth 200 → 1000 lines",
        "database": database,
        "concurrency": 1,
        "operations": len(small.ms) + len(large.ms),
        "target": (
            f"time ratio <= {GROWTH_LIMIT:g} (was {ratio:.1f}; queries {queries[0]} → {queries[1]})"
        ),
        "result": "PASS" if ratio <= GROWTH_LIMIT else "FAIL",
    }


def quote_row(database: str, world: World, lines: int) -> dict[str, object]:
    from django.test import Client

    from .customers import latency_row

    client = Client()
    client.force_login(world.sales)
    data = entry_form(world, lines)
    last = f'id="line-{lines - 1}-total"'.encode()
    queries: list[int] = []

    def post() -> None:
        with counting() as count:
            response = client.post("/orders/entry/quote/", data)
        if response.status_code != 200 or last not in response.content:
            raise RuntimeError(f"entry quote: {response.status_code}")
        queries.append(count[0])

    post()  # warm: session, templates, translations
    latencies = timed(post, 10)
    row = latency_row(
        f"large order: entry form totals {lines} lines", database, latencies, QUOTE_TARGET_MS
    )
    row["target"] = f"{row['target']} ({int(statistics.median(queries))} queries)"
    return row


def timed(operation: Callable[[], object], repeat: int) -> list[float]:
    latencies = []
    for _round in range(repeat):
        start = time.perf_counter()
        operation()
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


class counting:
    """Counts the queries run inside the block (``[n]`` after it), without the overhead of
    Django's captured-queries debug cursor."""

    def __enter__(self) -> list[int]:
        from django.db import connection

        self.count = [0]

        def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            self.count[0] += 1
            return execute(sql, params, many, context)

        self.wrapper = wrapper
        connection.execute_wrappers.append(wrapper)
        return self.count

    def __exit__(self, *exc: object) -> None:
        from django.db import connection

        connection.execute_wrappers.remove(self.wrapper)


# --- the life of an order ------------------------------------------------------------------


def life_of_an_order(world: World, lines: int, timings: dict[str, Timing]) -> dict[str, Any]:
    """One order of ``lines`` lines from entry to an issued invoice; returns what the steps
    produced (the smoke test checks it)."""
    from orderdesk.billing import services as billing
    from orderdesk.changes import services as changes
    from orderdesk.orders import services
    from orderdesk.orders.models import Order
    from orderdesk.shipping import services as shipping

    def step(name: str, operation: Callable[[], Any]) -> Any:
        with counting() as count:
            start = time.perf_counter()
            result = operation()
            elapsed = (time.perf_counter() - start) * 1000
        timings[name].ms.append(elapsed)
        timings[name].queries.append(count[0])
        return result

    order = step(
        "create", lambda: services.create_order(order_values(world, lines), by=world.sales)
    )
    step("submit", lambda: services.submit(order, by=world.sales))
    step("approve", lambda: approve_all(world, order))
    step("confirm", lambda: confirm(world, order))
    step("release", lambda: services.release(Order.objects.get(pk=order.pk), by=world.manager))
    order = Order.objects.get(pk=order.pk)
    target = order.lines.order_by("-line_no").first()
    assert target is not None
    request = step(
        "change: request",
        lambda: changes.create_change_request(
            order,
            by=world.service,
            party="customer",
            reason="客户来电要求变更",
            reason_category="customer_request",
            requested_by_name="王经理",
            proposal={"lines": [{"line_id": target.pk, "quantity": str(target.quantity + 1)}]},
        ),
    )
    step("change: approve", lambda: approve_change(world, request))
    applied = step("change: apply", lambda: changes.apply_change(request, by=world.service))
    order = Order.objects.get(pk=order.pk)
    shipment = step(
        "ship: create",
        lambda: shipping.create_shipment(
            order, by=world.logistics, carrier="SF", tracking_number="SF1234567890123"
        ),
    )
    step("ship: confirm", lambda: shipping.confirm_shipment(shipment, by=world.logistics))
    order = Order.objects.get(pk=order.pk)
    invoice = step(
        "invoice: create", lambda: billing.create_invoice(order, "ordinary", by=world.finance)
    )
    issued = step("invoice: issue", lambda: billing.issue_invoice(invoice, by=world.finance))
    return {
        "order": Order.objects.get(pk=order.pk),
        "change": applied,
        "shipment": shipment,
        "invoice": issued,
    }


def require_done(done: dict[str, Any], lines: int) -> None:
    """The steps did what they should: the order shipped, the change applied, the invoice
    issued for every line (a step that silently did less would time as fast)."""
    problems = []
    if done["order"].status != "shipped":
        problems.append(f"order {done['order'].status}")
    if done["change"].status != "applied":
        problems.append(f"change {done['change'].status}")
    if done["invoice"].status != "issued" or done["invoice"].lines.count() != lines:
        problems.append(f"invoice {done['invoice'].status}")
    if problems:
        raise RuntimeError(f"large order of {lines} lines: " + ", ".join(problems))


def approve_all(world: World, order: Any) -> None:
    """Every review step the order gets, stage by stage, by its department."""
    from orderdesk.orders import services
    from orderdesk.orders.models import Order

    deciders = {
        "sales": world.manager,
        "pricing": world.gm,
        "finance": world.finance,
        "warehouse": world.warehouse,
        "production": world.production,
    }
    for _stage in range(5):
        current = Order.objects.get(pk=order.pk)
        pending = list(current.reviews.filter(round=current.review_round, status="pending"))
        if not pending:
            break
        for review in pending:
            decision = {}
            if review.step == "production":
                decision["earliest_completion"] = current.requested_date
            by = world.gm if review.role == "general_manager" else deciders[review.step]
            services.decide(current, review.step, approve=True, by=by, decision=decision)


def confirm(world: World, order: Any) -> None:
    from orderdesk.orders import services
    from orderdesk.orders.models import Order

    services.send_confirmation(Order.objects.get(pk=order.pk), by=world.sales)
    services.record_confirmation(Order.objects.get(pk=order.pk), by=world.service, note="ok")


def approve_change(world: World, request: Any) -> None:
    from orderdesk.changes import services
    from orderdesk.changes.models import ApprovalStatus

    people = {
        "sales": world.manager,
        "finance": world.finance,
        "warehouse": world.warehouse,
        "production": world.production,
        "logistics": world.logistics,
    }
    for approval in list(request.approvals.filter(status=ApprovalStatus.PENDING)):
        by = people.get(approval.department)
        if approval.role == "general_manager" or approval.department == "pricing" or by is None:
            by = world.gm
        services.approve_change(request, approval.department, by=by, note="同意")


# --- set-up --------------------------------------------------------------------------------


@dataclass
class World:
    sales: Any
    manager: Any
    gm: Any
    finance: Any
    warehouse: Any
    production: Any
    service: Any
    logistics: Any
    customer: Any
    skus: list[str]


def set_up(products: int) -> World:
    """The people who review, ship and invoice; one A-grade customer with a large credit
    limit and tax data; ``products`` priced products with plenty of stock."""
    from orderdesk.core.models import Branch
    from orderdesk.customers.models import Contact, Customer

    from .http import bench_user, make_customers, stocked_products

    branch, _created = Branch.objects.get_or_create(
        code="GD001", defaults={"name": "广州一店", "province": "广东"}
    )
    manager = bench_user("bench_large_manager", "sales_manager", email="m@example.com")
    sales = bench_user("bench_large_sales", "sales", branch=branch, supervisor=manager)
    people = {
        role: bench_user(f"bench_large_{role}", role, email=f"{role}@example.com")
        for role in ("general_manager", "finance", "warehouse", "production")
    }
    service = bench_user("bench_large_service", "customer_service")
    logistics = bench_user("bench_large_logistics", "logistics", email="l@example.com")
    (customer,) = make_customers(1, prefix="BLG", owners=[sales], uscc_from=739_000_000)
    Customer.objects.filter(pk=customer.pk).update(
        tax_number="91330106000000001X",
        phone="020-88888888",
        bank_name="中国工商银行广州分行",
        bank_account="1202020209000012345",
        invoice_title=customer.name,
    )
    Contact.objects.filter(customer=customer).update(email="buyer@example.com")
    made = stocked_products(
        "bench-large", "压测大单品", "BLG", products, price_of=lambda n: Decimal(100 + n % 900)
    )
    return World(
        sales=sales,
        manager=manager,
        gm=people["general_manager"],
        finance=people["finance"],
        warehouse=people["warehouse"],
        production=people["production"],
        service=service,
        logistics=logistics,
        customer=Customer.objects.get(pk=customer.pk),
        skus=[product.sku for product in made],
    )


def order_values(world: World, lines: int) -> dict[str, Any]:
    from django.utils import timezone

    from orderdesk.core import workcalendar

    requested = workcalendar.add_working_days(timezone.localdate(), 20)
    return {
        "customer_id": world.customer.pk,
        "channel": "phone",
        "contact_name": "王经理",
        "contact_phone": "13800138000",
        "payment_method": "bank_transfer",
        "delivery_province": "广东",
        "delivery_city": "广州市",
        "delivery_district": "天河区",
        "delivery_address": "天河路 1 号",
        "requested_date": requested.isoformat(),
        "lines": [
            {"sku": sku, "quantity": str(1 + n % 7)} for n, sku in enumerate(world.skus[:lines])
        ],
    }


def entry_form(world: World, lines: int) -> dict[str, str]:
    """The entry form as the browser posts it for the live totals."""
    values = order_values(world, lines)
    data = {name: str(value) for name, value in values.items() if name not in ("lines", "channel")}
    data.update(
        {
            "channel": "phone",
            "lines-TOTAL_FORMS": str(lines),
            "lines-INITIAL_FORMS": "0",
        }
    )
    for index, line in enumerate(values["lines"]):
        data[f"lines-{index}-sku"] = line["sku"]
        data[f"lines-{index}-quantity"] = line["quantity"]
    return data

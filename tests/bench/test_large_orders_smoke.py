"""Smoke test of the large-order benchmark (bench/large_orders.py): orders of 1 and 10 lines
through every step in-process on the suite's SQLite database — the harness works, each step
did its work (shipped, changed, invoiced), the rows have the runner's keys, and its checks
can fail."""

from __future__ import annotations

import pytest

from bench import large_orders
from orderdesk.billing.models import Invoice
from orderdesk.changes.models import ChangeRequest
from orderdesk.orders.models import Order

pytestmark = pytest.mark.django_db

KEYS = {
    "scenario",
    "database",
    "concurrency",
    "operations",
    "ops/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "target",
    "result",
}


def test_orders_of_1_and_10_lines_go_through_every_step():
    rows = list(large_orders.run("sqlite", sizes=(1, 10), repeats=1, quote_lines=10))

    steps = [row for row in rows if "entry form" not in str(row["scenario"])]
    assert [row["scenario"] for row in steps] == [
        f"large order: {step} {lines} lines" for lines in (1, 10) for step in large_orders.STEPS
    ]
    assert rows[-1]["scenario"] == "large order: entry form totals 10 lines"
    for row in rows:
        assert set(row) == KEYS
        assert row["result"] in ("PASS", "FAIL")
        assert row["operations"] == (1 if row in steps else 10)
    assert all(row["result"] == "PASS" for row in steps)  # tiny orders are far below 2 s
    lines = sorted(order.lines.count() for order in Order.objects.all())
    assert lines == [1, 10]
    assert set(Order.objects.values_list("status", flat=True)) == {"shipped"}
    assert set(ChangeRequest.objects.values_list("status", flat=True)) == {"applied"}
    assert sorted(invoice.lines.count() for invoice in Invoice.objects.filter(status="issued")) == [
        1,
        10,
    ]


def test_the_checks_fail_too():
    slow = large_orders.Timing(ms=[2500.0], queries=[5])
    assert large_orders.step_row("sqlite", 1000, "approve", slow)["result"] == "FAIL"
    small = large_orders.Timing(ms=[100.0], queries=[10])
    quadratic = large_orders.Timing(ms=[2500.0], queries=[10])
    linear = large_orders.Timing(ms=[480.0], queries=[10])
    assert large_orders.growth_row("sqlite", "approve", small, quadratic)["result"] == "FAIL"
    assert large_orders.growth_row("sqlite", "approve", small, linear)["result"] == "PASS"
    with pytest.raises(RuntimeError, match="order draft, invoice draft"):
        large_orders.require_done(
            {
                "order": Order(status="draft"),
                "change": ChangeRequest(status="applied"),
                "invoice": Invoice(status="draft"),
            },
            0,
        )

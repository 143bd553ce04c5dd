"""Smoke test of the order-to-cash benchmark (bench/flow.py): two orders, one client, the real
production server (gunicorn) on a SQLite file — the harness works end to end and its checks
can fail.

The file is a copy of the suite's migrated test database (SQLite's backup API, milliseconds)
instead of a fresh ``migrate`` (~12 s); the benchmark's child process (``bench.runner``)
then builds its world in it, starts the server and runs the flow, as ``make bench`` does.
On the PostgreSQL run of the suite it is skipped: it exercises SQLite either way.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bench.http import StepFailed, expect
from bench.runner import summary
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
KEYS = {
    "scenario",
    "database",
    "concurrency",
    "operations",
    "ops/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "peak RSS MB",
    "target",
    "result",
    "requests",
    "steps",
}
STEPS = {
    "create order",
    "submit",
    "read reviews",
    "approve sales",
    "approve finance",
    "approve warehouse",
    "record confirmation",
    "release",
    "create shipment",
    "confirm shipment",
    "confirm delivery",
    "create invoice",
    "issue invoice",
    "record payment",
    "allocate payment",
}


@pytest.fixture
def migrated_copy(transactional_db: Any, tmp_path: Path) -> Path:
    """The test database copied to a file. Outside a transaction: SQLite's backup waits
    forever on the write lock the ``db`` fixture's transaction holds."""
    if connection.vendor != "sqlite":
        pytest.skip("runs on the SQLite run of the suite (the benchmark's SQLite file)")
    connection.ensure_connection()
    target = sqlite3.connect(tmp_path / "orderdesk.sqlite3")
    connection.connection.backup(target)
    target.close()
    return tmp_path


def run_flow(var: Path) -> list[dict[str, Any]]:
    env = {
        **os.environ,
        "ORDERDESK_VAR_DIR": str(var),
        "SECRET_KEY": "bench-smoke",
        "DJANGO_SETTINGS_MODULE": "orderdesk.config.settings",
        "BENCH_REUSE_DATABASE": "1",
        "BENCH_ONLY": "flow",
        "BENCH_FLOW_CLIENTS": "1",
        "BENCH_FLOW_ORDERS": "2",
        "BENCH_FLOW_WARMUP": "0",
        "BENCH_PRODUCTS": "10",
        "BENCH_WEB_WORKERS": "1",
        "BENCH_WEB_THREADS": "2",
    }
    for name in ("DATABASE_URL", "HUEY_IMMEDIATE", "DEBUG"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "bench.runner", "sqlite"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_orders_go_from_entry_to_payment_through_the_real_server(migrated_copy):
    rows = run_flow(migrated_copy)

    assert len(rows) == 1
    row = rows[0]
    assert row.keys() >= KEYS, row
    assert row["database"] == "sqlite"
    assert row["operations"] == 2, row["target"]  # a failed step leaves a FAIL row without it
    assert row["requests"] == 2 * len(STEPS)
    assert set(row["steps"]) == STEPS
    assert all(figures["n"] == 2 for figures in row["steps"].values())
    assert row["peak RSS MB"] > 0
    assert row["result"] in ("PASS", "FAIL")  # the verdict on speed; this box is not measured
    # What the server wrote, read back independently of the flow's own checks.
    database = sqlite3.connect(migrated_copy / "orderdesk.sqlite3")
    orders = database.execute(
        "SELECT o.status, i.status, i.gross_amount, i.allocated_amount, o.total_amount "
        "FROM orders_order o JOIN billing_invoice i ON i.order_id = o.id "
        "WHERE o.customer_reference LIKE 'FLOW-%'"
    ).fetchall()
    database.close()
    assert len(orders) == 2
    for status, invoice_status, gross, allocated, total in orders:
        assert (status, invoice_status) == ("delivered", "issued")
        assert str(gross) == str(allocated) == str(total)


def test_the_checks_fail_on_an_unexpected_answer():
    with pytest.raises(StepFailed, match="status is 'shipped', expected 'delivered'"):
        expect({"status": "shipped"}, "status", "delivered", "confirm delivery")


def test_a_slow_run_is_a_fail():
    row = summary("flow", "sqlite", 1, [10.0, 20.0], wall=1.0, target_ops=50, operations=2)

    assert (row["operations"], row["ops/s"], row["result"]) == (2, 2.0, "FAIL")

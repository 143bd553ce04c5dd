"""Smoke test of bench/crash.py: one SIGKILL and restart of the real server during 10 API
orders, on a fresh SQLite file in a child process; and the checks catching what they must."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from bench.crash import half_written

ROOT = Path(__file__).resolve().parents[2]


def test_one_kill_and_restart_loses_and_duplicates_nothing(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "orderdesk.config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crash.sqlite3'}",
        "ORDERDESK_VAR_DIR": str(tmp_path / "var"),
        "BENCH_WEB_WORKERS": "2",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bench.crash", "--orders", "10", "--kills", "1", "--clients", "2"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip

    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(rows) == 1, result.stderr[-2000:]
    row = rows[0]
    assert row["problems"] == []
    assert row["stuck"] == []
    assert row["operations"] == 10


def line(net: str, tax: str) -> SimpleNamespace:
    return SimpleNamespace(
        net_amount=Decimal(net), tax_amount=Decimal(tax), line_total=Decimal(net) + Decimal(tax)
    )


def order(net: str, tax: str, total: str, *lines: SimpleNamespace) -> SimpleNamespace:
    return SimpleNamespace(
        number="GD001-20261204-01",
        net_amount=Decimal(net),
        tax_amount=Decimal(tax),
        total_amount=Decimal(total),
        lines=SimpleNamespace(all=lambda: list(lines)),
    )


def test_the_check_finds_half_written_orders():
    assert half_written(order("300", "39", "339", line("100", "13"), line("200", "26"))) == []
    assert half_written(order("300", "39", "339"))  # no lines
    assert half_written(order("300", "39", "339", line("100", "13")))  # a line missing

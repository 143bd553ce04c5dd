"""Smoke test of bench/concurrency.py: the harness on a tiny scale (8 clients, stock 4;
4 clients entering orders) and its checks catching what they must.

On SQLite the harness runs as the bench does, in a child process on a fresh database file
with forked clients (the test suite's in-memory database cannot be shared between
concurrent connections); on PostgreSQL also in the test database with threads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bench.concurrency import Outcome, check_numbers_gapless, check_scarce_stock

from bench import concurrency

ROOT = Path(__file__).resolve().parents[2]


def test_the_harness_on_a_sqlite_file(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "orderdesk.config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "ORDERDESK_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bench.concurrency", "--clients", "8", "--stock", "4",
         "--confirmers", "4", "--workers", "8"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [row["problems"] for row in rows] == [[], []], result.stderr[-2000:]
    assert [row["result"] for row in rows] == ["PASS", "PASS"]
    assert [row["operations"] for row in rows] == [8, 4]
    assert result.returncode == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_scarce_stock_race_on_postgresql_connections():
    row = concurrency.scarce_stock("postgresql", clients=8, stock=4, workers=8, processes=False)

    assert row["problems"] == []
    assert row["result"] == "PASS"
    assert row["operations"] == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_entries_on_postgresql_get_gapless_numbers():
    row = concurrency.confirmations("postgresql", clients=4, processes=False)

    assert row["problems"] == []
    assert row["result"] == "PASS"


def outcomes(won: int, short: int, **other: int) -> list[Outcome]:
    made = [Outcome(n, "ok", str(n), 1.0) for n in range(won)]
    made += [Outcome(won + n, "refused", "insufficient_stock", 1.0) for n in range(short)]
    for detail, count in other.items():
        made += [Outcome(1000 + n, "error", detail, 1.0) for n in range(count)]
    return made


def test_the_stock_check_fails_on_an_oversell_or_another_error():
    assert check_scarce_stock(outcomes(4, 4), clients=8, stock=4) == []
    assert check_scarce_stock(outcomes(5, 3), clients=8, stock=4)  # oversold
    assert check_scarce_stock(outcomes(4, 3, OperationalError=1), clients=8, stock=4)
    wrong_code = [*outcomes(4, 3), Outcome(9, "refused", "reservation_exists", 1.0)]
    assert check_scarce_stock(wrong_code, clients=8, stock=4)


def test_the_numbering_check_fails_on_a_gap_or_a_duplicate():
    key = ("GD001--", "20261204")
    before, after = {key: 2}, {key: 5}
    fine = ["GD001-20261204-03", "GD001-20261204-04", "GD001-20261204-05"]

    assert check_numbers_gapless(fine, before, after) == []
    assert check_numbers_gapless(fine[:2], before, after)  # a serial drawn, no order: a gap
    assert check_numbers_gapless([*fine[:2], fine[1]], before, after)  # a duplicate
    assert check_numbers_gapless(["GD001-20261204-03", "GD001-20261204-05"], before, {key: 4})

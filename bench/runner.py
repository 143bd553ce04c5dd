"""Child process of bench/__main__.py: sets up a fresh database, runs the scenarios and
prints one JSON line per result."""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def measure(
    name: str,
    database: str,
    threads: int,
    per_thread: int,
    operation: Callable[[], object],
    target_ops: float,
) -> dict[str, object]:
    from django.db import connection

    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def worker() -> None:
        barrier.wait()
        for _ in range(per_thread):
            start = time.perf_counter()
            operation()
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed * 1000)
        connection.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - started
    return summary(name, database, threads, latencies, wall, target_ops)


def measure_processes(
    name: str,
    database: str,
    processes: int,
    per_process: int,
    operation: Callable[[int], object],
    target_ops: float,
) -> dict[str, object]:
    """Like :func:`measure`, with each client in its own forked process and connection, so
    the clients compete for the database, not for one interpreter's GIL. ``operation`` gets
    the running number of the call within its process (for unique references)."""

    def timed(n: int) -> list[float]:
        start = time.perf_counter()
        operation(n)
        return [(time.perf_counter() - start) * 1000]

    latencies, wall = fork_clients(name, processes, per_process, timed)
    return summary(name, database, processes, latencies, wall, target_ops)


def fork_clients(
    name: str, processes: int, per_process: int, work: Callable[[int], list[Any]]
) -> tuple[list[Any], float]:
    """Run ``work(n)`` for n in 0..per_process-1 in each of ``processes`` forked clients,
    started together; returns what the calls returned (lists, concatenated: samples of
    any picklable kind) and the wall time from the start until the last client finished.
    A client that raises makes this raise :class:`RuntimeError` with its message."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # a forked child must open its own connection
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes + 1)
    results = context.Queue()

    def client() -> None:
        samples: list[Any] | str = []
        barrier.wait()
        try:
            for n in range(per_process):
                samples += work(n)
        except Exception as error:  # reported by the parent, which must not wait forever
            samples = f"{type(error).__name__}: {error}"
        connections.close_all()
        results.put(samples)
        results.close()
        results.join_thread()  # flush to the pipe before the hard exit below
        os._exit(0)

    pool = [context.Process(target=client) for _ in range(processes)]
    for process in pool:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    collected: list[Any] = []
    failure = ""
    for _ in pool:
        got = results.get(timeout=1200)
        if isinstance(got, str):
            failure = failure or got
        else:
            collected += got
    wall = time.perf_counter() - started
    for process in pool:
        process.join()
    if failure:
        raise RuntimeError(f"{name}: a client failed: {failure}")
    return collected, wall


def summary(
    name: str,
    database: str,
    concurrency: int,
    latencies: list[float],
    wall: float,
    target_ops: float,
    operations: int | None = None,
) -> dict[str, object]:
    """One table row; ``operations`` (default: one per latency) sets the throughput, for
    scenarios whose operation is several timed requests."""
    count = len(latencies) if operations is None else operations
    ops = count / wall
    return {
        "scenario": name,
        "database": database,
        "concurrency": concurrency,
        "operations": count,
        "ops/s": round(ops, 1),
        "p50 ms": round(statistics.median(latencies), 2),
        "p95 ms": round(percentile(latencies, 0.95), 2),
        "p99 ms": round(percentile(latencies, 0.99), 2),
        "target": f">= {target_ops:g} ops/s",
        "result": "PASS" if ops >= target_ops else "FAIL",
    }


def wanted(group: str) -> bool:
    """``BENCH_ONLY=orders,pricing`` runs just those groups (``core``: numbering and the
    calendar); unset runs everything."""
    only = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}
    return not only or group in only


def main(database: str) -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    if database == "postgresql":
        from django.db import connection

        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    elif os.environ.get("BENCH_REUSE_DATABASE") != "1":
        # BENCH_REUSE_DATABASE=1 (the smoke tests): the file is already a migrated copy.
        from django.conf import settings

        # A fresh file each run: the customer benchmarks load fixed codes and USCCs.
        for suffix in ("", "-wal", "-shm"):
            Path(f"{settings.DATABASES['default']['NAME']}{suffix}").unlink(missing_ok=True)
        call_command("migrate", verbosity=0, interactive=False)

    from orderdesk.core import numbering, workcalendar
    from orderdesk.core.models import Branch

    branch, _ = Branch.objects.get_or_create(
        code="GD001", defaults={"name": "广州一店", "province": "广东"}
    )
    day = dt.date(2026, 11, 23)

    def draw() -> str:
        with transaction.atomic():
            return numbering.next_number("order", on=day, branch=branch)

    if wanted("core"):
        threads = 8 if database == "postgresql" else 1
        print(
            json.dumps(
                measure(
                    "numbering: draw order number", database, threads, 250, draw, target_ops=200
                )
            )
        )
        start = dt.datetime(2026, 9, 28, 9, 0, tzinfo=dt.UTC)
        print(
            json.dumps(
                measure(
                    "calendar: add 40 working hours",
                    database,
                    1,
                    500,
                    lambda: workcalendar.add_working_hours(start, 40),
                    target_ops=200,
                )
            )
        )
    from bench import (
        billing,
        concurrency,
        crash,
        customers,
        flow,
        inventory,
        large_orders,
        orders,
        pricing,
    )

    for name, module in (
        ("customers", customers),
        ("inventory", inventory),
        ("pricing", pricing),
        ("orders", orders),
        ("billing", billing),
        ("concurrency", concurrency),
        ("crash", crash),
        ("large", large_orders),
        ("flow", flow),
    ):
        if wanted(name):
            for row in module.run(database):
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])

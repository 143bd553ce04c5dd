"""Run every benchmark on SQLite and (when reachable) PostgreSQL, and print one table.

Each database run happens in a child process, because Django settings are read once per
process. Results are also written as JSON under var/bench/ with the git revision.
``--only orders,flow`` (or ``BENCH_ONLY``) runs just those groups; ``orderdesk bench`` runs
this module.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/orderdesk_bench"
)


def git_revision() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() or "unknown"


def run_child(database: str, env: dict[str, str]) -> list[dict[str, object]]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.runner", database],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-3000:])
        return [{"scenario": "(run failed)", "database": database}]
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only",
        default=os.environ.get("BENCH_ONLY", ""),
        help="comma-separated groups: core, customers, inventory, pricing, orders, billing, "
        "flow… (default: BENCH_ONLY, else all)",
    )
    args = parser.parse_args(argv)
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    base_env = {
        **os.environ,
        "SECRET_KEY": "bench-only",
        "ORDERDESK_VAR_DIR": str(var / "tmp"),
        "DJANGO_SETTINGS_MODULE": "orderdesk.config.settings",
    }
    base_env.pop("DATABASE_URL", None)
    base_env.pop("BENCH_ONLY", None)
    if args.only:
        base_env["BENCH_ONLY"] = args.only
    rows = run_child("sqlite", base_env)
    pg_up = (
        subprocess.run(
            [sys.executable, "-m", "orderdesk.config.pgcheck", PG_URL], check=False
        ).returncode
        == 0
    )
    if pg_up:
        rows += run_child("postgresql", {**base_env, "DATABASE_URL": PG_URL})
    header = (
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
    )
    table = [dict(zip(header, header, strict=True)), *rows]
    widths = [max(len(cell(row, h)) for row in table) for h in header]
    for row in table:
        print("  ".join(cell(row, h).ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        if isinstance(row.get("steps"), dict):
            print(f"\n{row['scenario']} ({row['database']}), per request kind:")
            for step, figures in row["steps"].items():
                print(
                    f"  {step:<22} n {figures['n']:>6}  p50 {figures['p50']:>8} ms  "
                    f"p99 {figures['p99']:>8} ms"
                )
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = var / f"{stamp}-{git_revision()}.json"
    out.write_text(json.dumps({"revision": git_revision(), "rows": rows}, indent=2))
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0 if all(row.get("result") != "FAIL" for row in rows) else 1


def cell(row: dict[str, object], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value)


if __name__ == "__main__":
    sys.exit(main())

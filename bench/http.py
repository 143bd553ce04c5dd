"""What the benchmarks through the HTTP API share: the production server, a keep-alive JSON
client, the bench world (users, customers, a priced and stocked catalog) and the peak RSS
of the server's processes.

Absolute imports keep ``import http.client`` below the standard library's; run the
benchmarks as modules (``python -m bench``), never as ``python bench/<file>.py``, which would
put bench/ on ``sys.path`` and this module in the standard library's place.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "100"))
API_CUSTOMERS = 50
BATCH = 5_000
RSS_INTERVAL = 0.2  # seconds between samples of the server's memory


# --- the server ------------------------------------------------------------------------------


class Server:
    """``orderdesk serve`` (gunicorn, gthread workers, DEBUG off) on a free port against the
    bench database; while it runs, the resident memory of the master and its workers is
    sampled and the peak of their sum is ``peak_rss_mb`` after :meth:`stop`."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # Next to the run's database (var/bench/tmp for `make bench`, a test's tmp_path).
        var = Path(os.environ.get("ORDERDESK_VAR_DIR", ROOT / "var" / "bench"))
        self.log = var / f"server-{database}.log"
        self.memory: RssSampler | None = None
        self.peak_rss_mb: float | None = None

    def start(self) -> None:
        cores = os.cpu_count() or 2
        workers = os.environ.get("BENCH_WEB_WORKERS", str(2 * cores + 1))
        threads = os.environ.get("BENCH_WEB_THREADS", "2")
        env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "0"}
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "orderdesk.cli",
                    "serve",
                    "--host",
                    HOST,
                    "--port",
                    str(self.port),
                    "--workers",
                    workers,
                    "--threads",
                    threads,
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,  # the access log: one line per request
                stderr=log,
            )
        self.memory = RssSampler(self.process.pid)
        self.memory.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log}")
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer /healthz within 60 s; see {self.log}")

    def stop(self) -> None:
        if self.memory is not None:
            self.peak_rss_mb = self.memory.stop()
            self.memory = None
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class RssSampler:
    """Samples VmRSS of a process and all its descendants from /proc every 0.2 s."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.loop, name="rss-sampler", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> float | None:
        """The peak in MB (None where /proc cannot be read)."""
        self.sample()
        self.done.set()
        self.thread.join()
        return round(self.peak_kb / 1024, 1) if self.peak_kb else None

    def loop(self) -> None:
        while not self.done.wait(RSS_INTERVAL):
            self.sample()

    def sample(self) -> None:
        total = sum(rss_kb(pid) for pid in process_tree(self.pid))
        self.peak_kb = max(self.peak_kb, total)


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants, from the parent ids in /proc/<pid>/stat (the kernel
    here has no /proc/<pid>/task/<tid>/children)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        # "pid (comm) state ppid …": comm may hold spaces and parentheses.
        parent = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, frontier = [root], [root]
    while frontier:
        frontier = [child for pid in frontier for child in children.get(pid, [])]
        found += frontier
    return found


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def database_url() -> str:
    """The URL of the database this process uses (the runner's fresh test database)."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    user = quote(settings["USER"] or "", safe="")
    password = quote(settings["PASSWORD"] or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings["HOST"] or "localhost"
    port = settings["PORT"] or 5432
    return f"postgresql://{auth}{host}:{port}/{quote(settings['NAME'], safe='')}"


def failed_row(name: str, database: str, why: str) -> dict[str, object]:
    return {"scenario": name, "database": database, "target": why, "result": "FAIL"}


# --- the client ------------------------------------------------------------------------------


class StepFailed(RuntimeError):
    """A request answered other than the flow expects (status code or content)."""


class ApiClient:
    """JSON over one keep-alive ``http.client`` connection per client process (opened in the
    process that uses it; httpx is not in the lock files). ``tokens`` maps a role (or any
    name) to a bearer token; each request says whose it is."""

    def __init__(self, port: int, tokens: dict[str, str]) -> None:
        self.port = port
        self.tokens = tokens
        self.connections: dict[int, http.client.HTTPConnection] = {}

    def connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """The process's connection, and whether it is new."""
        pid = os.getpid()
        fresh = pid not in self.connections
        if fresh:
            self.connections[pid] = http.client.HTTPConnection(HOST, self.port, timeout=60)
        return self.connections[pid], fresh

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()
        self.connections.clear()

    def call(
        self, method: str, path: str, body: Any, expect: int, *, role: str, **headers: str
    ) -> Any:
        """Send, read the answer, and raise :class:`StepFailed` on another status code. A
        kept-alive connection the server closed while idle is reopened once (the request
        never reached a worker)."""
        sent = {
            "Authorization": f"Bearer {self.tokens[role]}",
            "Accept": "application/json",
            **({"Content-Type": "application/json"} if body is not None else {}),
            **headers,
        }
        payload = json.dumps(body) if body is not None else None
        for attempt in range(2):
            connection, fresh = self.connection()
            try:
                connection.request(method, path, body=payload, headers=sent)
                response = connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                connection.close()
                del self.connections[os.getpid()]
                if fresh or attempt:
                    raise
        if response.status != expect:
            raise StepFailed(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data) if data else None


def expect(answer: dict[str, Any], field: str, wanted: object, what: str) -> None:
    """Raise :class:`StepFailed` unless ``answer[field] == wanted``."""
    if answer.get(field) != wanted:
        raise StepFailed(f"{what}: {field} is {answer.get(field)!r}, expected {wanted!r}")


# --- the world ---------------------------------------------------------------------------------

_world: dict[str, Any] = {}


def bench_user(username: str, role: str, **fields: Any) -> Any:
    from django.contrib.auth.models import Group

    from orderdesk.accounts.models import User

    account, _created = User.objects.get_or_create(username=username, defaults=fields)
    account.groups.set(Group.objects.filter(name=role))
    return User.objects.get(pk=account.pk)


def set_up() -> dict[str, Any]:
    """Once per database run (the scenarios share it): one user per department that works
    on an order (the salesperson reports to the sales manager, who sees the team's orders),
    50 A-grade customers with ample credit, ``BENCH_PRODUCTS`` (100) priced products with
    plenty of stock in one warehouse."""
    if _world:
        return _world
    from orderdesk.core.models import Branch

    branch, _created = Branch.objects.get_or_create(
        code="GD001", defaults={"name": "广州一店", "province": "广东"}
    )
    manager = bench_user("bench_order_manager", "sales_manager", branch=branch)
    owner = bench_user("bench_order_sales", "sales", branch=branch, supervisor=manager)
    users = {
        "customer_service": bench_user("bench_order_api", "customer_service"),
        "sales_manager": manager,
        "finance": bench_user("bench_order_finance", "finance"),
        "warehouse": bench_user("bench_order_warehouse", "warehouse"),
        "production": bench_user("bench_order_production", "production"),
        "general_manager": bench_user("bench_order_gm", "general_manager"),
    }
    admin = bench_user("bench_order_admin", "administrator")
    customers = make_customers(API_CUSTOMERS, prefix="BOI", owners=[owner], uscc_from=700_000_000)
    rng = random.Random(5)
    products = stocked_products(
        "bench-orders",
        "压测订单品",
        "BO",
        PRODUCTS,
        price_of=lambda _n: Decimal(rng.randrange(50, 5_000)),
    )
    _world.update(
        {
            "intake": users["customer_service"],
            "users": users,
            "admin": admin,
            "customers": [customer.pk for customer in customers],
            "skus": [product.sku for product in products],
        }
    )
    return _world


def stocked_products(
    code: str, name: str, prefix: str, count: int, *, price_of: Callable[[int], Decimal]
) -> list[Any]:
    """``count`` products (SKU ``<prefix>-<n>``) in a category and a price list named
    ``code``/``name``, each priced ``price_of(n)`` (floor 80 %) with 1,000,000 in stock in
    the warehouse ``code``."""
    from orderdesk.accounts.selectors import system_user
    from orderdesk.catalog.models import Category, Product
    from orderdesk.inventory import services as stock
    from orderdesk.inventory.models import Warehouse
    from orderdesk.pricing import services as pricing

    system = system_user()
    category, _created = Category.objects.get_or_create(code=code, defaults={"name": name})
    products = Product.objects.bulk_create(
        Product(
            sku=f"{prefix}-{n:05d}",
            name=f"{name} {n}",
            spec="DN50",
            unit="台",
            category=category,
            tax_rate=Decimal("0.13"),
            lead_time_days=2,
        )
        for n in range(count)
    )
    price_list = pricing.create_price_list(
        {"code": code, "name": f"{name}价格表", "valid_from": dt.date(2026, 1, 1)}, by=system
    )
    warehouse, _created = Warehouse.objects.get_or_create(
        code=code.upper(), defaults={"name": f"{name}仓"}
    )
    for n, product in enumerate(products):
        price = price_of(n)
        pricing.set_price(
            price_list, product, {"unit_price": price, "floor_price": price * 8 / 10}, by=system
        )
        stock.receive_stock(product, warehouse, 1_000_000, by=system)
    return products


def tokens_for(users: dict[str, Any], name: str) -> dict[str, str]:
    """A fresh API token per user, by the same keys."""
    from orderdesk.accounts import services as accounts
    from orderdesk.accounts.selectors import system_user

    system = system_user()
    return {
        key: accounts.create_api_token(user, by=system, name=name)[1] for key, user in users.items()
    }


def make_customers(count: int, *, prefix: str, owners: list[Any], uscc_from: int) -> list[Any]:
    """``count`` active A-grade customers with a large credit limit, bulk-inserted."""
    from orderdesk.customers import normalize
    from orderdesk.customers.models import Contact, CreditFile, Customer

    from .customers import uscc

    customers = []
    for serial in range(1, count + 1):
        name = f"压测客户{prefix}{serial:05d}有限公司"
        customers.append(
            Customer(
                code=f"{prefix}{serial:06d}",
                name=name,
                uscc=uscc("440106", uscc_from + serial),
                province="广东省",
                city="广州市",
                address=f"天河路{serial}号",
                owner=owners[serial % len(owners)],
                status="active",
                name_key=normalize.name_key(name),
                pinyin=normalize.pinyin_initials(name)[:200],
            )
        )
    created = []
    for start in range(0, count, BATCH):
        batch = Customer.objects.bulk_create(customers[start : start + BATCH])
        Contact.objects.bulk_create(
            Contact(customer=customer, name="王经理", mobile="13800138000", is_primary=True)
            for customer in batch
        )
        CreditFile.objects.bulk_create(
            CreditFile(customer=customer, grade="A", credit_limit=Decimal(100_000_000))
            for customer in batch
        )
        created += batch
    return created

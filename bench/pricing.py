"""Pricing benchmark (issue 4): quote 100 lines for one customer, target p95 under 20 ms.

``run(database)`` is called by bench/runner.py in a fresh database and yields one row in the
runner's format. Set-up goes through the real services: 500 products, a standard list with
quantity breaks and floors, a grade list and a customer list covering part of the range,
and four live promotions (percentage on a category, amount off, a quantity break and 满减),
so every step of ``services.price_lines`` does real work. The 100 lines mix products,
quantities (some across breaks) and requested discounts.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

PRODUCTS = 500
LINES = 100
RUNS = 200
TARGET_MS = 20.0
DAY = dt.date(2026, 11, 23)


def run(database: str) -> Iterator[dict[str, object]]:
    customer, sales, lines = set_up()
    from orderdesk.pricing.services import price_lines

    price_lines(customer, lines, on=DAY, by=sales)  # warm caches (translations, content types)
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        price_lines(customer, lines, on=DAY, by=sales)
        samples.append((time.perf_counter() - started) * 1000)
    yield row(database, samples)


def row(database: str, samples: list[float]) -> dict[str, object]:
    ordered = sorted(samples)

    def pct(fraction: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))], 2)

    p95 = pct(0.95)
    return {
        "scenario": f"pricing: quote {LINES} lines for one customer",
        "database": database,
        "concurrency": 1,
        "operations": len(samples),
        "ops/s": round(1000 * len(samples) / sum(samples), 1),
        "p50 ms": round(statistics.median(samples), 2),
        "p95 ms": p95,
        "p99 ms": pct(0.99),
        "target": f"p95 < {TARGET_MS:g} ms",
        "result": "PASS" if p95 < TARGET_MS else "FAIL",
    }


def set_up() -> tuple[Any, Any, list[tuple[Any, Any, Any, Any]]]:
    from django.contrib.auth.models import Group

    from orderdesk.accounts.models import User
    from orderdesk.accounts.selectors import system_user
    from orderdesk.catalog.models import Category, Product
    from orderdesk.core.uscc import uscc_check_char
    from orderdesk.customers.models import CreditFile
    from orderdesk.customers.services import create_customer
    from orderdesk.pricing import services

    rng = random.Random(4)
    system = system_user()
    sales, _created = User.objects.get_or_create(username="bench_pricing_sales")
    sales.groups.set(Group.objects.filter(name="sales"))
    sales = User.objects.get(pk=sales.pk)
    body = "91330106987650001"
    customer = create_customer(
        {"name": "杭州定价基准机械有限公司", "type": "company",
         "uscc": body + uscc_check_char(body), "province": "浙江省", "city": "杭州市",
         "district": "西湖区", "address": "文三路1号", "status": "active", "owner": sales},
        by=system,
        confirm_duplicates=True,
    )  # fmt: skip
    CreditFile.objects.filter(customer=customer).update(grade="A")
    categories = [
        Category.objects.create(code=f"bench-pricing-{i}", name=f"类别{i}") for i in range(5)
    ]
    products = Product.objects.bulk_create(
        Product(
            sku=f"BP-{i:05d}",
            name=f"定价基准产品{i}",
            category=categories[i % len(categories)],
            unit="件",
            tax_rate=rng.choice([Decimal("0.13"), Decimal("0.09"), Decimal("0.06")]),
            pinyin=f"djjzcp{i}",
        )
        for i in range(PRODUCTS)
    )
    start = dt.date(2026, 1, 1)
    standard = services.create_price_list(
        {"code": "bench-std", "name": "标准价", "valid_from": start}, by=system
    )
    grade = services.create_price_list(
        {"code": "bench-a", "name": "A级价", "kind": "grade", "grade": "A", "valid_from": start},
        by=system,
    )
    own = services.create_price_list(
        {"code": "bench-cust", "name": "客户价", "kind": "customer", "customer": customer,
         "valid_from": start},
        by=system,
    )  # fmt: skip
    for i, product in enumerate(products):
        price = Decimal(rng.randint(1000, 500000)) / 100
        services.set_price(
            standard, product, {"unit_price": price, "floor_price": price * 8 // 10}, by=system
        )
        services.set_price(
            standard, product, {"min_quantity": 50, "unit_price": price * 95 // 100}, by=system
        )
        if i % 3 == 0:
            services.set_price(grade, product, {"unit_price": price * 97 // 100}, by=system)
        if i % 10 == 0:
            services.set_price(own, product, {"unit_price": price * 93 // 100}, by=system)
    services.create_promotion(
        {"code": "bench-pct", "name": "类别折扣", "kind": "percent", "percent_off": Decimal(5),
         "valid_from": start, "categories": [categories[0]]},
        by=system,
    )  # fmt: skip
    services.create_promotion(
        {"code": "bench-off", "name": "直降", "kind": "amount_off", "amount_off": Decimal(2),
         "valid_from": start, "products": products[:50], "stackable": True},
        by=system,
    )  # fmt: skip
    services.create_promotion(
        {"code": "bench-qty", "name": "量大优惠", "kind": "quantity_break",
         "min_quantity": Decimal(100), "percent_off": Decimal(3), "valid_from": start},
        by=system,
    )  # fmt: skip
    services.create_promotion(
        {"code": "bench-mj", "name": "满万减五百", "kind": "spend_threshold",
         "threshold_amount": Decimal(10000), "amount_off": Decimal(500), "valid_from": start},
        by=system,
    )  # fmt: skip
    picked = rng.sample(products, LINES)
    lines = [
        (
            product,
            Decimal(rng.choice([1, 5, 20, 60, 120])),
            None,
            Decimal(rng.choice([0, 3, 8])) if i % 4 == 0 else None,
        )
        for i, product in enumerate(picked)
    ]
    return customer, sales, lines

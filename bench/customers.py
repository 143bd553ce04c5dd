"""Customer benchmarks (issue 3): search over 100,000 customers, import of 10,000 rows.

``run(database)`` is called by bench/runner.py in a fresh database and yields one result
row per scenario, in the runner's format:

- load 100,000 customers (one contact and a credit file each) with ``bulk_create``; the
  search keys (``name_key``, ``pinyin``) come from the same ``normalize`` functions the
  services use;
- ``selectors.search(admin, q=…)`` materialising the first page (50 rows) for name
  fragments, pinyin initials and phone fragments: p95 under 50 ms;
- ``services.import_customers`` on an in-memory 10,000-row .xlsx: under 20 s.
"""

from __future__ import annotations

import io
import random
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

CUSTOMERS = 100_000
IMPORT_ROWS = 10_000
PAGE = 50
BATCH = 2_000
SEARCH_P95_MS = 50.0
IMPORT_SECONDS = 20.0

CITIES = (
    ("浙江省", "杭州市", "330106"), ("浙江省", "宁波市", "330212"), ("浙江省", "温州市", "330302"),
    ("江苏省", "苏州市", "320505"), ("江苏省", "南京市", "320102"), ("江苏省", "无锡市", "320214"),
    ("广东省", "深圳市", "440305"), ("广东省", "广州市", "440106"), ("广东省", "东莞市", "441900"),
    ("广东省", "佛山市", "440604"), ("上海市", "上海市", "310115"), ("北京市", "北京市", "110108"),
    ("山东省", "青岛市", "370202"), ("山东省", "济南市", "370102"), ("福建省", "厦门市", "350203"),
    ("福建省", "泉州市", "350502"), ("湖北省", "武汉市", "420106"), ("湖南省", "长沙市", "430104"),
    ("四川省", "成都市", "510107"), ("重庆市", "重庆市", "500103"), ("河南省", "郑州市", "410105"),
    ("安徽省", "合肥市", "340104"), ("天津市", "天津市", "120101"),
    ("河北省", "石家庄市", "130102"),
    ("陕西省", "西安市", "610113"), ("辽宁省", "大连市", "210202"), ("江西省", "南昌市", "360102"),
    ("云南省", "昆明市", "530102"), ("广西壮族自治区", "南宁市", "450103"),
    ("黑龙江省", "哈尔滨市", "230102"),
)  # fmt: skip
BRANDS = (
    "华通", "恒达", "鑫源", "宏远", "金泰", "永盛", "新世纪", "东方", "瑞丰", "海天", "中联",
    "天成", "博远", "正泰", "德力", "华信", "凯达", "明辉", "同创", "远航", "嘉禾", "长虹",
    "利民", "伟业", "富强", "安达", "星光", "汇通", "隆鑫", "万象", "锦程", "盛世", "华美",
    "联创", "鸿运", "飞跃", "建华", "光明", "宝丰", "旭日", "天虹", "众诚", "佳友", "顺发",
    "兴业", "荣华", "大成", "金鹰", "环宇", "立信",
)  # fmt: skip
TRADES = (
    "电子", "机械", "化工", "纺织", "五金", "塑胶", "包装", "建材", "食品", "医疗器械",
    "汽车配件", "照明", "家具", "服饰", "印刷", "环保设备", "仪器仪表", "新材料", "物流", "贸易",
)  # fmt: skip
FORMS = ("科技有限公司", "有限公司", "股份有限公司", "制造有限公司")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞")
MOBILE_PREFIXES = ("138", "139", "137", "136", "135", "150", "151", "186", "187", "189")


def run(database: str) -> Iterator[dict[str, object]]:
    admin, importer = bench_users()
    started = time.perf_counter()
    sample = load_customers(CUSTOMERS, owner=admin)
    yield load_row(database, time.perf_counter() - started)
    yield from search_rows(database, admin, sample)
    yield import_row(database, importer)


def bench_users() -> tuple[Any, Any]:
    from django.contrib.auth.models import Group

    from orderdesk.accounts.models import User

    def user(username: str, role: str) -> User:
        account, _created = User.objects.get_or_create(username=username)
        account.groups.set(Group.objects.filter(name=role))
        return User.objects.get(pk=account.pk)

    return user("bench_admin", "administrator"), user("bench_cs", "customer_service")


def uscc(region: str, serial: int) -> str:
    from orderdesk.core.uscc import uscc_check_char

    body = f"91{region}{serial:09d}"
    return body + uscc_check_char(body)


def company_names(rng: random.Random, count: int, offset: int = 0) -> list[tuple[int, str]]:
    """``count`` distinct (city index, name) pairs like 杭州华通电子科技有限公司."""
    combos = len(CITIES) * len(BRANDS) * len(TRADES) * len(FORMS)
    picks = rng.sample(range(combos), count) if offset == 0 else range(offset, offset + count)
    names = []
    for pick in picks:
        pick, form = divmod(pick % combos, len(FORMS))
        pick, trade = divmod(pick, len(TRADES))
        city, brand = divmod(pick, len(BRANDS))
        short_city = CITIES[city][1].removesuffix("市")
        names.append((city, f"{short_city}{BRANDS[brand]}{TRADES[trade]}{FORMS[form]}"))
    return names


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def load_customers(count: int, *, owner: Any) -> dict[str, list[str]]:
    """Bulk-load ``count`` customers; returns search terms that exist in the data."""
    from django.db import transaction

    from orderdesk.core.maintenance import refresh_statistics
    from orderdesk.customers import normalize
    from orderdesk.customers.models import Contact, CreditFile, Customer

    rng = random.Random(20261123)
    names = company_names(rng, count)
    sample: dict[str, list[str]] = {"name": [], "pinyin": [], "phone": []}
    for start in range(0, count, BATCH):
        customers, contacts = [], []
        for serial, (city, name) in enumerate(names[start : start + BATCH], start=start + 1):
            province, city_name, region = CITIES[city]
            customers.append(
                Customer(
                    code=f"BN{serial:07d}",
                    name=name,
                    uscc=uscc(region, serial),
                    province=province,
                    city=city_name,
                    address=f"{city_name}工业园{serial % 300 + 1}号",
                    industry=name[2:4],
                    owner=owner,
                    status="active",
                    name_key=normalize.name_key(name),
                    pinyin=normalize.pinyin_initials(name)[:200],
                )
            )
            contacts.append(
                (rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), mobile(rng))
            )
        with transaction.atomic():
            Customer.objects.bulk_create(customers)
            Contact.objects.bulk_create(
                Contact(customer=customer, name=person, title="采购", mobile=number,
                        is_primary=True)
                for customer, (person, number) in zip(customers, contacts, strict=True)
            )  # fmt: skip
            CreditFile.objects.bulk_create(
                CreditFile(customer=customer, grade=rng.choice("ABC")) for customer in customers
            )
        if len(sample["phone"]) < 10:
            picked = rng.choice(range(len(customers)))
            sample["name"].append(customers[picked].name[2:6])
            sample["pinyin"].append(customers[picked].pinyin[:4])
            number = contacts[picked][1]
            sample["phone"] += [number[-4:], number[:7]]
    # As after the demo load and every import (and daily): planner statistics.
    refresh_statistics()
    sample["name"] += ["杭州", "电子", "华通电子", "深圳新世纪"]
    sample["pinyin"] += ["hzht", "szdz", "nb", "gzhd"]
    sample["phone"] += ["5678", "1380000"]
    return sample


def search_rows(database: str, admin: Any, sample: dict[str, list[str]]) -> list[dict[str, object]]:
    from orderdesk.customers import selectors

    def first_page(q: str) -> Callable[[], object]:
        return lambda: list(selectors.search(admin, q=q)[:PAGE])

    rows = []
    for kind, label in (("name", "name fragment"), ("pinyin", "pinyin initials"),
                        ("phone", "phone fragment")):  # fmt: skip
        terms = sample[kind]
        first_page(terms[0])()  # warm the caches (permissions, prepared statements)
        latencies = timed([first_page(term) for term in terms], repeat=10)
        rows.append(
            latency_row(f"customers: search 100k by {label}", database, latencies, SEARCH_P95_MS)
        )
    return rows


def timed(operations: Sequence[Callable[[], object]], *, repeat: int) -> list[float]:
    latencies = []
    for _round in range(repeat):
        for operation in operations:
            start = time.perf_counter()
            operation()
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def latency_row(
    name: str, database: str, latencies: list[float], p95_target: float
) -> dict[str, object]:
    p95 = percentile(latencies, 0.95)
    return {
        "scenario": name,
        "database": database,
        "concurrency": 1,
        "operations": len(latencies),
        "ops/s": round(1000 * len(latencies) / sum(latencies), 1),
        "p50 ms": round(statistics.median(latencies), 2),
        "p95 ms": round(p95, 2),
        "p99 ms": round(percentile(latencies, 0.99), 2),
        "target": f"p95 < {p95_target:g} ms",
        "result": "PASS" if p95 < p95_target else "FAIL",
    }


def total_row(
    name: str, database: str, operations: int, seconds: float, target: float
) -> dict[str, object]:
    return {
        "scenario": name,
        "database": database,
        "concurrency": 1,
        "operations": operations,
        "ops/s": round(operations / seconds, 1),
        "target": f"< {target:g} s (took {seconds:.1f} s)",
        "result": "PASS" if seconds < target else "FAIL",
    }


def load_row(database: str, seconds: float) -> dict[str, object]:
    return total_row("customers: bulk load 100k (setup)", database, CUSTOMERS, seconds, 120)


def import_workbook(rows: int) -> bytes:
    """An .xlsx of ``rows`` new, valid customers, as sales would fill the template."""
    from openpyxl import Workbook

    rng = random.Random(7)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("客户")
    sheet.append(["客户名称", "统一社会信用代码", "省份", "城市", "地址", "行业", "类型", "状态",
                  "联系人", "职务", "手机", "邮箱"])  # fmt: skip
    for serial in range(1, rows + 1):
        name = f"{rng.choice(CITIES)[1]}{rng.choice(BRANDS)}第{serial}{rng.choice(TRADES)}有限公司"
        province, city, region = rng.choice(CITIES)
        sheet.append([
            name, uscc(region, 500_000_000 + serial), province, city, f"创业路{serial}号",
            rng.choice(TRADES), "公司", "合作中", rng.choice(SURNAMES) + rng.choice(GIVEN),
            "采购经理", mobile(rng), f"buyer{serial}@example.com",
        ])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_row(database: str, importer: Any) -> dict[str, object]:
    from orderdesk.customers.services import import_customers

    data = import_workbook(IMPORT_ROWS)
    started = time.perf_counter()
    report = import_customers(data, "bench.xlsx", by=importer)
    seconds = time.perf_counter() - started
    row = total_row(
        f"customers: import {IMPORT_ROWS:,} xlsx rows", database, IMPORT_ROWS, seconds,
        IMPORT_SECONDS,
    )  # fmt: skip
    if report.errors or len(report.created) != IMPORT_ROWS:
        row["result"] = "FAIL"
        row["target"] = f"{len(report.created)} imported, first error: {report.errors[:1]}"
    return row

"""Categories and products made through the real services, so audit rows exist."""

from __future__ import annotations

import itertools
from typing import Any

from orderdesk.accounts.selectors import system_user
from orderdesk.catalog import services
from orderdesk.catalog.models import Category, Product

_serial = itertools.count(1)


def make_category(*, by: Any = None, **overrides: Any) -> Category:
    serial = next(_serial)
    values = {"code": f"cat-{serial}", "name": f"分类{serial}", **overrides}
    return services.create_category(values, by=by or system_user())


def product_values(**overrides: Any) -> dict[str, Any]:
    serial = next(_serial)
    return {
        "sku": f"P-{serial:05d}",
        "name": f"测试产品{serial}",
        "spec": "220V 50Hz",
        "model_number": f"XL-{serial}",
        "unit": "台",
        "tax_rate": "0.13",
        "lead_time_days": 5,
        **overrides,
    }


def make_product(*, by: Any = None, category: Category | None = None, **overrides: Any) -> Product:
    values = product_values(**overrides)
    values["category"] = category or make_category(by=by)
    return services.create_product(values, by=by or system_user())

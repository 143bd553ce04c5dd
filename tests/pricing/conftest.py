"""Pricing fixtures: products made directly, price lists and promotions through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission

from orderdesk.catalog.models import Category, Product
from orderdesk.pricing import services
from orderdesk.pricing.models import PriceList, Promotion
from tests.factories.customers import make_customer

DAY = dt.date(2026, 6, 15)
_serial = itertools.count(1)


@pytest.fixture
def pricer(make_user: Callable[..., Any]) -> Any:
    """A user holding ``pricing.manage_prices`` directly (the role grants live in roles.py)."""
    user = make_user("pricer1", "finance")
    user.user_permissions.add(Permission.objects.get(codename="manage_prices"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def sales_manager1(make_user: Callable[..., Any]) -> Any:
    return make_user("salesmanager1", "sales_manager")


@pytest.fixture
def gm1(make_user: Callable[..., Any]) -> Any:
    return make_user("gm1", "general_manager")


@pytest.fixture
def category(db: Any) -> Category:
    return Category.objects.create(code="valves", name="阀门")


@pytest.fixture
def make_product(category: Category) -> Callable[..., Product]:
    def make(**fields: Any) -> Product:
        serial = next(_serial)
        values = {"sku": f"P-{serial:05d}", "name": f"球阀{serial}", "category": category,
                  "unit": "台", "tax_rate": Decimal("0.13"), **fields}  # fmt: skip
        return Product.objects.create(**values)

    return make


@pytest.fixture
def customer(sales1: Any) -> Any:
    return make_customer(sales1)


@pytest.fixture
def make_list(pricer: Any) -> Callable[..., PriceList]:
    def make(code: str, prices: dict[Any, Any] | None = None, **values: Any) -> PriceList:
        values = {"name": code, "valid_from": dt.date(2026, 1, 1), **values}
        price_list = services.create_price_list({"code": code, **values}, by=pricer)
        for product, price in (prices or {}).items():
            item = price if isinstance(price, dict) else {"unit_price": Decimal(price)}
            services.set_price(price_list, product, item, by=pricer)
        return price_list

    return make


@pytest.fixture
def make_promotion(pricer: Any) -> Callable[..., Promotion]:
    def make(code: str, kind: str, **values: Any) -> Promotion:
        values = {"name": code, "valid_from": dt.date(2026, 1, 1), **values}
        return services.create_promotion({"code": code, "kind": kind, **values}, by=pricer)

    return make

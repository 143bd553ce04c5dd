"""Stock fixtures: a warehouse keeper and a sales user holding the stock permissions
directly (the role grants live in accounts/roles.py), products and two warehouses."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission

from orderdesk.accounts.models import User
from orderdesk.catalog.models import Category, Product
from orderdesk.inventory.models import Warehouse

SKUS = itertools.count(1)


def grant(user: User, *codenames: str) -> User:
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="inventory", codename__in=codenames)
    )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def keeper(make_user: Callable[..., User]) -> User:
    return grant(make_user("warehouse1", "warehouse"), "manage_stock", "reserve_stock")


@pytest.fixture
def seller(make_user: Callable[..., User]) -> User:
    return grant(make_user("sales_stock", "sales"), "reserve_stock")


@pytest.fixture
def make_product(db: Any) -> Callable[..., Product]:
    def make(**fields: Any) -> Product:
        category, _created = Category.objects.get_or_create(
            code="valves", defaults={"name": "阀门"}
        )
        number = next(SKUS)
        values = {"sku": f"V-{number:04d}", "name": f"球阀 {number}", "unit": "个", **fields}
        return Product.objects.create(category=category, **values)

    return make


@pytest.fixture
def product(make_product: Callable[..., Product]) -> Product:
    return make_product(lead_time_days=5)


@pytest.fixture
def main_wh(db: Any) -> Warehouse:
    return Warehouse.objects.create(code="SH01", name="上海总仓")


@pytest.fixture
def second_wh(db: Any) -> Warehouse:
    return Warehouse.objects.create(code="GZ01", name="广州分仓")

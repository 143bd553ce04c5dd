"""Shared set-up for the query budget tests: ``grow(world, k)`` adds ``k`` rows to every
list (customer, released order, shipment, invoice, payment, change request, an order
waiting for the manager's review), and ``queries(client, url)`` counts a request's SQL."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orderdesk.accounts.models import User
from orderdesk.customers.models import CreditFile
from orderdesk.orders import services
from tests.billing.helpers import invoice_per, issued, paid, shipped, with_tax_data
from tests.changes.helpers import ask
from tests.factories.customers import make_customer
from tests.factories.orders import World, make_order, make_released_order


def viewer(username: str = "qb_viewer") -> Any:
    """Someone who sees every list: administrator, finance and general manager."""
    found, _created = User.objects.get_or_create(username=username)
    found.groups.set(Group.objects.filter(name__in=["administrator", "finance", "general_manager"]))
    return User.objects.get(pk=found.pk)


def grow(world: World, k: int) -> list[Any]:
    """``k`` more rows in each list; returns the released orders."""
    invoice_per("order")
    orders = []
    for _n in range(k):
        customer = make_customer(world.sales)
        CreditFile.objects.update_or_create(
            customer=customer, defaults={"grade": "A", "credit_limit": Decimal(10_000_000)}
        )
        with_tax_data(customer)
        order = make_released_order(world, customer_id=customer.pk)
        ask(order, world.service, {"header": {"delivery_address": "南山区科技园 8 号"}})
        shipped(order)
        issued(order, world.finance)
        paid(customer, "10.00", world.finance)
        services.submit(make_order(world, customer_id=customer.pk), by=world.sales)
        orders.append(order)
    return orders


def queries(client: Any, url: str, headers: dict[str, str] | None = None, **params: Any) -> int:
    """The number of SQL queries of one GET (after a first one that warms caches)."""
    client.get(url, params, headers=headers)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def growing(small: dict[str, int], large: dict[str, int]) -> Iterable[str]:
    """The pages whose query count grew with the rows shown."""
    return [
        f"{name}: {small[name]} → {large[name]}" for name in small if large[name] != small[name]
    ]

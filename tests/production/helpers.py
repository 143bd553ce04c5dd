"""Released orders that need production: a make-to-order line and a line short of stock."""

from __future__ import annotations

import json
from typing import Any

from orderdesk.catalog.models import Supply
from orderdesk.orders.models import Order
from orderdesk.production import services
from orderdesk.production.models import ProductionOrder
from tests.factories.accounts import bearer
from tests.factories.orders import World, make_released_order, make_world, user


def production_world(**kwargs: Any) -> World:
    world = make_world(**kwargs)
    made = world.products[0]
    made.supply = Supply.MAKE_TO_ORDER
    made.save(update_fields=["supply"])
    for person, email in (
        (world.sales, "sales@example.com"),
        (world.service, "service@example.com"),
        (world.production, "production@example.com"),
    ):
        person.email = email
        person.save(update_fields=["email"])
    return world


def released(world: World, *, short: str = "150", made: str = "4", stock: str = "2") -> Order:
    """Line 1: make-to-order; line 2: more than the stock of 100; line 3: in stock."""
    return make_released_order(
        world,
        lines=[
            {"sku": world.products[0].sku, "quantity": made},
            {"sku": world.products[1].sku, "quantity": short},
            {"sku": world.products[2].sku, "quantity": stock},
        ],
    )


def created(world: World, order: Order, **kwargs: Any) -> list[ProductionOrder]:
    return services.create_for_order(order, by=world.production, **kwargs)


def api(client: Any, method: str, url: str, who: Any, body: Any = None) -> Any:
    call = getattr(client, method)
    if method == "get":
        return call(url, headers=bearer(who))
    data = "" if body is None else json.dumps(body)
    return call(url, data, content_type="application/json", headers=bearer(who))


def outsider() -> Any:
    return user("x_logistics", "logistics")

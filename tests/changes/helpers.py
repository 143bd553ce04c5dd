"""Shared set-up for the order change tests: approved and released orders, a shipped part,
an invoiced part, and the people who ask for and decide changes."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from orderdesk.accounts.selectors import system_user
from orderdesk.catalog.models import Product
from orderdesk.changes import services
from orderdesk.changes.models import ApprovalStatus, ChangeRequest
from orderdesk.orders.models import Order, OrderLine
from orderdesk.pricing import services as pricing
from orderdesk.production import services as production
from orderdesk.production.models import ProductionOrder
from tests.billing.helpers import invoice_per, issued
from tests.factories.orders import World, approve_all, make_order, make_world, user
from tests.shipping.helpers import released, shipped

__all__ = [
    "World",
    "approve_all",
    "approved_order",
    "ask",
    "decide_all",
    "invoiced",
    "line",
    "logistics",
    "made_to_order",
    "make_world",
    "production_orders",
    "released",
    "released_order",
    "ship_part",
]


_serial = itertools.count(1)


def made_to_order(world: World, *, sales_kind: str = "normal") -> Product:
    """A make-to-order product (5 working days' lead time) at 200.00, floor 150.00."""
    product = Product.objects.create(
        sku=f"CH-MTO-{next(_serial):04d}",
        name="定制阀",
        spec="DN80",
        category=world.products[0].category,
        unit="台",
        tax_rate=Decimal("0.13"),
        lead_time_days=5,
        supply="make_to_order",
        sales_kind=sales_kind,
    )
    pricing.set_price(
        world.price_list,
        product,
        {"unit_price": Decimal("200.00"), "floor_price": Decimal("150.00")},
        by=system_user(),
    )
    return product


def production_orders(order: Order, world: World) -> list[ProductionOrder]:
    """The production orders a released order needs, made by production."""
    return production.create_for_order(order, by=world.production)


def logistics() -> Any:
    return user("ch_logistics", "logistics", email="logistics@example.com")


def approved_order(world: World, **overrides: Any) -> Order:
    """An order entered and approved (stock reserved by the warehouse step)."""
    return approve_all(make_order(world, **overrides), world)


def released_order(world: World, **overrides: Any) -> Order:
    return released(world, **overrides)


def line(order: Order, number: int) -> OrderLine:
    return order.lines.get(line_no=number)


def ship_part(order: Order, number: int, quantity: str) -> None:
    """Ship ``quantity`` of line ``number`` (confirmed, stock issued)."""
    shipped(order, logistics(), lines=[{"line_no": number, "quantity": quantity}])
    order.refresh_from_db()


def invoiced(order: Order, world: World, number: int, quantity: str) -> Any:
    """An issued invoice for ``quantity`` of line ``number``."""
    invoice_per("order")
    target = line(order, number)
    return issued(order, world.finance, lines=[{"order_line_id": target.pk, "quantity": quantity}])


def ask(order: Order, by: Any, proposal: dict[str, Any], **values: Any) -> ChangeRequest:
    values.setdefault("party", "customer")
    values.setdefault("reason", "客户来电要求变更")
    values.setdefault("reason_category", "customer_request")
    values.setdefault("requested_by_name", "王经理")
    return services.create_change_request(order, by=by, proposal=proposal, **values)


def deciders(world: World) -> dict[str, Any]:
    return {
        "sales": world.manager,
        "finance": world.finance,
        "warehouse": world.warehouse,
        "production": world.production,
        "logistics": logistics(),
    }


def decide_all(request: ChangeRequest, world: World) -> ChangeRequest:
    """Every pending department approves (the price authority and credit excesses by the
    general manager)."""
    people = deciders(world)
    for approval in request.approvals.filter(status=ApprovalStatus.PENDING):
        by = people.get(approval.department) if approval.role != "general_manager" else None
        if approval.department == "pricing" or by is None:
            by = world.gm
        services.approve_change(request, approval.department, by=by, note="同意")
    request.refresh_from_db()
    return request

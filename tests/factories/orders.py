"""Orders for tests: a priced, stocked catalog, a customer with credit, complete order values.

``make_world()`` builds what an order needs through the real services (price list,
stock receipt, customer, credit file); ``order_values(world)`` is a complete order body in
the API's field names.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from orderdesk.accounts.models import User
from orderdesk.accounts.selectors import system_user
from orderdesk.catalog.models import Category, Product
from orderdesk.core import workcalendar
from orderdesk.core.models import Branch
from orderdesk.customers.models import CreditFile, Customer
from orderdesk.inventory import services as stock
from orderdesk.inventory.models import Warehouse
from orderdesk.orders import services
from orderdesk.orders.models import Order
from orderdesk.pricing import services as pricing
from orderdesk.pricing.models import PriceList
from tests.factories.customers import make_customer

_serial = itertools.count(1)


@dataclass
class World:
    sales: User
    manager: User
    finance: User
    warehouse: User
    production: User
    gm: User
    service: User
    customer: Customer
    products: list[Product]
    price_list: PriceList
    warehouse_site: Warehouse


def user(username: str, role: str, **fields: Any) -> User:
    found, _created = User.objects.get_or_create(username=username, defaults=fields)
    found.groups.set(Group.objects.filter(name=role))
    return User.objects.get(pk=found.pk)


def make_world(*, grade: str = "A", credit_limit: str = "1000000", stock_each: int = 100) -> World:
    Branch.objects.get_or_create(code="GD001", defaults={"name": "广州一店", "province": "广东"})
    manager = user("om_manager", "sales_manager", email="manager@example.com")
    sales = user("om_sales", "sales", supervisor=manager)
    world_users = {
        "finance": user("om_finance", "finance"),
        "warehouse": user("om_warehouse", "warehouse"),
        "production": user("om_production", "production"),
        "gm": user("om_gm", "general_manager", email="gm@example.com"),
        "service": user("om_service", "customer_service"),
    }
    system = system_user()
    category, _c = Category.objects.get_or_create(code="om-valves", defaults={"name": "阀门"})
    products = [
        Product.objects.create(
            sku=f"OM-{next(_serial):05d}",
            name="球阀",
            spec="DN50",
            category=category,
            unit="台",
            tax_rate=Decimal("0.13"),
            lead_time_days=3,
        )
        for _ in range(3)
    ]
    price_list = pricing.create_price_list(
        {"code": f"STD-{next(_serial)}", "name": "标准价", "valid_from": dt.date(2026, 1, 1)},
        by=system,
    )
    for product in products:
        pricing.set_price(
            price_list,
            product,
            {"unit_price": Decimal("113.00"), "floor_price": Decimal("90.00")},
            by=system,
        )
    site, _w = Warehouse.objects.get_or_create(code="OM-WH", defaults={"name": "成品仓"})
    for product in products:
        stock.receive_stock(product, site, stock_each, by=system)
    customer = make_customer(sales)
    CreditFile.objects.update_or_create(
        customer=customer, defaults={"grade": grade, "credit_limit": Decimal(credit_limit)}
    )
    customer.refresh_from_db()
    return World(
        sales=sales,
        manager=manager,
        customer=customer,
        products=products,
        price_list=price_list,
        warehouse_site=site,
        **world_users,
    )


def order_values(world: World, **overrides: Any) -> dict[str, Any]:
    requested = workcalendar.add_working_days(timezone.localdate(), 10)
    return {
        "customer_id": world.customer.pk,
        "channel": "phone",
        "contact_name": "王经理",
        "contact_phone": "13800138000",
        "payment_method": "bank_transfer",
        "delivery_province": "广东",
        "delivery_city": "广州市",
        "delivery_district": "天河区",
        "delivery_address": "天河路 1 号",
        "requested_date": requested.isoformat(),
        "special_requirements": "木箱包装",
        "lines": [
            {"sku": world.products[0].sku, "quantity": "2"},
            {"sku": world.products[1].sku, "quantity": "5"},
        ],
        **overrides,
    }


def make_order(world: World, **overrides: Any) -> Order:
    return services.create_order(order_values(world, **overrides), by=world.sales)


def approve_all(order: Order, world: World) -> Order:
    """Submit and pass every step the order needs (production with a completion date)."""
    order.refresh_from_db()
    if order.status in ("draft", "returned"):
        services.submit(order, by=world.sales)
    deciders = {
        "sales": world.manager,
        "pricing": world.gm,
        "finance": world.finance,
        "warehouse": world.warehouse,
        "production": world.production,
    }
    for _round in range(3):
        order.refresh_from_db()
        for step in order.reviews.filter(round=order.review_round, status="pending"):
            decision = {}
            if step.step == "production":
                decision["earliest_completion"] = order.requested_date
            services.decide(
                order,
                step.step,
                approve=True,
                by=deciders[step.step] if step.role != "general_manager" else world.gm,
                comment="ok",
                decision=decision,
            )
    order.refresh_from_db()
    return order


def make_released_order(world: World, **overrides: Any) -> Order:
    """An order entered, approved (stock reserved by the warehouse step) and released; the
    confirmation is sent and recorded as confirmed by customer service."""
    order = approve_all(make_order(world, **overrides), world)
    services.send_confirmation(order, by=world.sales)
    services.record_confirmation(order, by=world.service, note="客户电话确认")
    services.release(order, by=world.manager)
    order.refresh_from_db()
    return order

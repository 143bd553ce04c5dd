"""Shared set-up for the shipping tests."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from orderdesk.orders import services as order_services
from orderdesk.orders.models import Order
from orderdesk.orders.services import releasing
from orderdesk.shipping import services
from orderdesk.shipping.models import Shipment
from tests.factories.billing import prepaid
from tests.factories.orders import approve_all, make_order, user

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def photo(name: str = "proof.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def logistics() -> Any:
    return user("sh_logistics", "logistics", email="logistics@example.com")


def released(world: Any, **overrides: Any) -> Order:
    """A released order of any grade (the deposit paid in billing when it needs one)."""
    order = approve_all(make_order(world, **overrides), world)
    order_services.send_confirmation(order, by=world.sales)
    order_services.record_confirmation(order, by=world.service, note="ok")
    order.refresh_from_db()
    deposit = releasing.deposit_required(order)
    if deposit > 0:
        prepaid(order, deposit, world.finance)
    order_services.release(order, by=world.manager)
    order.refresh_from_db()
    return order


def ship(order: Order, by: Any, **values: Any) -> Shipment:
    values.setdefault("carrier", "SF")
    values.setdefault("tracking_number", "SF1234567890123")
    return services.create_shipment(order, by=by, **values)


def shipped(order: Order, by: Any, **values: Any) -> Shipment:
    shipment = ship(order, by, **values)
    services.confirm_shipment(shipment, by=by)
    shipment.refresh_from_db()
    return shipment

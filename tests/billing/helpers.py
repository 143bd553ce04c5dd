"""Shared set-up for the billing tests: released and shipped orders, tax data, a clerk."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from orderdesk.billing import services
from orderdesk.billing.models import BillingSettings, Invoice, Payment
from orderdesk.customers.models import Customer
from orderdesk.orders.models import Order
from orderdesk.shipping import services as shipping
from orderdesk.shipping.models import Shipment
from tests.factories.orders import user


def logistics() -> Any:
    return user("bi_logistics", "logistics")


def invoice_per(mode: str) -> None:
    BillingSettings.objects.update_or_create(pk=1, defaults={"invoice_per": mode})


def with_tax_data(customer: Customer) -> Customer:
    Customer.objects.filter(pk=customer.pk).update(
        tax_number="91330106000000001X",
        phone="0571-88888888",
        bank_name="中国工商银行杭州分行",
        bank_account="1202020209000012345",
        invoice_title="杭州测试机械有限公司",
    )
    customer.refresh_from_db()
    return customer


def shipped(order: Order, lines: list[dict[str, Any]] | None = None) -> Shipment:
    by = logistics()
    shipment = shipping.create_shipment(
        order, by=by, lines=lines, carrier="SF", tracking_number="SF1234567890123"
    )
    shipping.confirm_shipment(shipment, by=by)
    shipment.refresh_from_db()
    return shipment


def issued(order: Order, by: Any, **values: Any) -> Invoice:
    values.setdefault("kind", "ordinary")
    kind = values.pop("kind")
    invoice = services.create_invoice(order, kind, by=by, **values)
    return services.issue_invoice(invoice, by=by)


def paid(customer: Customer, amount: str, by: Any, **values: Any) -> Payment:
    values.setdefault("method", "bank_transfer")
    values.setdefault("reference", "ICBC-0001")
    values.setdefault("received_on", timezone.localdate())
    return services.record_payment(customer, amount=Decimal(amount), by=by, **values)

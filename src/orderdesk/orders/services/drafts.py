"""Entering an order (订单录入): create a draft and edit it while it is a draft or returned.

A draft may be incomplete (the submit checks list what is missing), but what it holds is
always valid: a known customer the user may see, orderable products priced by the pricing
service, positive quantities, prices exact to the fen, dates not in the past. Lines are
priced on the day of entry; totals are sums of the lines, exact to the fen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from orderdesk.accounts.selectors import acting_for, role_names
from orderdesk.catalog.models import Product
from orderdesk.core import audit, numbering, permissions, regions
from orderdesk.core.errors import Conflict, ValidationFailed
from orderdesk.core.models import Branch
from orderdesk.core.money import as_decimal
from orderdesk.customers import selectors as customer_selectors
from orderdesk.customers.models import Contact, Customer, CustomerStatus, GradeTerms
from orderdesk.inventory import selectors as stock_selectors
from orderdesk.inventory import services as stock
from orderdesk.pricing import services as pricing

from .. import lifecycle, selectors
from ..models import Channel, Order, OrderLine, PaymentMethod

ENTER = "orders.enter_orders"
TEXT_FIELDS = {
    "contact_name": 50,
    "contact_phone": 30,
    "customer_reference": 60,
    "payment_terms": 200,
    "delivery_province": 20,
    "delivery_city": 30,
    "delivery_district": 30,
    "delivery_address": 200,
    "consignee": 50,
    "consignee_phone": 30,
    "special_requirements": 2000,
    "packing_requirements": 200,
    "label_requirements": 200,
    "logistics_preference": 200,
}
HEADER_FIELDS = (
    *TEXT_FIELDS,
    "customer_id",
    "contact_id",
    "channel",
    "received_at",
    "salesperson_id",
    "payment_method",
    "deposit_percent",
    "requested_date",
)
AUDITED = (
    *TEXT_FIELDS,
    "channel",
    "payment_method",
    "deposit_percent",
    "deposit_amount",
    "requested_date",
    "net_amount",
    "tax_amount",
    "total_amount",
)
FEN = Decimal("0.01")
# The money and quantity columns hold 14 digits (12 before the point for money, 11 for
# quantities): larger values are refused as input errors instead of failing in the database.
MAX_AMOUNT = Decimal("999999999999.99")
MAX_QUANTITY = Decimal("99999999999.999")


def create_order(values: Mapping[str, Any], *, by: Any) -> Order:
    """A new draft order with a number from the numbering rule."""
    permissions.require(by, ENTER)
    header, errors = clean_header(values, by=by, order=None)
    customer = header.get("customer")
    lines, totals = price(customer, values.get("lines") or [], by=by, errors=errors)
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        order = Order(**header, created_by=by, **totals)
        order.number = numbering.next_number(
            "order", on=timezone.localdate(order.received_at), branch=branch_for(order)
        )
        order.save()
        save_lines(order, lines)
        audit.record(
            order,
            "order_created",
            by=by,
            # What the new order holds; fields left empty are not listed.
            changes={
                name: (None, audit.plain(getattr(order, name)))
                for name in AUDITED
                if getattr(order, name) not in ("", None)
            }
            | {"lines": (None, describe(lines))},
        )
    return order


def update_order(
    order: Order, values: Mapping[str, Any], *, by: Any, version: int | None = None
) -> Order:
    """Change a draft or returned order. Only the fields present in ``values`` change;
    ``lines`` replaces every line. ``version`` (when given) must be the order's current
    version, else 409 ``stale_order``."""
    permissions.require(by, ENTER)
    with transaction.atomic():
        locked = selectors.lock_visible_order(by, order.pk)
        lifecycle.require_editable(locked)
        if version is not None and int(version) != locked.version:
            raise Conflict(
                _("The order was changed by someone else; reload it and try again."),
                code="stale_order",
                fields={"version": str(locked.version)},
            )
        header, errors = clean_header(values, by=by, order=locked)
        customer = header.get("customer", locked.customer)
        lines_given = "lines" in values
        if lines_given or "customer_id" in values:
            raw = values.get("lines") if lines_given else current_line_requests(locked)
            lines, totals = price(customer, raw or [], by=by, errors=errors)
        if errors:
            raise invalid(errors)
        before = audit.snapshot(locked, AUDITED)
        old_lines = describe_saved(locked)
        for name, value in header.items():
            setattr(locked, name, value)
        changes: dict[str, tuple[Any, Any]] = {}
        if lines_given or "customer_id" in values:
            for name, value in totals.items():
                setattr(locked, name, value)
            new_lines = describe(lines)
            if new_lines != old_lines:
                release_reservations(locked, by=by)
                locked.lines.all().delete()
                save_lines(locked, lines)
                changes["lines"] = (old_lines, new_lines)
        changes |= audit.diff(before, audit.snapshot(locked, AUDITED))
        if "customer" in header and header["customer"].pk != order.customer_id:
            changes["customer"] = (order.customer_id, header["customer"].pk)
        if changes:
            locked.version += 1
            locked.save()
            audit.record(locked, "order_changed", by=by, changes=changes)
    return locked


# --- header ----------------------------------------------------------------------------


def clean_header(
    values: Mapping[str, Any], *, by: Any, order: Order | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The header fields present in ``values`` (all of them for a new order), checked."""
    errors: dict[str, str] = {}
    header: dict[str, Any] = {}
    new = order is None
    for name, limit in TEXT_FIELDS.items():
        if name in values or new:
            text = str(values.get(name) or "").strip()
            if len(text) > limit:
                errors[name] = _("Use at most {limit} characters.").format(limit=limit)
            header[name] = text
    customer = order.customer if order is not None else None
    if "customer_id" in values or new:
        customer = find_customer(values.get("customer_id"), by=by, errors=errors)
        if customer is not None:
            header["customer"] = customer
    if "contact_id" in values and values.get("contact_id") not in (None, ""):
        contact = Contact.objects.filter(pk=as_int(values["contact_id"]) or 0).first()
        if contact is None or customer is None or contact.customer_id != customer.pk:
            errors["contact_id"] = _("Choose a contact of this customer.")
        else:
            header["contact"] = contact
            if not header.get("contact_name"):
                header["contact_name"] = contact.name
            if not header.get("contact_phone"):
                header["contact_phone"] = contact.mobile or contact.phone
    if "channel" in values or new:
        channel = str(values.get("channel") or "").strip()
        if channel not in Channel.values:
            errors["channel"] = _("Choose how the order came in.")
        header["channel"] = channel
    if "received_at" in values or new:
        header["received_at"] = clean_received_at(values.get("received_at"), errors)
    if "salesperson_id" in values or new:
        header["salesperson"] = clean_salesperson(
            values.get("salesperson_id"), customer, by, errors
        )
    if "payment_method" in values:
        method = str(values.get("payment_method") or "").strip()
        if method and method not in PaymentMethod.values:
            errors["payment_method"] = _("Choose a payment method from the list.")
        header["payment_method"] = method
    if "deposit_percent" in values and values["deposit_percent"] not in (None, ""):
        percent = as_decimal(values["deposit_percent"])
        if percent is None or not 0 <= percent <= 100:
            errors["deposit_percent"] = _("Enter a percentage between 0 and 100.")
        else:
            header["deposit_percent"] = percent
    if new and customer is not None:
        deposit, terms = grade_defaults(customer)
        header.setdefault("deposit_percent", deposit)
        header["payment_terms"] = header.get("payment_terms") or terms
    if "requested_date" in values:
        header["requested_date"] = clean_date(values.get("requested_date"), errors)
    if province := header.get("delivery_province"):
        normal = regions.normalize_province(province)
        if normal is None:
            errors["delivery_province"] = _("Enter a province of China, e.g. 广东 or 广东省.")
        else:
            header["delivery_province"] = normal
    return header, errors


def find_customer(key: Any, *, by: Any, errors: dict[str, str]) -> Customer | None:
    customer_id = as_int(key)
    customer = (
        customer_selectors.customers_visible_to(by)
        .select_related("credit", "owner__branch")
        .filter(pk=customer_id)
        .first()
        if customer_id is not None
        else None
    )
    if customer is None:
        errors["customer_id"] = _("Unknown customer.")
    elif customer.status == CustomerStatus.BLACKLISTED:
        errors["customer_id"] = _("{name} is blacklisted; orders are not accepted.").format(
            name=customer.name
        )
        return None
    return customer


def clean_received_at(value: Any, errors: dict[str, str]) -> dt.datetime:
    if value in (None, ""):
        return timezone.now()
    moment = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if moment is None:
        errors["received_at"] = _("Enter a date and time, e.g. 2026-11-23 09:30.")
        return timezone.now()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + dt.timedelta(minutes=5):
        errors["received_at"] = _("The order cannot have been received in the future.")
    return moment


def clean_salesperson(key: Any, customer: Customer | None, by: Any, errors: dict[str, str]) -> Any:
    user_model = get_user_model()
    if key not in (None, ""):
        found = user_model.objects.filter(pk=as_int(key) or 0, is_active=True).first()
        if found is None:
            errors["salesperson_id"] = _("Unknown salesperson.")
        return found or by
    if {"sales", "sales_manager"} & set(role_names(by)):
        return by
    return customer.owner if customer is not None else by


def clean_date(value: Any, errors: dict[str, str], field: str = "requested_date") -> dt.date | None:
    if value in (None, ""):
        return None
    day = value if isinstance(value, dt.date) else parse_date(str(value))
    if day is None:
        errors[field] = _("Enter a date, e.g. 2026-12-31.")
        return None
    if day < timezone.localdate():
        errors[field] = _("The date is in the past.")
    return day


def grade_defaults(customer: Customer) -> tuple[Decimal, str]:
    """The deposit percent and payment terms a new order of ``customer`` starts with: the
    grade's deposit, and the customer's own terms when set, else the grade's (one read)."""
    credit = getattr(customer, "credit", None)
    terms = GradeTerms.objects.filter(grade=getattr(credit, "grade", "C")).first()
    deposit = terms.deposit_percent if terms is not None else Decimal(0)
    if credit is not None and credit.payment_terms:
        return deposit, str(credit.payment_terms)
    return deposit, terms.payment_terms if terms is not None else ""


def branch_for(order: Order) -> Branch | None:
    branch = getattr(order.salesperson, "branch", None)
    return branch or Branch.objects.order_by("pk").first()


# --- lines -----------------------------------------------------------------------------


def price(
    customer: Customer | None,
    raw_lines: Sequence[Mapping[str, Any]],
    *,
    by: Any,
    errors: dict[str, str],
) -> tuple[list[OrderLine], dict[str, Decimal]]:
    """Order lines priced by the pricing service (unsaved) and the order totals."""
    zero = {"net_amount": Decimal(0), "tax_amount": Decimal(0), "total_amount": Decimal(0)}
    if not isinstance(raw_lines, Sequence) or isinstance(raw_lines, str):
        errors["lines"] = _("Lines must be a list.")
        return [], zero
    if len(raw_lines) > 5000:
        errors["lines"] = _("An order has at most 5,000 lines.")
        return [], zero
    skus = {
        str(line.get("sku") or "").strip().upper()
        for line in raw_lines
        if isinstance(line, Mapping)
    }
    ids = {as_int(line.get("product_id")) for line in raw_lines if isinstance(line, Mapping)}
    products = Product.objects.filter(sku__in=skus - {""}) | Product.objects.filter(
        pk__in=ids - {None}
    )
    by_sku = {product.sku: product for product in products}
    by_id = {product.pk: product for product in by_sku.values()}
    requests = []
    notes = []
    line_errors: dict[str, str] = {}
    for index, line in enumerate(raw_lines):
        at = f"lines.{index}"
        if not isinstance(line, Mapping):
            line_errors[at] = _("Each line needs a product and a quantity.")
            requests.append((Product(), 0, None, None))
            notes.append("")
            continue
        sku = str(line.get("sku") or "").strip().upper()
        product = by_sku.get(sku) if sku else by_id.get(as_int(line.get("product_id")) or 0)
        if product is None:
            line_errors[f"{at}.sku"] = (
                _("Unknown SKU {sku}.").format(sku=sku) if sku else _("Choose a product.")
            )
        unit_price = line.get("unit_price")
        if unit_price not in (None, ""):
            parsed = as_decimal(unit_price)
            if parsed is None or parsed < 0:
                line_errors[f"{at}.unit_price"] = _("Enter a price of zero or more.")
            elif parsed != parsed.quantize(FEN):
                line_errors[f"{at}.unit_price"] = _("Prices have at most 2 decimals (fen).")
        else:
            unit_price = None
        discount = line.get("discount_percent")
        requests.append((product or Product(), line.get("quantity"), unit_price, discount or None))
        notes.append(str(line.get("note") or "")[:200])
    if customer is None or line_errors:
        errors.update(line_errors)
        return [], zero
    if not requests:
        return [], zero
    try:
        quote = pricing.price_lines(customer, requests, on=timezone.localdate(), by=by)
    except ValidationFailed as error:
        for key, message in error.fields.items():
            key = key.replace(".product", ".sku").replace(".requested_unit_price", ".unit_price")
            errors[key.replace(".requested_discount_percent", ".discount_percent")] = message
        return [], zero
    too_large = {
        f"lines.{quoted.index}.quantity": _("The line amount is too large; check the quantity.")
        for quoted in quote.lines
        if quoted.gross > MAX_AMOUNT or quoted.quantity > MAX_QUANTITY
    }
    if too_large or quote.gross > MAX_AMOUNT:
        errors.update(too_large or {"lines": _("The order total is too large.")})
        return [], zero
    lines = [
        OrderLine(
            line_no=index + 1,
            product=quoted.product,
            sku=quoted.product.sku,
            name=quoted.product.name,
            spec=quoted.product.spec,
            unit=quoted.product.unit,
            quantity=quoted.quantity,
            list_price=quoted.list_price,
            unit_price=quoted.net_unit_price,
            discount_percent=quoted.discount_percent,
            tax_rate=quoted.product.tax_rate,
            net_amount=quoted.net,
            tax_amount=quoted.tax,
            line_total=quoted.gross,
            promotion=", ".join([*quoted.promotions, *quote.order_promotions])[:200],
            approval_role=(quoted.approval or {}).get("needed_role", ""),
            approval_reason=(quoted.approval or {}).get("reason", ""),
            note=notes[index],
        )
        for index, quoted in enumerate(quote.lines)
    ]
    return lines, {
        "net_amount": quote.net,
        "tax_amount": quote.tax,
        "total_amount": quote.gross,
    }


def save_lines(order: Order, lines: list[OrderLine]) -> None:
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)


def current_line_requests(order: Order) -> list[dict[str, Any]]:
    return [
        {
            "sku": line.sku,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "note": line.note,
        }
        for line in order.lines.all()
    ]


def describe(lines: Sequence[OrderLine]) -> list[str]:
    """Lines as short text for the audit trail and change detection."""
    return [f"{line.sku} × {line.quantity} @ {line.unit_price}" for line in lines]


def describe_saved(order: Order) -> list[str]:
    return describe(list(order.lines.order_by("line_no")))


def release_reservations(order: Order, *, by: Any) -> None:
    """Give back stock held for the order's lines (a changed or cancelled order)."""
    references = [line.reference for line in order.lines.all()]
    for reservation in stock_selectors.open_reservations().filter(reference__in=references):
        stock.release(
            reservation,
            by=system_or(by),
            reason=_("Order {number} changed").format(number=order.number),
        )


def system_or(by: Any) -> Any:
    """Stock moves the order causes are made for the user when they may, else by the system
    account (a salesperson editing their order may not touch stock directly)."""
    return acting_for(by, "inventory.reserve_stock")


def invalid(errors: dict[str, str]) -> ValidationFailed:
    return ValidationFailed(
        _("Correct the highlighted fields."), code="invalid_order", fields=errors
    )


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None

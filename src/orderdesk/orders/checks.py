"""What the review checks (订单审核的检查项), computed from the order as it stands.

Pure reads: completeness for submitting, which steps an order needs, the figures each
department sees (credit exposure, stock shortfalls, late lines) and a digest per step of what
it checked, so a resubmitted order re-runs only the steps whose inputs changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.catalog.models import SalesKind, Supply
from orderdesk.core import workcalendar
from orderdesk.inventory import selectors as stock_selectors

from . import receivables
from .models import Order, OrderLine, ReviewSettings, Step

ZERO = Decimal(0)


def missing_items(order: Order, lines: list[OrderLine]) -> dict[str, str]:
    """Every required item the order lacks (MISSION §4), field → what to ask for."""
    missing: dict[str, str] = {}
    if not order.contact_name:
        missing["contact_name"] = _("Contact person")
    if not order.contact_phone:
        missing["contact_phone"] = _("Contact phone")
    if not lines:
        missing["lines"] = _("At least one product with quantity and price")
    if not order.payment_method:
        missing["payment_method"] = _("Payment method")
    if not order.delivery_province:
        missing["delivery_province"] = _("Delivery province")
    if not order.delivery_city:
        missing["delivery_city"] = _("Delivery city")
    if not order.delivery_address:
        missing["delivery_address"] = _("Delivery address")
    if not order.requested_date:
        missing["requested_date"] = _("Requested delivery date")
    return missing


@dataclass
class Findings:
    late_lines: list[dict[str, Any]]
    short_lines: list[dict[str, Any]]
    custom_lines: list[str]
    made_to_order: list[str]
    price_role: str
    credit: dict[str, Any]

    def steps(self, settings: ReviewSettings) -> list[str]:
        """The steps this order needs: those the company switched on, plus those a rule
        demands whatever the settings (price authority, blocked credit, custom products,
        dates before the lead time)."""
        steps: list[str] = [Step.SALES] if settings.sales_step else []
        if self.price_role:
            steps.append(Step.PRICING)
        if settings.finance_step or self.credit.get("blocked"):
            steps.append(Step.FINANCE)
        if settings.warehouse_step:
            steps.append(Step.WAREHOUSE)
        supply = settings.production_step and (self.short_lines or self.made_to_order)
        if self.late_lines or self.custom_lines or supply:
            steps.append(Step.PRODUCTION)
        return steps


def findings(order: Order, lines: list[OrderLine], settings: ReviewSettings) -> Findings:
    today = timezone.localdate()
    late = []
    # One calendar walk per distinct lead time, not per line (1,000-line orders).
    earliest_by_lead = {
        days: workcalendar.add_working_days(today, days)
        for days in {line.product.lead_time_days for line in lines}
    }
    for line in lines:
        earliest = earliest_by_lead[line.product.lead_time_days]
        if order.requested_date and order.requested_date < earliest:
            late.append({"line": line.line_no, "sku": line.sku, "earliest": earliest.isoformat()})
    short = []
    stocked = [line for line in lines if line.product.supply != Supply.MAKE_TO_ORDER]
    # One grouped read for all lines: a 1,000-line order costs the same few queries.
    availability = stock_selectors.availability_by_product([line.product for line in stocked])
    for line in stocked:
        available = availability[line.product.pk]
        if available["available"] < line.quantity:
            short.append(
                {
                    "line": line.line_no,
                    "sku": line.sku,
                    "quantity": str(line.quantity),
                    "available": str(available["available"]),
                    "restock_on": str(available["restock_on"] or ""),
                }
            )
    return Findings(
        late_lines=late,
        short_lines=short,
        custom_lines=[line.sku for line in lines if line.product.sales_kind == SalesKind.CUSTOM],
        made_to_order=[line.sku for line in lines if line.product.supply == Supply.MAKE_TO_ORDER],
        price_role=strongest_price_role(lines),
        credit=credit_position(order, settings),
    )


def strongest_price_role(lines: list[OrderLine]) -> str:
    roles = {line.approval_role for line in lines if line.approval_role}
    if "general_manager" in roles:
        return "general_manager"
    return next(iter(sorted(roles)), "")


def credit_position(order: Order, settings: ReviewSettings) -> dict[str, Any]:
    """Limit, exposure (open receivables and the customer's other approved-but-uninvoiced
    orders, from billing), this order, the excess and the overdue balance.

    Amounts are strings so they can be stored with the step and shown as they were.
    """
    credit = getattr(order.customer, "credit", None)
    limit = credit.credit_limit if credit is not None else ZERO
    grade = credit.grade if credit is not None else "C"
    figures = receivables.source()
    exposure = figures.exposure(order.customer, excluding=order).quantize(Decimal("0.01"))
    overdue = figures.overdue(order.customer).quantize(Decimal("0.01"))
    allowed = (limit * (1 + settings.credit_tolerance_percent / 100)).quantize(Decimal("0.01"))
    excess = max(ZERO, exposure + order.total_amount - allowed)
    return {
        "grade": grade,
        "limit": str(limit),
        "allowed": str(allowed),
        "exposure": str(exposure),
        "order": str(order.total_amount),
        "excess": str(excess),
        "overdue": str(overdue),
        "blocked": excess > 0 or overdue > 0,
    }


def digest(order: Order, lines: list[OrderLine], step: str) -> str:
    """What ``step`` looked at, hashed: equal digests mean an earlier approval still holds."""
    line_keys = [(line.sku, str(line.quantity)) for line in lines]
    priced = [(line.sku, str(line.quantity), str(line.unit_price)) for line in lines]
    inputs: dict[str, list[Any]] = {
        Step.SALES: [
            priced,
            order.payment_method,
            order.payment_terms,
            str(order.deposit_percent),
            order.delivery_full_address,
            str(order.requested_date),
            order.customer_id,
        ],
        Step.PRICING: [priced, order.customer_id],
        Step.FINANCE: [
            str(order.total_amount),
            order.payment_method,
            order.payment_terms,
            str(order.deposit_percent),
            order.customer_id,
        ],
        Step.WAREHOUSE: [line_keys],
        Step.PRODUCTION: [line_keys, str(order.requested_date)],
    }
    text = json.dumps(inputs[step], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def earliest_promise(order: Order, lines: list[OrderLine], completion: dt.date | None) -> dt.date:
    """The date the company can promise: the requested date, unless lead times or the
    production step's earliest completion date say later."""
    today = timezone.localdate()
    candidates = [order.requested_date or today]
    if completion is not None:
        candidates.append(completion)
    return max(candidates)

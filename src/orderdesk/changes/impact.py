"""Impact assessment of a change request (变更影响评估): what the change would do, worked
out before anyone approves it, and the plan ``services.applying`` carries out.

:func:`plan` reads the order as it is and the proposal (README, "proposal") and writes
nothing:

- **Lines and totals** through the order entry's pricing path
  (``orders.services.drafts.price`` → ``pricing.services.price_lines``): a quantity change
  keeps the agreed unit price (as editing a draft does), a new product on a line and a new
  line take the price policy's price, a given ``unit_price`` is a manual price checked
  against the price policy as at submit (outside it → the pricing authority). The whole
  order is priced together, so an order-level promotion (满减) spreads over the new
  quantities; lines the change does not touch keep their amounts, and the totals are the
  sum of the lines (``pricing.calculations.total``).
- **Credit**: the exposure with the new total (``orders.checks.credit_position``).
- **Stock**: per line, stock to reserve (a higher quantity, a new product or line, while the
  warehouses have it) or to release (a lower quantity, a removed line, a cancellation). A
  reduction gives back reserved stock first, then lowers planned production orders.
- **Production**: the production orders of the lines concerned, with what was made; a
  planned one follows the quantity (never below what was made), one under way is left to
  production (its surplus goes to stock when completed).
- **Shipments**: a line cannot go below what was shipped (422 ``below_shipped``) nor below
  what draft shipments hold; a line that any document refers to cannot be removed.
- **Invoices**: issued invoices are never changed; the assessment says which need a credit
  note (红字发票) or an extra invoice, and for how much.
- **Promised date**: the earliest date the company can promise after the change.
- **Departments**: who approves and why (``routing.departments``).

:func:`assess` is the same as a JSON-friendly dict (amounts and quantities as strings,
dates ISO) with the README's keys; ``refusals`` names every field a rule refuses.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from orderdesk.accounts.roles import role_label
from orderdesk.billing.services import line_amounts as invoice_share
from orderdesk.catalog.models import Product, SalesKind, Supply
from orderdesk.core import workcalendar
from orderdesk.core.errors import Conflict, DomainError
from orderdesk.core.money import as_decimal
from orderdesk.inventory import selectors as stock_selectors
from orderdesk.inventory.calculations import parse_quantity
from orderdesk.inventory.models import Reservation
from orderdesk.orders import checks
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.models import Order, OrderLine, OrderStatus, Step, StepStatus
from orderdesk.orders.services import drafts
from orderdesk.preparation import selectors as preparation_selectors
from orderdesk.pricing import calculations as calc
from orderdesk.production import selectors as production_selectors
from orderdesk.production.models import OPEN_STATUSES, ProductionOrder, ProductionStatus
from orderdesk.shipping import selectors as shipping_selectors
from orderdesk.shipping.models import SENT

from . import routing, selectors
from .models import ChangeKind, Department
from .revisions import HEADER_FIELDS

K = ChangeKind
S = OrderStatus
ZERO = Decimal(0)
FEN = Decimal("0.01")
NOUGHT = Decimal("0.00")
ADDRESS_FIELDS = frozenset(
    {
        "delivery_province",
        "delivery_city",
        "delivery_district",
        "delivery_address",
        "consignee",
        "consignee_phone",
    }
)
DATE_FIELDS = frozenset({"requested_date", "promised_date"})
TERMS_FIELDS = frozenset({"payment_method", "payment_terms"})
REQUIRED = frozenset(
    {"delivery_province", "delivery_city", "delivery_address", "payment_method", "requested_date"}
)
"""What an order must keep (the submit's completeness check): a change cannot blank it."""
CHANGEABLE = frozenset(
    {S.APPROVED, S.AWAITING_CONFIRMATION, S.RELEASED, S.IN_PRODUCTION, S.PARTIALLY_SHIPPED}
)
"""Statuses whose orders take change requests (an order on hold: the status it was held in)."""
PROPOSAL_KEYS = frozenset({"header", "lines", "add", "remove", "cancel"})
PRICED_FIELDS = (
    "product",
    "sku",
    "name",
    "spec",
    "unit",
    "quantity",
    "list_price",
    "unit_price",
    "discount_percent",
    "tax_rate",
    "net_amount",
    "tax_amount",
    "line_total",
    "promotion",
)
"""What a change copies from the newly priced line onto the order line."""
APPROVAL_FIELDS = ("approval_role", "approval_reason")


# --- the plan -------------------------------------------------------------------------------


@dataclass
class ProductionChange:
    po: ProductionOrder
    made: Decimal
    new_quantity: Decimal
    action: str
    """``adjust`` (a planned order follows the line), ``unchanged`` (under way: production
    decides), ``not_needed`` (nothing is left to make for it)."""


@dataclass
class LinePlan:
    key: str
    """Where the proposal names it: ``lines.0``, ``add.1``, ``remove.0`` or ``cancel``."""
    line: OrderLine | None
    """The order line as it is; ``None`` for a line the change adds."""
    new: OrderLine | None
    """Its new values (unsaved); ``None`` when the line is removed or the order cancelled."""
    quantity_changed: bool = False
    product_changed: bool = False
    price_given: bool = False
    shipped: Decimal = ZERO
    drafted: Decimal = ZERO
    prepared: Decimal = ZERO
    reservation: Reservation | None = None
    release: Decimal = ZERO
    """Stock the line's open reservation gives back (of the line's current product)."""
    reserve: Decimal = ZERO
    """Stock to hold in addition (of the line's new product)."""
    short: Decimal = ZERO
    """What stock cannot cover: to make, buy or add to a planned production order."""
    production: list[ProductionChange] = field(default_factory=list)

    @property
    def removed(self) -> bool:
        return self.new is None

    @property
    def added(self) -> bool:
        return self.line is None

    @property
    def before(self) -> Decimal:
        return self.line.quantity if self.line is not None else ZERO

    @property
    def after(self) -> Decimal:
        return self.new.quantity if self.new is not None else ZERO

    @property
    def held(self) -> Decimal:
        if self.reservation is None:
            return ZERO
        return self.reservation.quantity - self.reservation.issued

    @property
    def line_no(self) -> int | None:
        if self.line is not None:
            return self.line.line_no
        return self.new.line_no if self.new is not None else None

    @property
    def product(self) -> Product:
        chosen = self.new if self.new is not None else self.line
        if chosen is None:
            raise ValueError("a line plan holds an order line, a new line or both")
        return chosen.product


@dataclass
class Plan:
    order: Order
    cancel: bool = False
    header: dict[str, Any] = field(default_factory=dict)
    lines: list[LinePlan] = field(default_factory=list)
    totals: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    kinds: list[str] = field(default_factory=list)
    refusals: dict[str, str] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    blocked: DomainError | None = None
    """A refusal of the whole order (completed, cancelled, fully shipped …): a 409."""
    price_policy: list[dict[str, Any]] = field(default_factory=list)
    price_role: str = ""
    credit: dict[str, Any] = field(default_factory=dict)
    invoices: list[dict[str, Any]] = field(default_factory=list)
    promised: tuple[dt.date | None, dt.date | None] = (None, None)
    facts: routing.Facts = field(default_factory=lambda: routing.Facts(kinds=frozenset()))
    departments: list[tuple[str, str]] = field(default_factory=list)
    order_lines: list[OrderLine] = field(default_factory=list)
    production_orders: dict[int, list[ProductionOrder]] = field(default_factory=dict)
    """The order's production orders by order line id."""

    def refuse(self, where: str, message: str, code: str) -> None:
        self.refusals.setdefault(where, message)
        self.codes.append(code)

    @property
    def line_ids(self) -> list[int]:
        """The order lines the change touches (changed, removed; every line when cancelled)."""
        return sorted(lp.line.pk for lp in self.lines if lp.line is not None)

    @property
    def header_fields(self) -> list[str]:
        return [name for name in HEADER_FIELDS if name in self.header]

    def base(self) -> dict[str, Any]:
        """What the change touches, as it was: the order is stale when it differs."""
        return {
            "version": self.order.version,
            "status": self.order.status,
            "header": {name: plain(getattr(self.order, name)) for name in self.header},
            "lines": {
                str(lp.line.pk): line_state(lp.line) for lp in self.lines if lp.line is not None
            },
        }

    def as_dict(self) -> dict[str, Any]:
        refusals = dict(self.refusals)
        if self.blocked is not None:
            refusals = {"order": str(self.blocked.message), **refusals}
        before, after = self.promised
        return {
            "order": {
                "id": self.order.pk,
                "number": self.order.number,
                "status": self.order.status,
                "version": self.order.version,
            },
            "kinds": list(self.kinds),
            "cancel": self.cancel,
            "header": {
                name: [plain(getattr(self.order, name)), plain(value)]
                for name, value in self.header.items()
            },
            "totals": {key: [str(b), str(a)] for key, (b, a) in self.totals.items()},
            "difference": str(self.totals["gross"][1] - self.totals["gross"][0])
            if self.totals
            else "0.00",
            "lines": [line_out(lp) for lp in self.lines],
            "price_policy": self.price_policy,
            "credit": self.credit,
            "stock": stock_out(self.lines),
            "production": production_out(self.lines),
            "shipped": [
                {
                    "line_no": lp.line_no,
                    "sku": lp.line.sku,
                    "shipped": str(q3(lp.shipped)),
                    "on_drafts": str(q3(lp.drafted)),
                    "prepared": str(q3(lp.prepared)),
                    "new_quantity": str(q3(lp.after)),
                }
                for lp in self.lines
                if lp.line is not None and (lp.shipped or lp.drafted or lp.prepared)
            ],
            "invoices": self.invoices,
            "promised_date": [plain(before), plain(after)],
            "departments": [
                {"department": name, "label": str(Department(name).label), "why": why}
                for name, why in self.departments
            ],
            "refusals": refusals,
            "base": self.base(),
        }


def assess(order: Order, proposal: Any, *, by: Any = None) -> dict[str, Any]:
    """The impact of ``proposal`` on ``order`` as the README's dict; writes nothing.
    ``by`` is who asks (their price authority counts, as at entry): the salesperson by
    default."""
    return plan(order, proposal, by=by).as_dict()


def plan(order: Order, proposal: Any, *, by: Any = None) -> Plan:
    """Everything the change would do (see the module docstring)."""
    by = by if by is not None else order.salesperson
    result = Plan(order=order)
    result.blocked = status_problem(order)
    lines = list(order.lines.select_related("product").order_by("line_no"))
    result.order_lines = lines
    parsed = parse(order, lines, proposal, by=by, plan=result)
    before = calc.Amounts(order.net_amount, order.tax_amount, order.total_amount)
    result.totals = totals_of(before, before)
    if parsed is None or result.refusals:
        return result
    result.header = parsed.header
    result.cancel = parsed.cancel
    if parsed.cancel:
        result.lines = [LinePlan("cancel", line, None) for line in lines]
        after = calc.Amounts(NOUGHT, NOUGHT, NOUGHT)
    else:
        # Below what was shipped is refused before pricing: a fraction of a unit left may
        # have no price at all, and the shipped quantity is the clearer reason.
        below_shipped(order, lines, parsed, result)
        if result.refusals:
            return result
        result.lines = price(order, lines, parsed, by=by, plan=result)
        if result.refusals:
            return result
        kept = {lp.line.pk for lp in result.lines if lp.line is not None}
        final = [line for line in lines if line.pk not in kept] + [
            lp.new for lp in result.lines if lp.new is not None
        ]
        after = calc.total(
            calc.Amounts(line.net_amount, line.tax_amount, line.line_total) for line in final
        )
    result.totals = totals_of(before, after)
    result.kinds = kinds_of(result)
    for po in production_selectors.for_order(order):
        result.production_orders.setdefault(po.order_line_id, []).append(po)
    fulfilment(order, result)
    settings = order_selectors.review_settings()
    result.credit = credit_after(order, after.gross, settings)
    result.invoices = invoice_effects(order, result)
    promised_date(order, result)
    result.facts = facts_of(order, result, settings)
    result.departments = routing.departments(result.facts, settings)
    return result


def status_problem(order: Order) -> DomainError | None:
    """Why this order cannot take a change request now (a 409), or ``None``."""
    status = order.held_from if order.status == S.ON_HOLD else order.status
    if status in CHANGEABLE:
        return None
    label = OrderStatus(order.status).label
    if status in (S.COMPLETED, S.CANCELLED):
        return Conflict(
            _("Order {number} is {status}: it can no longer change.").format(
                number=order.number, status=label
            ),
            code="order_closed",
        )
    if status in (S.SHIPPED, S.DELIVERED):
        return Conflict(
            _(
                "Order {number} is fully shipped: it can no longer change; returns and "
                "credits go through after-sales."
            ).format(number=order.number),
            code="order_fully_shipped",
        )
    return Conflict(
        _(
            "Order {number} is {status}: until it is approved, edit it directly instead of "
            "requesting a change."
        ).format(number=order.number, status=label),
        code="order_not_approved",
    )


# --- reading the proposal -------------------------------------------------------------------


@dataclass
class LineChange:
    key: str
    line: OrderLine
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    product: Product | None = None


@dataclass
class NewLine:
    key: str
    product: Product
    quantity: Decimal
    unit_price: Decimal | None
    note: str = ""


@dataclass
class Parsed:
    header: dict[str, Any] = field(default_factory=dict)
    changes: dict[int, LineChange] = field(default_factory=dict)
    add: list[NewLine] = field(default_factory=list)
    remove: dict[int, str] = field(default_factory=dict)
    cancel: bool = False


def parse(
    order: Order, lines: list[OrderLine], proposal: Any, *, by: Any, plan: Plan
) -> Parsed | None:
    """The proposal checked and reduced to what really changes; every problem goes to
    ``plan.refusals`` under the proposal's own keys (``header.delivery_city``,
    ``lines.0.quantity``, ``add.1.product_id``, ``remove.0``)."""
    if not isinstance(proposal, Mapping):
        plan.refuse("proposal", _("Describe the change."), "invalid_change")
        return None
    for key in sorted(set(proposal) - PROPOSAL_KEYS):
        plan.refuse(str(key), _("Unknown part of a change request."), "invalid_change")
    by_id = {line.pk: line for line in lines}
    parsed = Parsed()
    parsed.header = parse_header(order, proposal.get("header"), by=by, plan=plan)
    products = products_named(proposal)
    parse_lines(proposal.get("lines"), by_id, products, parsed, plan)
    parse_added(proposal.get("add"), products, parsed, plan)
    parse_removed(proposal.get("remove"), by_id, parsed, plan)
    cancel = proposal.get("cancel", False)
    if cancel not in (True, False, None):
        plan.refuse("cancel", _("Answer true or false."), "invalid_change")
    parsed.cancel = bool(cancel)
    if parsed.remove and not parsed.add and len(parsed.remove) == len(lines):
        # Removing every line cancels the order (lines are kept, as a cancellation keeps them).
        parsed.cancel = True
        parsed.remove = {}
    if parsed.cancel and (parsed.header or parsed.changes or parsed.add or parsed.remove):
        plan.refuse(
            "cancel",
            _("A cancellation changes nothing else: request it on its own."),
            "invalid_change",
        )
    if plan.refusals:
        return None
    if not (parsed.cancel or parsed.header or parsed.changes or parsed.add or parsed.remove):
        plan.refuse(
            "proposal",
            _("Nothing changes: give the new values of what the customer wants changed."),
            "nothing_to_change",
        )
        return None
    return parsed


def parse_header(order: Order, raw: Any, *, by: Any, plan: Plan) -> dict[str, Any]:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, Mapping):
        plan.refuse("header", _("The order fields must be an object."), "invalid_change")
        return {}
    for name in sorted(set(raw) - set(HEADER_FIELDS)):
        plan.refuse(
            f"header.{name}",
            _("This field cannot be changed by a change request."),
            "invalid_change",
        )
    values = {name: raw[name] for name in raw if name in HEADER_FIELDS and name != "promised_date"}
    cleaned, errors = drafts.clean_header(values, by=by, order=order)
    if "promised_date" in raw:
        cleaned["promised_date"] = drafts.clean_date(
            raw["promised_date"], errors, field="promised_date"
        )
    for name in REQUIRED & set(cleaned):
        if cleaned[name] in ("", None) and name not in errors:
            errors[name] = _("Required: an approved order keeps it.")
    for name, message in errors.items():
        plan.refuse(f"header.{name}", message, "invalid_change")
    return {
        name: value
        for name, value in cleaned.items()
        if name in HEADER_FIELDS and (getattr(order, name) or None) != (value or None)
    }


def products_named(proposal: Mapping[str, Any]) -> dict[Any, Product]:
    """The products the proposal names, by id and by SKU, in one query."""
    ids: set[int] = set()
    skus: set[str] = set()
    for part in ("lines", "add"):
        items = proposal.get(part)
        if not isinstance(items, Sequence) or isinstance(items, str):
            continue
        for item in items:
            if not isinstance(item, Mapping):
                continue
            if (pk := drafts.as_int(item.get("product_id"))) is not None and 0 < pk < 2**63:
                ids.add(pk)
            if sku := str(item.get("sku") or "").strip().upper():
                skus.add(sku)
    if not ids and not skus:
        return {}
    found = Product.objects.filter(pk__in=ids) | Product.objects.filter(sku__in=skus)
    named: dict[Any, Product] = {}
    for product in found:
        named[product.pk] = product
        named[product.sku] = product
    return named


def product_of(item: Mapping[str, Any], products: Mapping[Any, Product]) -> Product | None:
    if sku := str(item.get("sku") or "").strip().upper():
        return products.get(sku)
    return products.get(drafts.as_int(item.get("product_id")))


def listed(raw: Any, where: str, plan: Plan) -> list[Any]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        plan.refuse(where, _("Give a list."), "invalid_change")
        return []
    return list(raw)


def quantity_of(value: Any, where: str, plan: Plan) -> Decimal | None:
    quantity = parse_quantity(value)
    if quantity is None:
        plan.refuse(
            where, _("Enter a quantity above zero with at most three decimals."), "invalid_change"
        )
    return quantity


def price_of(value: Any, where: str, plan: Plan) -> Decimal | None:
    if value in (None, ""):
        return None
    price = as_decimal(value) if not isinstance(value, bool) else None
    if price is None or price < 0 or price > drafts.MAX_AMOUNT:
        plan.refuse(where, _("Enter a price of zero or more."), "invalid_change")
        return None
    if price != price.quantize(FEN):
        plan.refuse(where, _("Prices have at most 2 decimals (fen)."), "invalid_change")
        return None
    return price


def parse_lines(
    raw: Any,
    by_id: Mapping[int, OrderLine],
    products: Mapping[Any, Product],
    parsed: Parsed,
    plan: Plan,
) -> None:
    for index, item in enumerate(listed(raw, "lines", plan)):
        key = f"lines.{index}"
        if not isinstance(item, Mapping):
            plan.refuse(key, _("Name the line and what changes on it."), "invalid_change")
            continue
        line = by_id.get(drafts.as_int(item.get("line_id")) or 0)
        if line is None:
            plan.refuse(f"{key}.line_id", _("Not a line of this order."), "invalid_change")
            continue
        if line.pk in parsed.changes:
            plan.refuse(f"{key}.line_id", _("This line is given twice."), "invalid_change")
            continue
        change = LineChange(key, line)
        if item.get("quantity") not in (None, ""):
            quantity = quantity_of(item["quantity"], f"{key}.quantity", plan)
            if quantity is not None and quantity != line.quantity:
                change.quantity = quantity
        price = price_of(item.get("unit_price"), f"{key}.unit_price", plan)
        if price is not None and price != line.unit_price:
            change.unit_price = price
        if item.get("product_id") not in (None, "") or item.get("sku"):
            product = product_of(item, products)
            if product is None:
                plan.refuse(f"{key}.product_id", _("Unknown product."), "invalid_change")
            elif product.pk != line.product_id:
                change.product = product
        if change.quantity is not None or change.unit_price is not None or change.product:
            parsed.changes[line.pk] = change


def parse_added(raw: Any, products: Mapping[Any, Product], parsed: Parsed, plan: Plan) -> None:
    for index, item in enumerate(listed(raw, "add", plan)):
        key = f"add.{index}"
        if not isinstance(item, Mapping):
            plan.refuse(key, _("Each new line needs a product and a quantity."), "invalid_change")
            continue
        product = product_of(item, products)
        if product is None:
            plan.refuse(f"{key}.product_id", _("Choose a product."), "invalid_change")
        quantity = quantity_of(item.get("quantity"), f"{key}.quantity", plan)
        price = price_of(item.get("unit_price"), f"{key}.unit_price", plan)
        note = str(item.get("note") or "").strip()[:200]
        if product is not None and quantity is not None:
            parsed.add.append(NewLine(key, product, quantity, price, note))


def parse_removed(raw: Any, by_id: Mapping[int, OrderLine], parsed: Parsed, plan: Plan) -> None:
    for index, item in enumerate(listed(raw, "remove", plan)):
        key = f"remove.{index}"
        line_id = drafts.as_int(item)
        if line_id is None or line_id not in by_id:
            plan.refuse(key, _("Not a line of this order."), "invalid_change")
        elif line_id in parsed.changes:
            plan.refuse(key, _("A line cannot be changed and removed at once."), "invalid_change")
        else:
            parsed.remove[line_id] = key


# --- pricing --------------------------------------------------------------------------------


def price(
    order: Order, lines: list[OrderLine], parsed: Parsed, *, by: Any, plan: Plan
) -> list[LinePlan]:
    """The new values of the lines the change touches, priced with the whole order."""
    entries: list[tuple[LinePlan | None, dict[str, Any]]] = []
    for line in lines:
        if line.pk in parsed.remove:
            continue
        change = parsed.changes.get(line.pk)
        product = (change.product if change else None) or line.product
        unit_price: Decimal | None = line.unit_price
        if change is not None and change.unit_price is not None:
            unit_price = change.unit_price
        elif change is not None and change.product is not None:
            unit_price = None  # a new product takes the price policy's price
        request = {
            "product_id": product.pk,
            "quantity": change.quantity if change and change.quantity else line.quantity,
            "unit_price": unit_price,
            "note": line.note,
        }
        touched = (
            LinePlan(
                change.key,
                line,
                None,
                quantity_changed=change.quantity is not None,
                product_changed=change.product is not None,
                price_given=change.unit_price is not None,
            )
            if change is not None
            else None
        )
        entries.append((touched, request))
    for new in parsed.add:
        request = {
            "product_id": new.product.pk,
            "quantity": new.quantity,
            "unit_price": new.unit_price,
            "note": new.note,
        }
        entries.append(
            (LinePlan(new.key, None, None, price_given=new.unit_price is not None), request)
        )
    if all(lp is None for lp, _request in entries):
        priced: list[tuple[LinePlan, OrderLine]] | None = []  # nothing to price
    else:
        priced = priced_lines(order, entries, by=by, plan=plan)
    if priced is None:
        return []
    next_no = max((line.line_no for line in lines), default=0) + 1
    result = []
    for lp, new_line in priced:
        new_line.note = lp.line.note if lp.line is not None else new_line.note
        if lp.line is not None:
            new_line.line_no = lp.line.line_no
            if not (lp.price_given or lp.product_changed):
                # A kept price keeps the approval it had.
                for name in APPROVAL_FIELDS:
                    setattr(new_line, name, getattr(lp.line, name))
        else:
            new_line.line_no = next_no
            next_no += 1
        lp.new = new_line
        result.append(lp)
    result += [LinePlan(key, line, None) for line in lines if (key := parsed.remove.get(line.pk))]
    policy(result, plan)
    return sorted(result, key=lambda lp: (lp.line_no or 0, lp.key))


def priced_lines(
    order: Order,
    entries: list[tuple[LinePlan | None, dict[str, Any]]],
    *,
    by: Any,
    plan: Plan,
) -> list[tuple[LinePlan, OrderLine]] | None:
    """Price the order with its new lines; a line the change does not touch that can no
    longer be priced (a product since withdrawn) does not block it: the touched lines are
    then priced on their own."""
    errors: dict[str, str] = {}
    new_lines, _totals = drafts.price(
        order.customer, [request for _lp, request in entries], by=by, errors=errors
    )
    if errors and not touched_errors(errors, entries):
        entries = [(lp, request) for lp, request in entries if lp is not None]
        errors = {}
        new_lines, _totals = drafts.price(
            order.customer, [request for _lp, request in entries], by=by, errors=errors
        )
    if errors:
        for key, message in touched_errors(errors, entries).items() or errors.items():
            plan.refuse(key, message, "invalid_change")
        return None
    return [
        (lp, new_line)
        for (lp, _request), new_line in zip(entries, new_lines, strict=True)
        if lp is not None
    ]


def touched_errors(
    errors: Mapping[str, str], entries: list[tuple[LinePlan | None, dict[str, Any]]]
) -> dict[str, str]:
    """The pricing errors of touched and added lines, under the proposal's keys."""
    found = {}
    for key, message in errors.items():
        parts = key.split(".")
        if len(parts) < 2 or parts[0] != "lines" or not parts[1].isdigit():
            found[key] = message
            continue
        index = int(parts[1])
        lp = entries[index][0] if index < len(entries) else None
        if lp is None:
            continue
        suffix = {"sku": "product_id", "discount_percent": "unit_price"}.get(
            parts[2] if len(parts) > 2 else "", parts[2] if len(parts) > 2 else ""
        )
        found[f"{lp.key}.{suffix}" if suffix else lp.key] = message
    return found


def policy(lines: list[LinePlan], plan: Plan) -> None:
    """The price policy's verdict on the prices the change sets (as at submit)."""
    checked = [
        lp.new
        for lp in lines
        if lp.new is not None and (lp.added or lp.price_given or lp.product_changed)
    ]
    for lp in lines:
        if lp.new is None or lp.new not in checked or not lp.new.approval_role:
            continue
        role = lp.new.approval_role
        if lp.new.approval_reason == "below_floor":
            message = _("{sku} at {price} is below the floor price: {role} must approve.")
        else:
            message = _(
                "{sku} at {price} is a discount of {percent}% beyond your authority: {role} "
                "must approve."
            )
        plan.price_policy.append(
            {
                "line": lp.line_no,
                "key": lp.key,
                "sku": lp.new.sku,
                "unit_price": str(lp.new.unit_price),
                "role": role,
                "reason": lp.new.approval_reason,
                "message": message.format(
                    sku=lp.new.sku,
                    price=lp.new.unit_price,
                    percent=lp.new.discount_percent.quantize(FEN),
                    role=role_label(role),
                ),
            }
        )
    plan.price_role = checks.strongest_price_role([line for line in checked if line is not None])


def totals_of(before: calc.Amounts, after: calc.Amounts) -> dict[str, tuple[Decimal, Decimal]]:
    return {
        "net": (before.net, after.net),
        "tax": (before.tax, after.tax),
        "gross": (before.gross, after.gross),
    }


def kinds_of(plan: Plan) -> list[str]:
    found: set[str] = set()
    if plan.cancel:
        found.add(K.CANCELLATION)
    header = set(plan.header)
    if header & DATE_FIELDS:
        found.add(K.DELIVERY_DATE)
    if header & ADDRESS_FIELDS:
        found.add(K.ADDRESS)
    if header & TERMS_FIELDS:
        found.add(K.PAYMENT_TERMS)
    for lp in plan.lines:
        if lp.key == "cancel":
            continue
        if lp.added:
            found.add(K.ADD_LINE)
        elif lp.removed:
            found.add(K.REMOVE_LINE)
        else:
            if lp.quantity_changed:
                found.add(K.QUANTITY)
            if lp.product_changed:
                found.add(K.PRODUCT)
            if lp.price_given:
                found.add(K.PRICE)
    return [kind for kind in ChangeKind.values if kind in found]


# --- fulfilment: shipments, stock, production -----------------------------------------------


def fulfilment(order: Order, plan: Plan) -> None:
    """Shipped and picked quantities, stock and production orders of the lines concerned,
    and the refusals they cause."""
    if not plan.lines:
        return
    sent = shipping_selectors.quantities_by_line(order, statuses=SENT)
    counted = shipping_selectors.quantities_by_line(order)
    prepared = preparation_selectors.prepared_by_line(order)
    references = {lp.line.reference: lp for lp in plan.lines if lp.line is not None}
    for reservation in stock_selectors.open_reservations().filter(reference__in=references):
        references[reservation.reference].reservation = reservation
    orders_of = plan.production_orders
    documents = selectors.line_documents(order) if any(lp.removed for lp in plan.lines) else {}
    available = {
        product_id: figures["available"]
        for product_id, figures in stock_selectors.availability_by_product(
            [lp.product for lp in plan.lines]
        ).items()
    }
    for lp in plan.lines:
        if lp.line is not None:
            pk = lp.line.pk
            lp.shipped = q3(sent.get(pk, ZERO))
            lp.drafted = q3(counted.get(pk, ZERO)) - lp.shipped
            lp.prepared = q3(Decimal(prepared.get(pk) or ZERO))
        if refused(lp, plan, orders_of, documents):
            continue
        stock_and_production(lp, available, orders_of)


def below_shipped(order: Order, lines: list[OrderLine], parsed: Parsed, plan: Plan) -> None:
    """Refuse the quantities of ``parsed`` that go below what was shipped."""
    if not parsed.changes:
        return
    sent = shipping_selectors.quantities_by_line(order, statuses=SENT)
    for line in lines:
        change = parsed.changes.get(line.pk)
        shipped = q3(sent.get(line.pk, ZERO))
        if change is not None and change.quantity is not None and change.quantity < shipped:
            plan.refuse(
                f"{change.key}.quantity", below_shipped_message(line, shipped), "below_shipped"
            )


def below_shipped_message(line: OrderLine, shipped: Decimal) -> str:
    return _(
        "Line {no} ({sku}): {shipped} {unit} already shipped; the quantity cannot go below that."
    ).format(no=line.line_no, sku=line.sku, shipped=plain_quantity(shipped), unit=line.unit)


def refused(
    lp: LinePlan,
    plan: Plan,
    orders_of: Mapping[int, list[ProductionOrder]],
    documents: Mapping[int, list[str]],
) -> bool:
    line = lp.line
    if line is None:
        return False
    unit, no = line.unit, line.line_no
    if lp.key == "cancel":
        if lp.shipped:
            plan.refuse(
                "cancel",
                _(
                    "Part of the order has shipped (line {no}: {shipped} {unit}): it cannot be "
                    "cancelled. Reduce the other lines to what was shipped instead."
                ).format(no=no, shipped=plain_quantity(lp.shipped), unit=unit),
                "below_shipped",
            )
            return True
        if lp.drafted:
            plan.refuse(
                "cancel",
                _(
                    "Line {no} is on a draft shipment ({drafted} {unit}): cancel the draft "
                    "shipment first."
                ).format(no=no, drafted=plain_quantity(lp.drafted), unit=unit),
                "shipment_drafted",
            )
            return True
        return False
    where = f"{lp.key}.quantity" if not lp.removed else lp.key
    if lp.after < lp.shipped:
        plan.refuse(where, below_shipped_message(line, lp.shipped), "below_shipped")
        return True
    if lp.after < lp.shipped + lp.drafted:
        plan.refuse(
            where,
            _(
                "Line {no} ({sku}): {drafted} {unit} are on draft shipments; change or cancel "
                "them first."
            ).format(no=no, sku=line.sku, drafted=plain_quantity(lp.drafted), unit=unit),
            "shipment_drafted",
        )
        return True
    if lp.removed and (held := documents.get(line.pk)):
        plan.refuse(
            lp.key,
            _(
                "Line {no} ({sku}) cannot be removed: {documents} refer to it. Reduce it instead."
            ).format(no=no, sku=line.sku, documents=", ".join(held)),
            "line_in_use",
        )
        return True
    if lp.product_changed:
        busy = [
            *([_("shipped or picked")] if lp.shipped or lp.drafted or lp.prepared else []),
            *[po.number for po in orders_of.get(line.pk, [])],
        ]
        if busy:
            plan.refuse(
                f"{lp.key}.product_id",
                _(
                    "Line {no} ({sku}) is already {what}: its product cannot change. Reduce it "
                    "and add the new product as a new line."
                ).format(no=no, sku=line.sku, what=", ".join(busy)),
                "product_in_use",
            )
            return True
    return False


def stock_and_production(
    lp: LinePlan,
    available: dict[int, Decimal],
    orders_of: Mapping[int, list[ProductionOrder]],
) -> None:
    """What the line's reservation and production orders do: a reduction gives back
    reserved stock first, then lowers planned production orders; an increase is reserved
    while the warehouses have it, else added to a planned production order, else short."""
    open_orders = [
        po
        for po in (orders_of.get(lp.line.pk, []) if lp.line is not None else [])
        if po.status in OPEN_STATUSES
    ]
    planned = [po for po in open_orders if po.status == ProductionStatus.PLANNED]
    if lp.removed:
        lp.release = lp.held
        lp.production = [
            ProductionChange(po, made_of(po), ZERO, "not_needed") for po in open_orders
        ]
        return
    if lp.added or lp.product_changed:
        lp.release = lp.held
        claim(lp, lp.after, available, planned=[])
        return
    change = lp.after - lp.before
    if change > 0:
        claim(lp, change, available, planned=planned)
    elif change < 0:
        surplus = -change
        lp.release = min(surplus, lp.held)
        surplus -= lp.release
        for po in sorted(planned, key=lambda po: po.pk, reverse=True):
            if surplus <= 0:
                break
            cut = min(surplus, po.quantity)
            surplus -= cut
            new_quantity = po.quantity - cut
            lp.production.append(
                ProductionChange(
                    po, ZERO, new_quantity, "adjust" if new_quantity > 0 else "not_needed"
                )
            )
        lp.production += [
            ProductionChange(po, made_of(po), po.quantity, "unchanged")
            for po in open_orders
            if po.status != ProductionStatus.PLANNED
        ]


def claim(lp: LinePlan, quantity: Decimal, available: dict[int, Decimal], *, planned: list) -> None:
    product = lp.product
    if product.supply != Supply.MAKE_TO_ORDER and available.get(product.pk, ZERO) >= quantity:
        lp.reserve = quantity
        available[product.pk] = available.get(product.pk, ZERO) - quantity
        return
    if planned:
        po = planned[0]
        lp.production.append(ProductionChange(po, ZERO, po.quantity + quantity, "adjust"))
        return
    lp.short = quantity


def made_of(po: ProductionOrder) -> Decimal:
    """What a production order has made: its completed quantity, else the latest report's."""
    if po.status == ProductionStatus.COMPLETED:
        return po.completed_quantity
    reports = getattr(po, "recent_reports", None)
    latest = reports[0] if reports else None
    if latest is None:
        return ZERO
    return latest.quantity_done or ZERO


# --- money and dates ------------------------------------------------------------------------


def credit_after(order: Order, gross: Decimal, settings: Any) -> dict[str, Any]:
    """The credit check (as at the finance review) with the new total."""
    changed = copy.copy(order)
    changed.total_amount = gross
    position = checks.credit_position(changed, settings)
    exposure = Decimal(position["exposure"])
    rises = gross > order.total_amount
    return {
        "limit": position["limit"],
        "allowed": position["allowed"],
        "exposure_before": str(exposure + order.total_amount),
        "exposure_after": str(exposure + gross),
        "excess": position["excess"],
        "overdue": position["overdue"],
        "blocked": bool(position["blocked"]) and rises,
    }


def invoice_effects(order: Order, plan: Plan) -> list[dict[str, Any]]:
    """Issued invoices stay as they are: what each needs for the change — a credit note
    (红字发票) or an extra invoice — for the invoiced quantities at the new price, the part
    above the new quantity, a removed line or the cancelled order."""
    issued = selectors.issued_invoice_lines(order)
    if not issued:
        return []
    rows_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in issued:
        rows_of[row["order_line_id"]].append(row)
    difference: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for lp in plan.lines:
        if lp.line is None or lp.line.pk not in rows_of:
            continue
        rows = rows_of[lp.line.pk]
        invoiced = sum((row["quantity"] for row in rows), ZERO)
        repriced = lp.price_given or lp.product_changed or lp.removed
        if not repriced and lp.after >= invoiced:
            continue
        keep = min(invoiced, lp.after)
        for row in rows:
            part = min(row["quantity"], keep)
            keep -= part
            due = invoice_share(lp.new, part, {})[2] if lp.new is not None and part > 0 else ZERO
            difference[row["invoice"]] += due - row["gross"]
    return [
        {
            "number": number,
            "action": "credit_note" if amount < 0 else "extra_invoice",
            "amount": str(abs(amount)),
        }
        for number, amount in difference.items()
        if amount != 0
    ]


def promised_date(order: Order, plan: Plan) -> None:
    """The earliest date the company can promise after the change: the date asked for (a
    new requested date, else the promise as it stands), no earlier than what the change
    needs made or bought (lead times, restock dates) and, when the date moves earlier, than
    the production orders under way."""
    before = order.promised_date
    if plan.cancel:
        plan.promised = (before, before)
        return
    today = timezone.localdate()
    needs: list[dt.date] = []
    restock = stock_selectors.availability_by_product(
        [lp.product for lp in plan.lines if lp.short > 0 or growing(lp)]
    )
    for lp in plan.lines:
        if lp.short > 0 and lp.product.supply != Supply.MAKE_TO_ORDER:
            needs.append(restock[lp.product.pk]["restock_on"] or today)
        elif lp.short > 0 or growing(lp):
            needs.append(workcalendar.add_working_days(today, lp.product.lead_time_days))
    removed = {lp.line.pk for lp in plan.lines if lp.removed and lp.line is not None}
    running = [
        po.due_date
        for line_id, found in plan.production_orders.items()
        if line_id not in removed
        for po in found
        if po.status in OPEN_STATUSES
    ]
    if completion := confirmed_completion(order):
        running.append(completion)
    floor = max(needs, default=None)
    asked = plan.header.get("requested_date")
    if "promised_date" in plan.header:
        after = plan.header["promised_date"]
        earliest = max([day for day in (floor, *running) if day is not None], default=None)
        if after is not None and earliest is not None and after < earliest:
            plan.refuse(
                "header.promised_date",
                _("The earliest date the company can promise is {date}.").format(
                    date=earliest.isoformat()
                ),
                "date_not_possible",
            )
    else:
        start = asked or before or order.requested_date or today
        candidates = [start, *([floor] if floor else [])]
        if asked is not None and before is not None and asked < before:
            candidates += running
        after = max(candidates)
    plan.promised = (before, after)


def confirmed_completion(order: Order) -> dt.date | None:
    """The earliest completion production confirmed at the order review, if any."""
    for step in order_selectors.current_steps(order):
        if step.step == Step.PRODUCTION and step.status == StepStatus.APPROVED:
            return parse_date(str(step.decision.get("earliest_completion") or ""))
    return None


def growing(lp: LinePlan) -> bool:
    """A planned production order grows for this line: it takes the lead time."""
    return any(
        change.action == "adjust" and change.new_quantity > change.po.quantity
        for change in lp.production
    )


def facts_of(order: Order, plan: Plan, settings: Any) -> routing.Facts:
    gross_before, gross_after = plan.totals["gross"]
    credit_blocked = bool(plan.credit.get("blocked"))
    _before, after = plan.promised
    asked = plan.header.get("requested_date") or order.requested_date
    open_production = any(
        po.status in OPEN_STATUSES for found in plan.production_orders.values() for po in found
    ) or any(line.product.supply == Supply.MAKE_TO_ORDER for line in plan.order_lines)
    return routing.Facts(
        kinds=frozenset(plan.kinds),
        price_role=plan.price_role,
        total_increases=gross_after > gross_before,
        credit_blocked=credit_blocked,
        credit_needs_general_manager=credit_blocked
        and Decimal(plan.credit.get("excess") or 0) > settings.gm_credit_excess,
        invoices_to_correct=bool(plan.invoices),
        stock_to_reserve=any(lp.reserve > 0 for lp in plan.lines),
        prepared_to_return=any(lp.prepared > lp.after for lp in plan.lines),
        to_make=any(lp.short > 0 or growing(lp) for lp in plan.lines),
        custom=any(
            lp.new is not None
            and (lp.added or lp.product_changed)
            and lp.new.product.sales_kind == SalesKind.CUSTOM
            for lp in plan.lines
        ),
        production_orders=any(
            change.action != "unchanged" or lp.removed or lp.key == "cancel"
            for lp in plan.lines
            for change in lp.production
        ),
        date_not_met=bool("requested_date" in plan.header and asked and after and after > asked),
        scheduled_production=open_production,
    )


# --- output ---------------------------------------------------------------------------------


def q3(value: Any) -> Decimal:
    return shipping_selectors.q3(Decimal(value or 0))


def plain_quantity(value: Decimal) -> str:
    return format(value.normalize(), "f")


def plain(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def line_state(line: OrderLine) -> dict[str, Any]:
    return {
        "line_no": line.line_no,
        "sku": line.sku,
        "product_id": line.product_id,
        "quantity": str(q3(line.quantity)),
        "unit_price": str(line.unit_price),
    }


def line_out(lp: LinePlan) -> dict[str, Any]:
    old, new = lp.line, lp.new
    if lp.key == "cancel":
        change = "cancelled"
    elif old is None:
        change = "added"
    elif new is None:
        change = "removed"
    else:
        change = "changed"
    shown = new if new is not None else old
    if shown is None:
        raise ValueError("a line plan holds an order line, a new line or both")
    return {
        "key": lp.key,
        "change": change,
        "line_id": old.pk if old is not None else None,
        "line_no": lp.line_no,
        "sku": [old.sku if old else None, new.sku if new else None],
        "name": shown.name,
        "spec": shown.spec,
        "unit": shown.unit,
        "quantity": [
            str(q3(old.quantity)) if old else None,
            str(q3(new.quantity)) if new else None,
        ],
        "unit_price": [str(old.unit_price) if old else None, str(new.unit_price) if new else None],
        "line_total": [str(old.line_total) if old else None, str(new.line_total) if new else None],
    }


def stock_out(lines: list[LinePlan]) -> list[dict[str, Any]]:
    rows = []
    available = stock_selectors.availability_by_product(
        [lp.product for lp in lines if lp.release or lp.reserve or lp.short]
        + [lp.line.product for lp in lines if lp.line is not None and lp.release]
    )
    for lp in lines:
        if lp.release and lp.line is not None:
            rows.append(stock_row(lp, lp.line.product, -lp.release, ZERO, available))
        if lp.reserve or lp.short:
            rows.append(stock_row(lp, lp.product, lp.reserve, lp.short, available))
    return rows


def stock_row(
    lp: LinePlan,
    product: Product,
    quantity: Decimal,
    short: Decimal,
    available: Mapping[int, Any],
) -> dict[str, Any]:
    figures = available.get(product.pk) or {}
    return {
        "line_no": lp.line_no,
        "sku": product.sku,
        "name": product.name,
        "reserve": ("+" if quantity > 0 else "") + str(q3(quantity)),
        "short": str(q3(short)),
        "available": str(q3(figures.get("available") or ZERO)),
        "restock_on": plain(figures.get("restock_on")) if short else None,
    }


def production_out(lines: list[LinePlan]) -> list[dict[str, Any]]:
    return [
        {
            "number": change.po.number,
            "line_no": lp.line_no,
            "sku": change.po.product.sku,
            "status": change.po.status,
            "status_label": str(ProductionStatus(change.po.status).label),
            "made": str(q3(change.made)),
            "quantity": str(q3(change.po.quantity)),
            "new_quantity": str(q3(change.new_quantity)),
            "action": change.action,
            "due_date": plain(change.po.due_date),
        }
        for lp in lines
        for change in lp.production
    ]


def differences(base: Mapping[str, Any], order: Order, lines: Sequence[OrderLine]) -> dict:
    """What changed in the parts a request touches since ``base`` was taken: ``{field:
    "before → now"}`` (``header.<field>``, ``lines.<line no>.<field>``)."""
    changed: dict[str, str] = {}
    for name, before in (base.get("header") or {}).items():
        now = plain(getattr(order, name))
        if (before or None) != (now or None):
            changed[f"header.{name}"] = f"{before or '—'} → {now or '—'}"
    by_id = {str(line.pk): line for line in lines}
    for line_id, before in (base.get("lines") or {}).items():
        line = by_id.get(line_id)
        no = before.get("line_no")
        if line is None:
            changed[f"lines.{no}"] = _("removed")
            continue
        now = line_state(line)
        for name in ("sku", "quantity", "unit_price"):
            if before.get(name) != now[name]:
                changed[f"lines.{no}.{name}"] = f"{before.get(name)} → {now[name]}"
    return changed

"""The pricing quote (报价计算): price a list of lines for a customer on a day, writing nothing.

Per line, in order:
1. list price: the customer's list, else the customer's grade list, else the standard list
   (each active and valid on the day); within that list the best quantity break (the item
   with the largest ``min_quantity`` not above the line quantity);
2. line promotions (percentage, amount off per unit, quantity breaks): the best single
   non-stackable one, plus every stackable one; never below zero;
3. the salesperson's request: a unit price or a discount percent on the promoted price;
4. the line amount, rounded half-up to the fen once, and its VAT split.
Then order-level 满减 (spend X, get Y off) on the lines it covers, spread over them in
proportion to their gross and each line's VAT split again, so lines still add up exactly.

Approval (价格审批): a net price below the product's floor always needs the general manager;
a requested discount beyond the authority of ``by`` (the highest among their roles) needs
the lowest role whose authority covers it. Promotions are company policy and do not count
as the salesperson's discount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from orderdesk.catalog.models import Product
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.money import as_decimal
from orderdesk.customers.models import Customer

from .. import calculations as calc
from .. import selectors
from ..models import PriceList, PriceListKind, PromotionKind
from ..selectors import LivePromotion, PriceRow

ZERO = Decimal(0)
GENERAL_MANAGER = "general_manager"

LineRequest = tuple[Product, Any, Any, Any]


@dataclass
class QuoteLine:
    index: int
    product: Product
    quantity: Decimal
    price_list: str
    list_price: Decimal
    floor_price: Decimal | None
    promotions: list[str]
    promoted_price: Decimal
    net_unit_price: Decimal
    discount_percent: Decimal
    order_discount: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal
    prices_include_tax: bool
    approval: dict[str, str] | None = None


@dataclass
class Quote:
    customer: Customer
    on: dt.date
    lines: list[QuoteLine]
    order_promotions: list[str] = field(default_factory=list)
    order_discount: Decimal = ZERO
    net: Decimal = ZERO
    tax: Decimal = ZERO
    gross: Decimal = ZERO

    @property
    def approval(self) -> dict[str, str] | None:
        """The strongest approval any line needs (general manager over sales manager)."""
        needed = [line.approval for line in self.lines if line.approval]
        if not needed:
            return None
        return next((item for item in needed if item["needed_role"] == GENERAL_MANAGER), needed[0])


def price_lines(customer: Customer, lines: Sequence[LineRequest], *, on: dt.date, by: Any) -> Quote:
    """Price ``lines`` — ``(product, quantity, requested_unit_price, requested_discount_percent)``
    — for ``customer`` on ``on`` as ``by`` would offer them. Writes nothing.

    Refuses, naming every bad line at once (``lines.3.product``): a zero or negative
    quantity, an inactive or prohibited product, a product without a price on the day,
    a negative requested price, a discount outside 0–100 %.
    """
    errors: dict[str, str] = {}
    parsed = [parse_line(index, line, errors) for index, line in enumerate(lines)]
    grade = selectors.customer_grade(customer)
    price_lists = selectors.price_lists_for(customer, grade, on)
    items = selectors.items_for(
        price_lists, [product.pk for product, *_ in parsed if isinstance(product, Product)]
    )
    by_list: dict[tuple[int, int], list[PriceRow]] = {}
    for item in items:
        by_list.setdefault((item.price_list_id, item.product_id), []).append(item)
    standard = [pl for pl in price_lists if pl.kind == PriceListKind.STANDARD]
    promotions = [
        promotion
        for promotion in selectors.promotions_on(on)
        if targets_customer(promotion, customer, grade)
    ]
    table = selectors.authorities()
    authority = selectors.authority_of(by, table)

    priced: list[QuoteLine] = []
    for index, (product, quantity, requested_price, requested_percent) in enumerate(parsed):
        if errors.get(f"lines.{index}.product") or errors.get(f"lines.{index}.quantity"):
            continue
        found = list_price(product, quantity, price_lists, by_list)
        if found is None:
            errors[f"lines.{index}.product"] = _(
                "{sku} has no price on {day}; add it to a price list first."
            ).format(sku=product.sku, day=on.isoformat())
            continue
        price_list, item = found
        floor = item.floor_price
        if floor is None and price_list.kind != PriceListKind.STANDARD:
            floor = standard_floor(product, quantity, standard, by_list)
        line_offers = [
            offer
            for promotion in promotions
            if (offer := line_offer(promotion, product, quantity, item.unit_price)) is not None
        ]
        promo_discount, promo_codes = calc.combine(line_offers)
        promoted = calc.discounted(item.unit_price, promo_discount)
        if requested_price is not None:
            net_unit = requested_price
        elif requested_percent is not None:
            net_unit = promoted - calc.percent_of(promoted, requested_percent)
        else:
            net_unit = promoted
        amounts = calc.line_amounts(
            net_unit, quantity, product.tax_rate, prices_include_tax=price_list.prices_include_tax
        )
        line = QuoteLine(
            index=index,
            product=product,
            quantity=quantity,
            price_list=price_list.code,
            list_price=item.unit_price,
            floor_price=floor,
            promotions=promo_codes,
            promoted_price=promoted,
            net_unit_price=net_unit,
            discount_percent=calc.discount_percent(promoted, net_unit),
            order_discount=ZERO,
            net=amounts.net,
            tax=amounts.tax,
            gross=amounts.gross,
            prices_include_tax=price_list.prices_include_tax,
        )
        line.approval = approval_for(line, authority, table)
        priced.append(line)
    if errors:
        raise ValidationFailed(
            _("Some lines cannot be priced; correct them and try again."),
            code="lines_invalid",
            fields=errors,
        )
    quote = Quote(customer=customer, on=on, lines=priced)
    apply_order_promotions(quote, promotions)
    totals = calc.total(calc.Amounts(line.net, line.tax, line.gross) for line in priced)
    quote.net, quote.tax, quote.gross = totals.net, totals.tax, totals.gross
    return quote


def parse_line(
    index: int, line: LineRequest, errors: dict[str, str]
) -> tuple[Product, Decimal, Decimal | None, Decimal | None]:
    product, quantity, requested_price, requested_percent = line
    at = f"lines.{index}"
    if not isinstance(product, Product) or product.pk is None:
        errors[f"{at}.product"] = _("Unknown product.")
    elif not product.is_active:
        errors[f"{at}.product"] = _("{sku} is no longer sold.").format(sku=product.sku)
    elif not product.orderable:
        errors[f"{at}.product"] = _("{sku} cannot be ordered (prohibited).").format(sku=product.sku)
    qty = as_decimal(quantity)
    if qty is None or qty <= 0:
        errors[f"{at}.quantity"] = _("Enter a quantity greater than zero.")
        qty = ZERO
    price = as_decimal(requested_price) if requested_price is not None else None
    if requested_price is not None and (price is None or price < 0):
        errors[f"{at}.requested_unit_price"] = _("Enter a price of zero or more.")
    pct = as_decimal(requested_percent) if requested_percent is not None else None
    if requested_percent is not None and (pct is None or not ZERO <= pct <= 100):
        errors[f"{at}.requested_discount_percent"] = _("Enter a discount between 0 and 100 %.")
    if price is not None and pct is not None:
        errors[f"{at}.requested_discount_percent"] = _(
            "Request either a price or a discount, not both."
        )
    return product, qty, price, pct


def best_break(items: list[PriceRow], quantity: Decimal) -> PriceRow | None:
    """The item with the largest ``min_quantity`` not above ``quantity`` (items ascend)."""
    return next((item for item in reversed(items) if item.min_quantity <= quantity), None)


def list_price(
    product: Product,
    quantity: Decimal,
    price_lists: list[PriceList],
    by_list: dict[tuple[int, int], list[PriceRow]],
) -> tuple[PriceList, PriceRow] | None:
    for price_list in price_lists:
        item = best_break(by_list.get((price_list.pk, product.pk), []), quantity)
        if item is not None:
            return price_list, item
    return None


def standard_floor(
    product: Product,
    quantity: Decimal,
    standard: list[PriceList],
    by_list: dict[tuple[int, int], list[PriceRow]],
) -> Decimal | None:
    for price_list in standard:
        item = best_break(by_list.get((price_list.pk, product.pk), []), quantity)
        if item is not None:
            return item.floor_price
    return None


def targets_customer(live: LivePromotion, customer: Customer, grade: str) -> bool:
    if live.customer_ids and customer.pk not in live.customer_ids:
        return False
    return not live.promotion.grades or grade in live.promotion.grades


def targets_product(live: LivePromotion, product: Product) -> bool:
    if not live.product_ids and not live.category_ids:
        return True
    return product.pk in live.product_ids or product.category_id in live.category_ids


def line_offer(
    live: LivePromotion, product: Product, quantity: Decimal, price: Decimal
) -> calc.Offer | None:
    """The per-unit discount a promotion gives this line, or None when it does not apply."""
    promotion = live.promotion
    if promotion.kind == PromotionKind.SPEND_THRESHOLD or not targets_product(live, product):
        return None
    if promotion.kind == PromotionKind.PERCENT:
        discount = calc.percent_of(price, promotion.percent_off or ZERO)
    elif promotion.kind == PromotionKind.AMOUNT_OFF:
        discount = min(promotion.amount_off or ZERO, price)
    elif promotion.kind == PromotionKind.QUANTITY_BREAK:
        if quantity < (promotion.min_quantity or ZERO):
            return None
        discount = calc.percent_of(price, promotion.percent_off or ZERO)
    else:
        return None
    return calc.Offer(promotion.code, discount, promotion.stackable)


def approval_for(
    line: QuoteLine, authority: Decimal, table: dict[str, Decimal]
) -> dict[str, str] | None:
    if line.floor_price is not None and line.net_unit_price < line.floor_price:
        return {"needed_role": GENERAL_MANAGER, "reason": "below_floor"}
    if line.discount_percent <= authority:
        return None
    covering = sorted(
        (percent, role) for role, percent in table.items() if percent >= line.discount_percent
    )
    role = covering[0][1] if covering else GENERAL_MANAGER
    return {"needed_role": role, "reason": "discount_over_authority"}


def apply_order_promotions(quote: Quote, promotions: list[LivePromotion]) -> None:
    """满减: each reached threshold takes its amount off the lines it covers; the best single
    non-stackable one wins, stackable ones add; never more than those lines' gross."""
    offers: list[tuple[calc.Offer, list[QuoteLine]]] = []
    for live in promotions:
        promotion = live.promotion
        if promotion.kind != PromotionKind.SPEND_THRESHOLD:
            continue
        covered = [line for line in quote.lines if targets_product(live, line.product)]
        spent = sum((line.gross for line in covered), ZERO)
        if not covered or spent < (promotion.threshold_amount or ZERO):
            continue
        amount = min(promotion.amount_off or ZERO, spent)
        offers.append((calc.Offer(promotion.code, amount, promotion.stackable), covered))
    _total, codes = calc.combine(offer for offer, _lines in offers)
    for offer, covered in offers:
        if offer.code not in codes:
            continue
        remaining = sum((line.gross for line in covered), ZERO)
        amount = min(offer.discount, remaining)
        shares = calc.allocate(amount, [line.gross for line in covered])
        for line, share in zip(covered, shares, strict=True):
            amounts = calc.with_gross(line.gross - share, line.product.tax_rate)
            line.order_discount += share
            line.net, line.tax, line.gross = amounts.net, amounts.tax, amounts.gross
        quote.order_discount += amount
        quote.order_promotions.append(offer.code)

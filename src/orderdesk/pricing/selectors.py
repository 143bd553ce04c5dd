"""Reads of the price policy: lists valid on a day, their items, live promotions and the
discount authority of a user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from orderdesk.accounts.selectors import role_names
from orderdesk.catalog.selectors import products_visible_to, require_staff
from orderdesk.core import audit, permissions
from orderdesk.core.errors import NotFound
from orderdesk.core.models import AuditEntry
from orderdesk.core.money import split_tax, to_fen
from orderdesk.customers.models import CreditFile, Customer
from orderdesk.customers.selectors import customers_visible_to

from .models import DiscountAuthority, PriceList, PriceListItem, PriceListKind, Promotion


def valid_on(on: dt.date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))


def customer_grade(customer: Customer) -> str:
    """The customer's credit grade (A/B/C); C when no credit file exists yet."""
    # The customer's credit file, read with the customer when the caller selected it.
    credit: CreditFile | None = getattr(customer, "credit", None)
    return credit.grade if credit is not None else "C"


def price_lists_for(customer: Customer, grade: str, on: dt.date) -> list[PriceList]:
    """Active lists valid on ``on`` that may price for this customer, most specific first
    (customer, then grade, then standard)."""
    scope = (
        Q(kind=PriceListKind.STANDARD)
        | Q(kind=PriceListKind.GRADE, grade=grade)
        | Q(kind=PriceListKind.CUSTOMER, customer=customer)
    )
    rank = {PriceListKind.CUSTOMER: 0, PriceListKind.GRADE: 1, PriceListKind.STANDARD: 2}
    lists = PriceList.objects.filter(scope, valid_on(on), active=True)
    return sorted(lists, key=lambda price_list: rank[PriceListKind(price_list.kind)])


class PriceRow(NamedTuple):
    """One price (quantity break) as plain values: pricing reads hundreds per quote."""

    price_list_id: int
    product_id: int
    min_quantity: Decimal
    unit_price: Decimal
    floor_price: Decimal | None


def items_for(price_lists: Iterable[PriceList], product_ids: Iterable[int]) -> list[PriceRow]:
    """The prices of ``product_ids`` in ``price_lists``, quantity breaks ascending."""
    rows = (
        PriceListItem.objects.filter(
            price_list__in=[price_list.pk for price_list in price_lists],
            product_id__in=set(product_ids),
        )
        .order_by("price_list_id", "product_id", "min_quantity")
        .values_list("price_list_id", "product_id", "min_quantity", "unit_price", "floor_price")
    )
    return [PriceRow(*row) for row in rows]


@dataclass(frozen=True)
class LivePromotion:
    """A promotion valid on the day with its targets as id sets (empty = all), so pricing
    100 lines tests membership without touching related managers."""

    promotion: Promotion
    product_ids: frozenset[int]
    category_ids: frozenset[int]
    customer_ids: frozenset[int]


def promotions_on(on: dt.date) -> list[LivePromotion]:
    """Active promotions valid on ``on`` (four queries whatever their number)."""
    promotions = list(Promotion.objects.filter(valid_on(on), active=True))
    ids = [promotion.pk for promotion in promotions]
    targets: dict[str, dict[int, set[int]]] = {}
    for name, column in (("products", "product_id"), ("categories", "category_id"),
                         ("customers", "customer_id")):  # fmt: skip
        through = getattr(Promotion, name).through
        found: dict[int, set[int]] = {}
        rows = through.objects.filter(promotion_id__in=ids).values_list("promotion_id", column)
        for promotion_id, target_id in rows:
            found.setdefault(promotion_id, set()).add(target_id)
        targets[name] = found
    return [
        LivePromotion(
            promotion,
            frozenset(targets["products"].get(promotion.pk, ())),
            frozenset(targets["categories"].get(promotion.pk, ())),
            frozenset(targets["customers"].get(promotion.pk, ())),
        )
        for promotion in promotions
    ]


def authorities() -> dict[str, Decimal]:
    """Role name → maximum discount percent."""
    return dict(DiscountAuthority.objects.values_list("role", "max_discount_percent"))


def authority_of(user: Any, table: dict[str, Decimal]) -> Decimal:
    """The highest discount any of the user's roles may grant (0 without one)."""
    if getattr(user, "is_system", False):
        return Decimal(100)
    groups = role_names(user)
    return max((table[name] for name in groups if name in table), default=Decimal(0))


def overlapping(price_list: PriceList) -> QuerySet[PriceList]:
    """Other active lists of the same scope valid on at least one of the same days."""
    others = PriceList.objects.filter(
        kind=price_list.kind,
        grade=price_list.grade,
        customer=price_list.customer_id,
        active=True,
    ).exclude(pk=price_list.pk)
    others = others.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=price_list.valid_from))
    if price_list.valid_until is not None:
        others = others.filter(valid_from__lte=price_list.valid_until)
    return others


def lock_price_list(price_list_id: int) -> PriceList:
    return PriceList.objects.select_for_update().get(pk=price_list_id)


def lock_promotion(promotion_id: int) -> Promotion:
    return Promotion.objects.select_for_update().get(pk=promotion_id)


# --- pages (issue 4, capability 6) ------------------------------------------------------------
# Reads for the price list and promotion pages and the product page panel. Every member of
# staff reads prices (sales quote from them); only ``pricing.manage_prices`` sees floors.

MANAGE = "pricing.manage_prices"


def can_manage(user: Any) -> bool:
    return permissions.has(user, MANAGE)


def price_lists(
    *, kind: str = "", on: dt.date | None = None, active: bool | None = None
) -> QuerySet[PriceList]:
    """The price list page: by scope, valid on a day, active; each with its ``item_count``.
    Standard lists first, then grades, then customers; the newest first within a scope."""
    scope_rank = Case(
        When(kind=PriceListKind.STANDARD, then=Value(0)),
        When(kind=PriceListKind.GRADE, then=Value(1)),
        default=Value(2),
    )
    lists = PriceList.objects.select_related("customer").annotate(
        item_count=Count("items"), scope_rank=scope_rank
    )
    if kind:
        lists = lists.filter(kind=kind)
    if on is not None:
        lists = lists.filter(valid_on(on))
    if active is not None:
        lists = lists.filter(active=active)
    return lists.order_by("scope_rank", "grade", "customer__code", "-valid_from", "code")


def price_list_for(user: Any, price_list_id: int) -> PriceList:
    """One price list for a member of staff; ``NotFound`` when missing."""
    require_staff(user)
    price_list = PriceList.objects.select_related("customer").filter(pk=price_list_id).first()
    if price_list is None:
        raise NotFound(_("No such price list."), code="price_list_not_found")
    return price_list


def price_item_for(price_list: PriceList, item_id: int) -> PriceListItem:
    item = (
        PriceListItem.objects.select_related("product").filter(pk=item_id, price_list=price_list)
    ).first()
    if item is None:
        raise NotFound(_("No such price."), code="price_not_found")
    return item


@dataclass(frozen=True)
class PriceLine:
    """A price list item with its price both without and with VAT (for display)."""

    item: PriceListItem
    net: Decimal
    gross: Decimal

    @property
    def quantity(self) -> str:
        return plain(self.item.min_quantity)


def plain(value: Decimal) -> str:
    """A quantity without trailing zeros and never in exponent form: 1.000 → "1", 10 → "10"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def net_and_gross(price: Decimal, rate: Decimal, *, includes_tax: bool) -> tuple[Decimal, Decimal]:
    """A unit price as ``(excl. VAT, incl. VAT)``; a tax-inclusive price is split with
    ``core.money.split_tax`` so both add up to the fen."""
    if includes_tax:
        net, _tax = split_tax(price, rate)
        return net, to_fen(price)
    net = to_fen(price)
    return net, net + to_fen(net * Decimal(rate))


def price_list_lines(price_list: PriceList) -> list[PriceLine]:
    """The items of a list by SKU and quantity break."""
    items = PriceListItem.objects.filter(price_list=price_list).select_related("product")
    return [
        PriceLine(item, *line_prices(item, price_list))
        for item in items.order_by("product__sku", "min_quantity")
    ]


def line_prices(item: PriceListItem, price_list: PriceList) -> tuple[Decimal, Decimal]:
    return net_and_gross(
        item.unit_price, item.product.tax_rate, includes_tax=price_list.prices_include_tax
    )


def product_prices(product: Any, on: dt.date) -> list[PriceLine]:
    """The product's prices in the active lists valid on ``on``: standard first, then
    grades, then customers; quantity breaks ascending."""
    valid = PriceList.objects.filter(valid_on(on), active=True)
    items = (
        PriceListItem.objects.filter(product=product, price_list__in=valid)
        .select_related("price_list", "price_list__customer", "product")
        .order_by("price_list__kind", "price_list__grade", "price_list__code", "min_quantity")
    )
    rank = {PriceListKind.STANDARD: 0, PriceListKind.GRADE: 1, PriceListKind.CUSTOMER: 2}
    lines = [PriceLine(item, *line_prices(item, item.price_list)) for item in items]
    return sorted(lines, key=lambda line: rank[PriceListKind(line.item.price_list.kind)])


def promotions(
    *, kind: str = "", on: dt.date | None = None, active: bool | None = None
) -> QuerySet[Promotion]:
    """The promotion page: by kind, valid on a day, active; targets prefetched."""
    found = Promotion.objects.prefetch_related("products", "categories", "customers")
    if kind:
        found = found.filter(kind=kind)
    if on is not None:
        found = found.filter(valid_on(on))
    if active is not None:
        found = found.filter(active=active)
    return found.order_by("-valid_from", "code")


def promotion_for(user: Any, promotion_id: int) -> Promotion:
    """One promotion for a member of staff; ``NotFound`` when missing."""
    require_staff(user)
    promotion = (
        Promotion.objects.prefetch_related("products", "categories", "customers")
        .filter(pk=promotion_id)
        .first()
    )
    if promotion is None:
        raise NotFound(_("No such promotion."), code="promotion_not_found")
    return promotion


def products_by_sku(user: Any, skus: Iterable[str]) -> dict[str, Any]:
    """The products this user may see among ``skus`` (SKUs are stored upper-case)."""
    wanted = {sku.strip().upper() for sku in skus if sku.strip()}
    products = products_visible_to(user).filter(sku__in=wanted)
    return {product.sku: product for product in products}


def customers_by_code(user: Any, codes: Iterable[str]) -> dict[str, Customer]:
    """The customers this user may see among ``codes``, keyed by their upper-case code."""
    wanted = {code.strip() for code in codes if code.strip()}
    wanted |= {code.upper() for code in wanted}
    found = customers_visible_to(user).filter(code__in=wanted)
    return {customer.code.upper(): customer for customer in found}


def history(obj: Any, *, limit: int = 100) -> list[AuditEntry]:
    """A price list's or promotion's timeline, newest first."""
    return list(audit.entries_for(obj).order_by("-at", "-id")[:limit])

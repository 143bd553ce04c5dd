"""Reads of the price policy: lists valid on a day, their items, live promotions and the
discount authority of a user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet

from orderdesk.customers.models import CreditFile, Customer

from .models import DiscountAuthority, PriceList, PriceListItem, PriceListKind, Promotion


def valid_on(on: dt.date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))


def customer_grade(customer: Customer) -> str:
    """The customer's credit grade (A/B/C); C when no credit file exists yet."""
    grade = CreditFile.objects.filter(customer=customer).values_list("grade", flat=True).first()
    return grade or "C"


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
    groups = user.groups.values_list("name", flat=True) if getattr(user, "pk", None) else []
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

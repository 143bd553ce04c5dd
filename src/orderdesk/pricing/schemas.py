"""API input and output shapes for price lists, promotions and the pricing quote.

Schemas check format only; every rule (scope, overlap, floors, promotion kinds, who may
change prices) is the services'. PATCH bodies send only the fields that change. Amounts
leave as strings, exact to the fen.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class PriceListFields(Schema):
    code: str = Field("", max_length=30)
    name: str = Field("", max_length=100)
    kind: str = Field("standard", max_length=10, description="standard | grade | customer")
    grade: str = Field("", max_length=1, description="A | B | C (grade lists only)")
    customer: int | None = Field(None, description="Customer id (customer lists only).")
    valid_from: dt.date | None = None
    valid_until: dt.date | None = Field(None, description="Inclusive; empty = open end.")
    prices_include_tax: bool = True
    active: bool = True


class PriceListIn(PriceListFields):
    pass


class PriceListChangeIn(PriceListFields):
    """Only the fields sent are changed."""


class PriceIn(Schema):
    unit_price: Decimal
    floor_price: Decimal | None = Field(None, description="Minimum price (底价).")
    min_quantity: Decimal = Field(Decimal(1), description="Quantity break: from this quantity.")


class PriceListFilter(Schema):
    kind: str = Field("", max_length=10)
    active: bool | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class PriceOut(Schema):
    id: int
    product: int
    sku: str
    min_quantity: str
    unit_price: str
    floor_price: str | None


class PriceListOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    grade: str
    customer: int | None
    valid_from: dt.date
    valid_until: dt.date | None
    currency: str
    prices_include_tax: bool
    active: bool


class PriceListDetailOut(PriceListOut):
    items: list[PriceOut]


class PriceListListOut(Schema):
    count: int
    items: list[PriceListOut]


class PromotionFields(Schema):
    code: str = Field("", max_length=30)
    name: str = Field("", max_length=100)
    kind: str = Field(
        "", max_length=16, description="percent | amount_off | spend_threshold | quantity_break"
    )
    percent_off: Decimal | None = None
    amount_off: Decimal | None = None
    threshold_amount: Decimal | None = None
    min_quantity: Decimal | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    products: list[int | str] = Field(
        default_factory=list, description="Product ids or SKUs; empty = all."
    )
    categories: list[int | str] = Field(
        default_factory=list, description="Category ids or codes; empty = all."
    )
    customers: list[int] = Field(default_factory=list, description="Customer ids; empty = all.")
    grades: list[str] = Field(default_factory=list, description="Credit grades; empty = all.")
    stackable: bool = False
    active: bool = True


class PromotionIn(PromotionFields):
    pass


class PromotionChangeIn(PromotionFields):
    """Only the fields sent are changed."""


class PromotionFilter(Schema):
    active: bool | None = None
    on: dt.date | None = Field(None, description="Only promotions valid on this day.")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class PromotionOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    percent_off: str | None
    amount_off: str | None
    threshold_amount: str | None
    min_quantity: str | None
    valid_from: dt.date
    valid_until: dt.date | None
    products: list[str]
    categories: list[str]
    customers: list[int]
    grades: list[str]
    stackable: bool
    active: bool


class PromotionListOut(Schema):
    count: int
    items: list[PromotionOut]


class QuoteLineIn(Schema):
    product: int | str = Field(description="Product id or SKU.")
    quantity: Decimal
    unit_price: Decimal | None = Field(None, description="Requested net unit price.")
    discount_percent: Decimal | None = Field(None, description="Requested discount (%).")


class QuoteIn(Schema):
    customer: int
    on: dt.date | None = Field(None, description="Pricing day; today when empty.")
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=500)


class ApprovalOut(Schema):
    needed_role: str
    reason: str


class QuoteLineOut(Schema):
    index: int
    product: int
    sku: str
    quantity: str
    price_list: str
    list_price: str
    floor_price: str | None
    promotions: list[str]
    promoted_price: str
    net_unit_price: str
    discount_percent: str
    order_discount: str
    net: str
    tax: str
    gross: str
    prices_include_tax: bool
    approval: ApprovalOut | None


class QuoteOut(Schema):
    customer: int
    on: dt.date
    lines: list[QuoteLineOut]
    order_promotions: list[str]
    order_discount: str
    net: str
    tax: str
    gross: str
    approval: ApprovalOut | None


class PriceImportOut(Schema):
    """What a price list import wrote. A file with row errors is a 422 ``invalid_rows``
    instead, whose ``error.rows`` lists {row, column, message}."""

    filename: str
    rows: int = Field(description="Data rows read (empty rows not counted).")
    created: int = Field(description="Quantity breaks added.")
    updated: int = Field(description="Quantity breaks changed.")
    unchanged: int = Field(description="Rows stating a price the list already has.")
    warnings: list[dict[str, Any]] = Field(
        description="Ignored columns: {row, column, message}; the rows were imported."
    )

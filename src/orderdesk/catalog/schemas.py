"""API input and output shapes for products and categories.

Schemas check format only (types, lengths as in the model); every rule (SKU format and
uniqueness, VAT band, lead-time range, plain text, who may change the catalog) is the
services'. PATCH bodies send only the fields that change. Decimals leave as strings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class ProductFields(Schema):
    sku: str = Field(
        "", max_length=40, description="Letters, digits and . _ / -; stored upper case."
    )
    name: str = Field("", max_length=120)
    spec: str = Field("", max_length=200, description="规格")
    model_number: str = Field("", max_length=100, description="型号")
    category: str = Field("", max_length=30, description="Category id or code.")
    unit: str = Field("", max_length=10, description="e.g. 台, 件, kg")
    tax_rate: str = Field("0.13", max_length=6, description="0.13 | 0.09 | 0.06")
    lead_time_days: int = Field(5, description="Standard lead time in working days, 0-365.")
    sales_kind: str = Field("normal", max_length=12, description="normal | custom | prohibited")
    supply: str = Field("make_to_stock", max_length=14, description="make_to_stock | make_to_order")
    is_active: bool = True
    weight_kg: str | None = Field(None, max_length=14)
    description: str = Field("", max_length=4000)


class ProductIn(ProductFields):
    pass


class ProductChangeIn(ProductFields):
    """Only the fields sent are changed."""

    reason: str = Field("", max_length=500, description="Why (变更原因); required.")


class ProductSearch(Schema):
    """The list's filters; the export takes the same."""

    q: str = Field(
        "", max_length=100, description="SKU (exact or prefix), name, spec, model, pinyin initials."
    )
    category: str = Field("", max_length=30, description="Category id or code.")
    sales_kind: str = Field("", max_length=12)
    active: bool | None = None


class ProductFilter(ProductSearch):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class CategoryOut(Schema):
    id: int
    code: str
    name: str


class CategoryIn(Schema):
    code: str = Field(
        "", max_length=30, description="Unique; letters, digits, - and _ (e.g. pumps)."
    )
    name: str = Field("", max_length=60, description="e.g. 离心泵")
    parent: str | None = Field(
        None, max_length=30, description="Parent category id or code; empty for a top one."
    )


class CategoryChangeIn(CategoryIn):
    """Only the fields sent are changed; ``"parent": null`` moves it to the top."""

    reason: str = Field("", max_length=500, description="Why (变更原因); required.")


class CategoryFilter(Schema):
    limit: int = Field(200, ge=1, le=500)
    offset: int = Field(0, ge=0)


class CategoryItemOut(CategoryOut):
    parent: CategoryOut | None
    product_count: int = Field(description="Products in the category, inactive included.")


class CategoryDetailOut(CategoryItemOut):
    can_edit: bool
    history: list[dict[str, Any]] = Field(
        description="Changes, newest first: {at, actor, action, changes, reason}."
    )


class CategoryListOut(Schema):
    count: int
    items: list[CategoryItemOut]


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    spec: str
    model_number: str
    category: CategoryOut
    unit: str
    tax_rate: str
    lead_time_days: int
    sales_kind: str
    supply: str
    is_active: bool
    orderable: bool
    weight_kg: str | None
    description: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductDetailOut(ProductOut):
    can_edit: bool
    history: list[dict[str, Any]] = Field(
        description="Changes, newest first: {at, actor, action, changes, reason}."
    )


class ProductListOut(Schema):
    count: int
    items: list[ProductOut]


class ProductImportOut(Schema):
    """What an import wrote. A file with row errors is a 422 ``invalid_rows`` instead,
    whose ``error.rows`` lists {row, column, message}."""

    filename: str
    rows: int = Field(description="Data rows read (empty rows not counted).")
    created: int
    updated: int
    unchanged: int = Field(description="Rows naming a product with the data it already has.")
    created_skus: list[str]
    updated_skus: list[str]
    warnings: list[dict[str, Any]] = Field(
        description="Ignored columns: {row, column, message}; the rows were imported."
    )

"""API input and output shapes for warehouses and stock.

Schemas check format only; every rule (positive quantities, a reason for adjustments,
closed warehouses, who may move stock) is the services'. Quantities leave as strings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class WarehouseIn(Schema):
    code: str = Field("", max_length=20)
    name: str = Field("", max_length=100)
    province: str = Field("", max_length=30)
    city: str = Field("", max_length=30)
    address: str = Field("", max_length=300)
    is_active: bool = True


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    province: str
    city: str
    address: str
    is_active: bool


class StockFilter(Schema):
    product: str = Field(max_length=40, description="Product id or SKU.")
    warehouse: str = Field("", max_length=20, description="Warehouse id or code; all if empty.")


class AvailabilityOut(Schema):
    on_hand: str
    reserved: str
    available: str
    restock_on: dt.date | None


class WarehouseAvailabilityOut(AvailabilityOut):
    warehouse: str


class StockOut(Schema):
    product: int
    sku: str
    total: AvailabilityOut
    warehouses: list[WarehouseAvailabilityOut]


class ReceiptIn(Schema):
    product: int | str = Field(description="Product id or SKU.")
    warehouse: int | str = Field(description="Warehouse id or code.")
    quantity: Decimal
    reason: str = Field("", max_length=500)
    reference: str = Field("", max_length=100, description="e.g. the supplier's delivery note.")


class AdjustmentIn(Schema):
    product: int | str = Field(description="Product id or SKU.")
    warehouse: int | str = Field(description="Warehouse id or code.")
    new_on_hand: Decimal | None = Field(None, description="The counted quantity, or …")
    delta: Decimal | None = Field(None, description="… the change (negative to decrease).")
    reason: str = Field("", max_length=500, description="Why (盘点调整原因); required.")


class LevelOut(Schema):
    product: int
    sku: str
    warehouse: str
    on_hand: str
    reserved: str
    available: str


class LowStockFilter(Schema):
    threshold: Decimal = Field(Decimal(0), description="Available at or below this.")
    warehouse: str = Field("", max_length=20, description="Warehouse id or code.")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


class LowStockOut(Schema):
    count: int
    items: list[LevelOut]

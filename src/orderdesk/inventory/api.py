"""REST endpoints for stock (issue 4, capability 7):

- ``/api/v1/warehouses``: list and open warehouses;
- ``/api/v1/stock``: availability per warehouse, receipts, adjustments, low stock.

Every endpoint parses input, fetches what the caller may see, calls one service and
renders. Reads are open to staff (not portal accounts); writes need
``inventory.manage_stock``, checked by the services.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from orderdesk.catalog import selectors as catalog_selectors
from orderdesk.catalog.models import Product
from orderdesk.core.errors import NotFound

from . import selectors, services
from .models import StockLevel, Warehouse
from .schemas import (
    AdjustmentIn,
    LevelOut,
    LowStockFilter,
    LowStockOut,
    ReceiptIn,
    StockFilter,
    StockOut,
    WarehouseIn,
    WarehouseOut,
)

warehouses_router = Router(tags=["warehouses"])
stock_router = Router(tags=["stock"])

WAREHOUSE_FIELDS = ("id", "code", "name", "province", "city", "address", "is_active")


def key_of(value: int | str) -> int | str:
    """``"12"`` and ``12`` are ids; anything else is a SKU or code."""
    text = str(value).strip()
    return int(text) if text.isdigit() else text


def find_product(user: Any, key: int | str) -> Product | None:
    products = catalog_selectors.products_visible_to(user)
    key = key_of(key)
    if isinstance(key, int):
        return products.filter(pk=key).first()
    return products.filter(sku=key.upper()).first()


def product_pk(user: Any, key: int | str) -> int | None:
    """The id the stock services check; ``None`` (reported as unknown) when not found."""
    product = find_product(user, key)
    return None if product is None else product.pk


# --- warehouses -------------------------------------------------------------------------------


@warehouses_router.get("", response=list[WarehouseOut], summary="List warehouses")
def list_warehouses(request: HttpRequest) -> list[dict[str, Any]]:
    catalog_selectors.require_staff(request.user)
    return [warehouse_out(w) for w in Warehouse.objects.order_by("code")]


@warehouses_router.post("", response={201: WarehouseOut}, summary="Open a warehouse")
def create_warehouse(request: HttpRequest, payload: WarehouseIn) -> Status[dict[str, Any]]:
    warehouse = services.create_warehouse(payload.dict(), by=request.user)
    return Status(201, warehouse_out(warehouse))


def warehouse_out(warehouse: Warehouse) -> dict[str, Any]:
    return {name: getattr(warehouse, name) for name in WAREHOUSE_FIELDS}


# --- stock ------------------------------------------------------------------------------------


@stock_router.get(
    "",
    response=StockOut,
    summary="Availability of a product: on hand, reserved, available, restock date",
)
def stock(request: HttpRequest, filters: Query[StockFilter]) -> dict[str, Any]:
    catalog_selectors.require_staff(request.user)
    product = find_product(request.user, filters.product)
    if product is None:
        raise NotFound(_("No such product."), code="product_not_found")
    if filters.warehouse:
        warehouse = selectors.warehouse_by_key(key_of(filters.warehouse))
        if warehouse is None:
            raise NotFound(_("No such warehouse."), code="warehouse_not_found")
        warehouses = [warehouse]
    else:
        warehouses = list(Warehouse.objects.filter(is_active=True).order_by("code"))
    total = selectors.availability(product, warehouses[0] if filters.warehouse else None)
    return {
        "product": product.pk,
        "sku": product.sku,
        "total": availability_out(total),
        "warehouses": [
            {"warehouse": w.code, **availability_out(selectors.availability(product, w))}
            for w in warehouses
        ],
    }


@stock_router.post("/receipts", response={201: LevelOut}, summary="Book goods in (入库)")
def receive(request: HttpRequest, payload: ReceiptIn) -> Status[dict[str, Any]]:
    level = services.receive_stock(
        product_pk(request.user, payload.product),
        key_of(payload.warehouse),
        payload.quantity,
        by=request.user,
        reason=payload.reason,
        reference=payload.reference,
    )
    return Status(201, level_out(level))


@stock_router.post(
    "/adjustments",
    response={201: LevelOut},
    summary="Correct on hand after a count (盘点调整); a reason is required",
)
def adjust(request: HttpRequest, payload: AdjustmentIn) -> Status[dict[str, Any]]:
    level = services.adjust_stock(
        product_pk(request.user, payload.product),
        key_of(payload.warehouse),
        new_on_hand=payload.new_on_hand,
        delta=payload.delta,
        by=request.user,
        reason=payload.reason,
    )
    return Status(201, level_out(level))


@stock_router.get("/low", response=LowStockOut, summary="Levels at or below a threshold")
def low(request: HttpRequest, filters: Query[LowStockFilter]) -> dict[str, Any]:
    catalog_selectors.require_staff(request.user)
    warehouses = None
    if filters.warehouse:
        warehouse = selectors.warehouse_by_key(key_of(filters.warehouse))
        if warehouse is None:
            raise NotFound(_("No such warehouse."), code="warehouse_not_found")
        warehouses = [warehouse]
    levels = selectors.low_stock(filters.threshold, warehouses=warehouses)
    page = levels[filters.offset : filters.offset + filters.limit]
    return {"count": levels.count(), "items": [level_out(level) for level in page]}


def availability_out(found: selectors.Availability) -> dict[str, Any]:
    """Quantities with their three places, also when a warehouse never held the product."""
    return {
        "on_hand": str(found["on_hand"].quantize(selectors.GRAIN)),
        "reserved": str(found["reserved"].quantize(selectors.GRAIN)),
        "available": str(found["available"].quantize(selectors.GRAIN)),
        "restock_on": found["restock_on"],
    }


def level_out(level: StockLevel) -> dict[str, Any]:
    return {
        "product": level.product_id,
        "sku": level.product.sku,
        "warehouse": level.warehouse.code,
        "on_hand": str(level.on_hand),
        "reserved": str(level.reserved),
        "available": str(level.on_hand - level.reserved),
    }

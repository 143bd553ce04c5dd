"""Reads for stock: availability with the restock date, row locks in key order, the
ledger rebuild used by the consistency check, the low-stock list, and the reads behind the
stock pages (levels by product and warehouse, restock dates for a whole page at once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple, TypedDict

from django.db.models import F, Min, QuerySet, Sum
from django.utils import timezone

from orderdesk.catalog import selectors as catalog_selectors
from orderdesk.catalog.models import Product
from orderdesk.core import workcalendar

from . import calculations
from .models import (
    PurchaseRequest,
    PurchaseStatus,
    Reservation,
    StockLevel,
    StockMovement,
    Warehouse,
)

ZERO = Decimal(0)
GRAIN = Decimal("0.001")


def exact(total: Decimal | None) -> Decimal:
    """A database sum as an exact quantity: SQLite adds decimals as floats, so its sums are
    rounded back to the three places every quantity has (PostgreSQL sums are exact)."""
    return ZERO if total is None else Decimal(total).quantize(GRAIN)


class Availability(TypedDict):
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    restock_on: dt.date | None


def warehouse_by_key(key: Any) -> Warehouse | None:
    """A warehouse given as an instance, its primary key or its code; ``None`` if unknown."""
    if isinstance(key, Warehouse):
        return Warehouse.objects.filter(pk=key.pk).first()
    if isinstance(key, int) and not isinstance(key, bool):
        return Warehouse.objects.filter(pk=key).first()
    if isinstance(key, str) and key:
        return Warehouse.objects.filter(code=key).first()
    return None


def active_warehouse_ids() -> list[int]:
    return list(
        Warehouse.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    )


def lock_levels(product_id: int, warehouse_ids: Sequence[int]) -> list[StockLevel]:
    """Lock the stock rows of one product in the given warehouses, in primary-key order
    (STYLE §4), so two services locking overlapping rows queue instead of deadlocking."""
    return list(
        StockLevel.objects.select_for_update()
        .filter(product_id=product_id, warehouse_id__in=list(warehouse_ids))
        .order_by("pk")
    )


def lock_reservation(pk: int) -> Reservation:
    return Reservation.objects.select_for_update().get(pk=pk)


def restock_on(
    product: Product, warehouse: Warehouse | None = None, *, today: dt.date | None = None
) -> dt.date:
    """When more of ``product`` is expected: the earliest open purchase request, else today
    plus the product's standard lead time in working days."""
    requests = PurchaseRequest.objects.filter(product=product, status=PurchaseStatus.OPEN)
    if warehouse is not None:
        requests = requests.filter(warehouse=warehouse)
    earliest = requests.order_by("expected_on").values_list("expected_on", flat=True).first()
    if earliest is not None:
        return earliest
    start = today or timezone.localdate()
    return workcalendar.add_working_days(start, product.lead_time_days)


def availability(product: Product, warehouse: Warehouse | None = None) -> Availability:
    """On hand, reserved, available and the restock date, for one warehouse or all active."""
    if warehouse is None:
        return availability_by_product([product])[product.pk]
    levels = StockLevel.objects.filter(product=product, warehouse=warehouse)
    totals = levels.aggregate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    on_hand, reserved = exact(totals["on_hand"]), exact(totals["reserved"])
    return {
        "on_hand": on_hand,
        "reserved": reserved,
        "available": on_hand - reserved,
        "restock_on": restock_on(product, warehouse),
    }


def levels_for(product: Product) -> QuerySet[StockLevel]:
    """Stock of one product by warehouse (the product page)."""
    return (
        StockLevel.objects.filter(product=product)
        .select_related("warehouse")
        .order_by("warehouse__code")
    )


def movements_for(product: Product, warehouse: Warehouse | None = None) -> QuerySet[StockMovement]:
    movements = StockMovement.objects.filter(product=product).select_related("warehouse", "by")
    if warehouse is not None:
        movements = movements.filter(warehouse=warehouse)
    return movements


def ledger_totals(product: Any, warehouse: Any) -> tuple[Decimal, Decimal]:
    """``(on hand, reserved)`` of one product and warehouse rebuilt from the ledger."""
    lines = StockMovement.objects.filter(product=product, warehouse=warehouse).values_list(
        "kind", "quantity", "decrease"
    )
    return calculations.ledger_totals(lines)


def recompute_levels() -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """Every ``(product id, warehouse id)`` with its ``(on hand, reserved)`` rebuilt from
    the whole ledger, in one grouped query."""
    grouped = (
        StockMovement.objects.order_by()
        .values_list("product_id", "warehouse_id", "kind", "decrease")
        .annotate(total=Sum("quantity"))
    )
    rebuilt: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
    for product_id, warehouse_id, kind, decrease, total in grouped:
        on_hand, reserved = rebuilt.get((product_id, warehouse_id), (ZERO, ZERO))
        d_on_hand, d_reserved = calculations.movement_effect(kind, exact(total), decrease=decrease)
        rebuilt[product_id, warehouse_id] = (on_hand + d_on_hand, reserved + d_reserved)
    return rebuilt


def ledger_mismatches() -> list[tuple[int, int, tuple[Decimal, Decimal], tuple[Decimal, Decimal]]]:
    """Levels whose stored quantities differ from the ledger: ``(product id, warehouse id,
    stored, rebuilt)``; empty when the books agree."""
    rebuilt = recompute_levels()
    stored = {
        (product_id, warehouse_id): (on_hand, reserved)
        for product_id, warehouse_id, on_hand, reserved in StockLevel.objects.values_list(
            "product_id", "warehouse_id", "on_hand", "reserved"
        )
    }
    mismatches = []
    for key in sorted(set(rebuilt) | set(stored)):
        have = stored.get(key, (ZERO, ZERO))
        want = rebuilt.get(key, (ZERO, ZERO))
        if have != want:
            mismatches.append((key[0], key[1], have, want))
    return mismatches


def low_stock(
    threshold: Decimal | int, *, warehouses: Iterable[Warehouse] | None = None
) -> QuerySet[StockLevel]:
    """Levels of active products in active warehouses whose available quantity is at or
    below ``threshold``, lowest first."""
    levels = StockLevel.objects.filter(product__is_active=True, warehouse__is_active=True)
    if warehouses is not None:
        levels = levels.filter(warehouse__in=list(warehouses))
    return (
        levels.annotate(free=F("on_hand") - F("reserved"))
        .filter(free__lte=threshold)
        .select_related("product", "warehouse")
        .order_by("free", "product__sku", "warehouse__code")
    )


def open_reservations(reference: str | None = None) -> QuerySet[Reservation]:
    reservations = Reservation.objects.filter(status="open").select_related("product", "warehouse")
    if reference is not None:
        reservations = reservations.filter(reference=reference)
    return reservations


# --- pages (issue 4, capability 6) -----------------------------------------------------------


class Restock(NamedTuple):
    """An expected restock date and whether an open purchase request promises it (else it
    is today plus the product's standard lead time)."""

    on: dt.date
    requested: bool


def stock_levels(user: Any, *, q: str = "", warehouse: Warehouse | None = None) -> QuerySet:
    """Stock by product and warehouse for the overview page: products this user may see,
    searched like the catalog (SKU, name, spec, model, pinyin), by SKU then warehouse."""
    products = catalog_selectors.search(user, q=q).order_by().values("pk")
    levels = StockLevel.objects.filter(product__in=products)
    if warehouse is not None:
        levels = levels.filter(warehouse=warehouse)
    return levels.select_related("product", "warehouse").order_by("product__sku", "warehouse__code")


def restock_dates(
    levels: Iterable[StockLevel], *, today: dt.date | None = None
) -> dict[tuple[int, int], Restock]:
    """``restock_on`` for many levels at once, keyed by ``(product id, warehouse id)``: one
    query for the open purchase requests and one calendar read, whatever the page size."""
    levels = list(levels)
    if not levels:
        return {}
    requested = {
        (product_id, warehouse_id): earliest
        for product_id, warehouse_id, earliest in PurchaseRequest.objects.filter(
            status=PurchaseStatus.OPEN,
            product_id__in={level.product_id for level in levels},
        )
        .order_by()
        .values_list("product_id", "warehouse_id")
        .annotate(earliest=Min("expected_on"))
    }
    start = today or timezone.localdate()
    calendar = None
    dates: dict[tuple[int, int], Restock] = {}
    for level in levels:
        key = (level.product_id, level.warehouse_id)
        if key in requested:
            dates[key] = Restock(requested[key], requested=True)
            continue
        calendar = calendar or workcalendar.current()
        dates[key] = Restock(
            calendar.add_working_days(start, level.product.lead_time_days), requested=False
        )
    return dates


def product_by_key(user: Any, key: Any) -> Product | None:
    """A product this user may see, given as its id or SKU (forms take the SKU)."""
    text = str(key or "").strip()
    if not text:
        return None
    products = catalog_selectors.products_visible_to(user)
    if text.isdigit() and not products.filter(sku=text.upper()).exists():
        return products.filter(pk=int(text)).first()
    return products.filter(sku=text.upper()).first()


def active_warehouses() -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(is_active=True).order_by("code")


def warehouses_with_locations() -> QuerySet[Warehouse]:
    """Every warehouse, open ones first, with its locations (two queries)."""
    return Warehouse.objects.prefetch_related("locations").order_by("-is_active", "code")


def availability_by_product(
    products: Iterable[Product], *, today: dt.date | None = None
) -> dict[int, Availability]:
    """:func:`availability` (all active warehouses) for many products at once, keyed by
    product id: two grouped queries and one calendar read however many products, so a
    200-line order entry form stays one round of queries."""
    wanted = {product.pk: product for product in products if product.pk is not None}
    if not wanted:
        return {}
    ids = sorted(wanted)
    totals: dict[int, tuple[Decimal, Decimal]] = {}
    earliest: dict[int, dt.date] = {}
    # Chunked under SQLite's limit of variables in one query (see catalog.selectors).
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        totals |= {
            product_id: (exact(on_hand), exact(reserved))
            for product_id, on_hand, reserved in StockLevel.objects.filter(
                product_id__in=chunk, warehouse__is_active=True
            )
            .order_by()
            .values_list("product_id")
            .annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
        }
        earliest |= dict(
            PurchaseRequest.objects.filter(status=PurchaseStatus.OPEN, product_id__in=chunk)
            .order_by()
            .values_list("product_id")
            .annotate(earliest=Min("expected_on"))
        )
    start_day = today or timezone.localdate()
    calendar = workcalendar.current() if set(wanted) - set(earliest) else None
    found: dict[int, Availability] = {}
    for product_id, product in wanted.items():
        on_hand, reserved = totals.get(product_id, (ZERO, ZERO))
        restock = earliest.get(product_id)
        if restock is None and calendar is not None:
            restock = calendar.add_working_days(start_day, product.lead_time_days)
        found[product_id] = {
            "on_hand": on_hand,
            "reserved": reserved,
            "available": on_hand - reserved,
            "restock_on": restock,
        }
    return found

"""Exporting one price list's prices to Excel (价格表导出).

One row per quantity break, by SKU and quantity, with the import's headers
(``spreadsheets``), so an exported list can be edited and imported again. Minimum prices are
for those who manage prices: for other staff the 最低价 column is left out.
"""

from __future__ import annotations

from typing import Any

from orderdesk.core import permissions
from orderdesk.core.spreadsheets import write_xlsx

from .models import PriceList, PriceListItem
from .services.price_lists import MANAGE
from .spreadsheets import FORMAT, price_column

CHUNK = 500


def export_prices(price_list: PriceList, *, user: Any) -> bytes:
    """The prices of ``price_list`` as an .xlsx file."""
    columns = [
        "sku",
        "name",
        "spec",
        "unit",
        "min_quantity",
        price_column(price_list.prices_include_tax),
    ]
    if permissions.has(user, MANAGE):
        columns.append("floor_price")
    items = (
        PriceListItem.objects.filter(price_list=price_list)
        .select_related("product")
        .order_by("product__sku", "min_quantity")
    )
    rows = (item_row(item, columns) for item in items.iterator(chunk_size=CHUNK))
    return write_xlsx([FORMAT.header(name) for name in columns], rows, title=price_list.code)


def item_row(item: PriceListItem, columns: list[str]) -> list[Any]:
    product = item.product
    cells = {
        "sku": product.sku,
        "name": product.name,
        "spec": product.spec,
        "unit": product.unit,
        "min_quantity": item.min_quantity,
        "unit_price": item.unit_price,
        "net_unit_price": item.unit_price,
        "floor_price": item.floor_price,
    }
    return [cells[name] for name in columns]

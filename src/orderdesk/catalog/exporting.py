"""Exporting the filtered product list to Excel (产品列表导出).

The rows come from ``selectors.search`` (so the file holds what the list shows with the same
filters) and are written with the import's headers and words (``spreadsheets``), so an
exported file can be edited and imported again. Products are read 500 at a time.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from orderdesk.core.spreadsheets import write_xlsx, yes_no

from .models import Product
from .spreadsheets import FORMAT, SALES_KIND, SUPPLY, tax_rate_text

CHUNK = 500


def export_products(products: QuerySet[Product]) -> bytes:
    """The products of ``products`` (from ``selectors.search``) as an .xlsx file."""
    headers = [header for _name, header, _aliases in FORMAT.columns]
    rows = (product_row(product) for product in products.iterator(chunk_size=CHUNK))
    return write_xlsx(headers, rows, title="产品", sample=CHUNK)


def product_row(product: Product) -> list[Any]:
    cells: dict[str, Any] = {
        "sku": product.sku,
        "name": product.name,
        "spec": product.spec,
        "model_number": product.model_number,
        "category": product.category.code,
        "category_name": product.category.name,
        "unit": product.unit,
        "tax_rate": tax_rate_text(product.tax_rate),
        "lead_time_days": product.lead_time_days,
        "sales_kind": SALES_KIND.word(product.sales_kind),
        "supply": SUPPLY.word(product.supply),
        "is_active": yes_no(product.is_active),
        "weight_kg": product.weight_kg,
        "description": product.description,
    }
    return [cells[name] for name, _header, _aliases in FORMAT.columns]

"""Importing prices into one price list from a spreadsheet (价格表导入).

One row per quantity break: SKU, 起订量 (empty = 1), 含税单价 (未税单价 for a list of prices
without VAT), 最低价. Every row is checked first with the rules of ``set_price``
(:func:`~.price_lists.price_errors`: unknown SKU, product no longer sold or prohibited,
quantity not above zero, minimum price above the price…), so the report names every bad
cell at once. With any error nothing is written; otherwise every changed price goes
through ``set_price``'s write path (``store_prices``) in one transaction: each is audited on
the list as ``set_price``, and one ``import_prices`` entry on the list names the file.

Rows that change nothing are counted and skipped (even for a product no longer sold), so
importing an export of the list again changes nothing. Products and the list's prices are
read once, in bulk, under the list's lock, and written in bulk statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.catalog import selectors as catalog_selectors
from orderdesk.core import audit, permissions
from orderdesk.core.spreadsheets import (
    ImportReport,
    Row,
    RowError,
    Sheet,
    cell_errors,
    parse_decimal,
    require_columns,
    unknown_column_warnings,
)

from .. import selectors, spreadsheets
from ..models import PriceList, PriceListItem
from .price_lists import ITEM_FIELDS, MANAGE, price_errors, store_prices

MAX_ROWS = 10_000
ONE = Decimal(1)


@dataclass
class PriceImportReport(ImportReport):
    created: int = 0
    """Quantity breaks added to the list."""
    updated: int = 0
    """Quantity breaks whose price or minimum price changed."""
    unchanged: int = 0
    """Rows stating a price the list already has."""


@dataclass
class Candidate:
    """One checked row: the price (new, or the list's, changed) and what the row changes;
    nothing when the row states the price the list already has."""

    row: Row
    item: PriceListItem
    changes: audit.Changes
    new: bool


def import_prices(
    price_list: PriceList, data: bytes, filename: str, *, by: Any
) -> PriceImportReport:
    """Set prices of ``price_list`` from an .xlsx or .csv file (at most 10,000 rows).

    A row whose SKU and quantity match a price of the list changes it; another adds a
    quantity break. Without a 最低价 column the minimum prices stay as they are; an empty
    最低价 cell removes one. All or nothing. Needs ``pricing.manage_prices``.
    """
    permissions.require(by, MANAGE)
    sheet = spreadsheets.read_sheet(data, filename, max_rows=MAX_ROWS)
    price_field = spreadsheets.price_column(price_list.prices_include_tax)
    report = PriceImportReport(filename=filename, rows=len(sheet.rows))
    report.errors += wrong_basis(sheet, price_list)
    if report.errors:
        return report
    require_columns(sheet, ("sku", price_field))
    report.warnings += unknown_column_warnings(sheet)
    with transaction.atomic():
        price_list = selectors.lock_price_list(price_list.pk)
        candidates = check_rows(sheet, price_list, price_field, report)
        changed = [c for c in candidates if c.changes]
        report.unchanged = len(candidates) - len(changed)
        if report.errors or not changed:
            return report
        store_prices(price_list, [(c.item, c.changes) for c in changed], by=by)
        report.created = sum(1 for c in changed if c.new)
        report.updated = len(changed) - report.created
        audit.record(
            price_list,
            "import_prices",
            by=by,
            changes={
                "file": (None, filename),
                "created": (None, report.created),
                "updated": (None, report.updated),
            },
        )
    return report


def wrong_basis(sheet: Sheet, price_list: PriceList) -> list[RowError]:
    """A price column of the other tax basis than the list's is refused, not converted."""
    expected = spreadsheets.price_column(price_list.prices_include_tax)
    other = spreadsheets.price_column(not price_list.prices_include_tax)
    if other not in sheet.columns or expected in sheet.columns:
        return []
    if price_list.prices_include_tax:
        message = _("Price list %(code)s holds prices including VAT; name the column %(header)s.")
    else:
        message = _("Price list %(code)s holds prices without VAT; name the column %(header)s.")
    values = {"code": price_list.code, "header": spreadsheets.HEADERS[expected]}
    return [RowError(1, sheet.columns[other], message % values)]


def check_rows(
    sheet: Sheet, price_list: PriceList, price_field: str, report: ImportReport
) -> list[Candidate]:
    """Validate every row without writing; record the errors; return the rows."""
    products = catalog_selectors.products_by_sku(row.values.get("sku", "") for row in sheet.rows)
    items = {
        (item.product_id, item.min_quantity): item
        for item in PriceListItem.objects.filter(price_list=price_list)
    }
    first_row: dict[tuple[int, Decimal], int] = {}
    candidates: list[Candidate] = []

    def column_of(name: str) -> str:
        return {"product": "sku", "unit_price": price_field}.get(name, name)

    for row in sheet.rows:
        values, errors = row_values(row, sheet, price_field)
        sku = row.values.get("sku", "").strip().upper()
        product = products.get(sku)
        if not sku:
            errors["product"] = _("Enter the SKU.")
        elif product is None:
            errors["product"] = _("No product has the SKU %(sku)s.") % {"sku": sku}
        quantity = values.get("min_quantity", ONE)
        if product is not None and "min_quantity" not in errors:
            first = first_row.setdefault((product.pk, quantity), row.number)
            if first != row.number:
                errors["min_quantity"] = _("Same SKU and quantity as row %(row)d.") % {"row": first}
        if errors or product is None:
            report.errors += cell_errors(row.number, sheet, errors, column_of)
            continue
        values["min_quantity"] = quantity
        existing = items.get((product.pk, quantity))
        item = existing or PriceListItem(price_list=price_list)
        item.product = product
        before = audit.snapshot(item, ITEM_FIELDS) if existing else {}
        for name, value in values.items():
            setattr(item, name, value)
        changes = audit.diff(before, audit.snapshot(item, ITEM_FIELDS))
        if changes:
            errors = price_errors(item, product)
            report.errors += cell_errors(row.number, sheet, errors, column_of)
        candidates.append(Candidate(row, item, changes, new=existing is None))
    report.sort()
    return candidates


def row_values(row: Row, sheet: Sheet, price_field: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The row's cells as ``set_price`` values, and the cells that cannot be read."""
    cells = row.values
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if "min_quantity" in cells:
        try:
            values["min_quantity"] = parse_decimal(cells["min_quantity"], units=())
        except InvalidOperation:
            errors["min_quantity"] = _("Enter a quantity, e.g. 1 or 100.")
    if price_field in cells:
        try:
            values["unit_price"] = parse_decimal(cells[price_field])
        except InvalidOperation:
            errors["unit_price"] = _("Enter a price in yuan, e.g. 1280 or 99.50.")
    else:
        errors["unit_price"] = _("Enter the price.")
    if "floor_price" in cells:
        try:
            values["floor_price"] = parse_decimal(cells["floor_price"])
        except InvalidOperation:
            errors["floor_price"] = _("Enter a price in yuan, e.g. 1280 or 99.50.")
    elif "floor_price" in sheet.columns:
        values["floor_price"] = None
    return values, errors

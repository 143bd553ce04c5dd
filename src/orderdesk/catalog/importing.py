"""Importing products from a spreadsheet (产品批量导入): new SKUs are created, known SKUs
updated.

Every row is checked first with the rules of a product entered by hand
(``validation.clean_product``), so the report names every bad cell at once: row number as
Excel shows it, the header as written in the file, and the message. With any error nothing
is written. Otherwise the checked products are saved in the same transaction through the
write path of ``services.create_product`` and ``services.update_product``
(``insert_products``, ``store_product_changes``), so each gets the audit entry of the product
page; an update states the file as its reason. Rows that change nothing are counted, not
written, so importing an export again changes nothing.

Categories and the existing products are read once, in bulk (the products locked for the
transaction), and the writes are bulk statements: 5,000 rows take seconds.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import DomainError
from orderdesk.core.spreadsheets import (
    ImportReport,
    Row,
    Sheet,
    cell_errors,
    parse_decimal,
    parse_yes_no,
    require_columns,
    unknown_column_warnings,
)

from . import selectors, services, spreadsheets
from .models import Category, Product
from .validation import PRODUCT_FIELDS, clean_product

MAX_ROWS = 10_000
MANAGE = selectors.MANAGE
TEXT_FIELDS = ("sku", "name", "unit", "tax_rate")
# An empty cell in these columns empties the field; elsewhere it leaves the field as it is
# (a new product gets the default, or the "required" message).
CLEARABLE_TEXT = ("spec", "model_number", "description")
MAX_FILENAME_IN_REASON = 200


@dataclass
class ProductImportReport(ImportReport):
    created: list[Product] = field(default_factory=list)
    updated: list[Product] = field(default_factory=list)
    unchanged: int = 0
    """Rows naming an existing product with the data it already has."""


@dataclass
class Candidate:
    """One checked row: the validated product (new and unsaved, or existing and locked) and
    what the row changes in it."""

    row: Row
    product: Product
    changes: audit.Changes
    """For an existing product; empty when the row changes nothing."""
    is_new: bool


def import_products(data: bytes, filename: str, *, by: Any) -> ProductImportReport:
    """Create and update products from an .xlsx or .csv file (at most 10,000 rows).

    The SKU column decides: a known SKU updates that product (only the columns the file
    has), an unknown one creates a product. All or nothing: with any bad row nothing is
    written. Needs ``catalog.manage_products``.
    """
    permissions.require(by, MANAGE)
    sheet = spreadsheets.read_sheet(data, filename, max_rows=MAX_ROWS)
    require_columns(sheet, ("sku",))
    report = ProductImportReport(filename=filename, rows=len(sheet.rows))
    report.warnings += unknown_column_warnings(sheet)
    reason = _("Import update from %(file)s") % {"file": filename[:MAX_FILENAME_IN_REASON]}
    candidates: list[Candidate] = []
    try:
        with transaction.atomic():
            candidates = check_rows(sheet, report)
            report.unchanged = sum(1 for c in candidates if not c.is_new and not c.changes)
            if report.errors:
                return report
            new = [c.product for c in candidates if c.is_new]
            changed = [(c.product, c.changes) for c in candidates if c.changes]
            if not new and not changed:
                return report
            report.created = services.insert_products(new, by=by)
            services.store_product_changes(changed, by=by, reason=reason)
            report.updated = [product for product, _changes in changed]
            audit.record(
                by,
                "import_products",
                by=by,
                changes={
                    "file": (None, filename),
                    "created": (None, len(report.created)),
                    "updated": (None, len(report.updated)),
                },
            )
    except DomainError as error:
        # Rows were checked above; only a new SKU saved meanwhile by someone else lands
        # here. Everything is rolled back; the rows with that SKU are reported.
        report.created, report.updated = [], []
        taken = selectors.products_by_sku(c.product.sku for c in candidates if c.is_new)
        rows = [c.row.number for c in candidates if c.is_new and c.product.sku in taken] or [1]
        for row in rows:
            report.errors += cell_errors(row, sheet, error.fields or {"sku": str(error.message)})
    return report


def check_rows(sheet: Sheet, report: ImportReport) -> list[Candidate]:
    """Validate every row without writing; record the errors; return the rows. Products
    the file names are read (and locked) in bulk, so checking costs a few queries."""
    categories = CategoryIndex(selectors.categories())
    skus = (row.values.get("sku", "") for row in sheet.rows)
    existing = selectors.products_by_sku(skus, lock=True)
    first_row_of_sku: dict[str, int] = {}
    candidates: list[Candidate] = []
    for row in sheet.rows:
        values, errors = row_values(row, sheet, categories)
        sku = values.get("sku", "").strip().upper()
        if sku:
            first = first_row_of_sku.setdefault(sku, row.number)
            if first != row.number:
                errors["sku"] = _("Same SKU as row %(row)d.") % {"row": first}
        product = existing.get(sku) if "sku" not in errors else None
        if product is None:
            product = Product()
            errors = clean_product(product, values) | errors
            changes: audit.Changes = {}
        else:
            before = audit.snapshot(product, PRODUCT_FIELDS)
            errors = clean_product(product, values) | errors
            changes = audit.diff(before, audit.snapshot(product, PRODUCT_FIELDS))
        report.errors += cell_errors(row.number, sheet, errors)
        candidates.append(Candidate(row, product, changes, is_new=product.pk is None))
    report.sort()
    return candidates


def row_values(
    row: Row, sheet: Sheet, categories: CategoryIndex
) -> tuple[dict[str, Any], dict[str, str]]:
    """The row's cells as ``create_product`` / ``update_product`` arguments, and the cells
    that cannot be read."""
    cells = row.values
    values: dict[str, Any] = {name: cells[name] for name in TEXT_FIELDS if name in cells}
    errors: dict[str, str] = {}
    for name in CLEARABLE_TEXT:
        if name in sheet.columns:
            values[name] = cells.get(name, "")
    category_text = cells.get("category") or cells.get("category_name")
    if category_text:
        category, problem = categories.find(category_text)
        if category is not None:
            values["category"] = category
        else:
            errors["category" if "category" in cells else "category_name"] = problem
    for name, column in spreadsheets.CHOICE_COLUMNS.items():
        if name in cells:
            value = column.value(cells[name])
            if value is None:
                errors[name] = column.unknown(cells[name])
            else:
                values[name] = value
    if "lead_time_days" in cells:
        try:
            days = parse_decimal(cells["lead_time_days"], units=("个工作日", "工作日", "天"))
            if days != days.to_integral_value():
                raise InvalidOperation
            values["lead_time_days"] = int(days)
        except InvalidOperation:
            errors["lead_time_days"] = _("Enter whole working days, e.g. 5.")
    if "is_active" in cells:
        active = parse_yes_no(cells["is_active"])
        if active is None:
            errors["is_active"] = _("Write 是 (active) or 否 (inactive).")
        else:
            values["is_active"] = active
    if "weight_kg" in cells:
        try:
            values["weight_kg"] = parse_decimal(cells["weight_kg"], units=("kg", "千克", "公斤"))
        except InvalidOperation:
            errors["weight_kg"] = _("Enter the weight in kg, e.g. 12.5.")
    elif "weight_kg" in sheet.columns:
        values["weight_kg"] = None
    return values, errors


class CategoryIndex:
    """Categories by code or by name, read once for the whole file."""

    def __init__(self, categories: Iterable[Category]) -> None:
        self.by_code: dict[str, Category] = {}
        self.by_name: dict[str, list[Category]] = {}
        for category in categories:
            self.by_code[category.code.lower()] = category
            self.by_name.setdefault(name_key(category.name), []).append(category)

    def find(self, text: str) -> tuple[Category | None, str]:
        """The category a cell names (its code, else its name), or why none."""
        if found := self.by_code.get(text.strip().lower()):
            return found, ""
        named = self.by_name.get(name_key(text), [])
        if len(named) == 1:
            return named[0], ""
        if named:
            codes = "、".join(category.code for category in named)
            return None, _(
                "Several categories are named %(name)s; write the code instead (%(codes)s)."
            ) % {"name": text, "codes": codes}
        return None, _("No category has the code or name %(value)s.") % {"value": text}


def name_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()

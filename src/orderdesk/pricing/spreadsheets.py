"""The price list spreadsheet format (价格表导入导出): its columns.

Reading and writing the files is ``core.spreadsheets``; this module says what a price list
file holds: one quantity break per row (SKU, 起订量, 含税单价, 最低价). A list of prices
without VAT names its price column 未税单价 instead; a file whose price column says the
other basis is refused, so net prices never land in a gross list. The product's name, spec
and unit are written for people to read and ignored by the import.

Headers are a file format, not interface text, so they are fixed here.
"""

from __future__ import annotations

from orderdesk.core import spreadsheets
from orderdesk.core.spreadsheets import Column, Sheet, SheetFormat

COLUMNS: tuple[Column, ...] = (
    ("sku", "SKU", ("产品编码", "编码", "物料编码", "产品代码", "货号")),
    ("name", "产品名称", ("名称", "品名")),
    ("spec", "规格", ("产品规格",)),
    ("unit", "单位", ("计量单位",)),
    ("min_quantity", "起订量", ("起订数量", "数量", "起始数量", "最小数量", "数量从")),
    ("unit_price", "含税单价", ("单价", "价格", "售价", "含税价", "含税价格")),
    ("net_unit_price", "未税单价", ("不含税单价", "未税价", "不含税价", "净价")),
    ("floor_price", "最低价", ("最低售价", "底价", "最低限价", "最低单价")),
)
FORMAT = SheetFormat(COLUMNS)
HEADERS = FORMAT.headers
# Cells the export writes for people and the import ignores.
FOR_READING = ("name", "spec", "unit")


def price_column(prices_include_tax: bool) -> str:
    """The field of the price column for a list's tax basis."""
    return "unit_price" if prices_include_tax else "net_unit_price"


def read_sheet(data: bytes, filename: str, *, max_rows: int) -> Sheet:
    """A price list file read by the shared reader (``core.spreadsheets.read_sheet``)."""
    return spreadsheets.read_sheet(data, filename, FORMAT, max_rows=max_rows)

"""The product spreadsheet format (产品导入导出): its columns and the words of its choices.

Reading and writing the files is ``core.spreadsheets``; this module says what a product
file holds. The export writes these Chinese headers, so an exported file can be edited and
imported again; English field names (``sku``, ``lead_time_days``) are accepted too.

Headers and choice words are a file format, not interface text: a file must read the same
whatever the language of the person importing it, so they are fixed here.
"""

from __future__ import annotations

from decimal import Decimal

from orderdesk.core import spreadsheets
from orderdesk.core.spreadsheets import ChoiceColumn, Column, Sheet, SheetFormat

from .models import SalesKind, Supply

COLUMNS: tuple[Column, ...] = (
    ("sku", "SKU", ("产品编码", "编码", "物料编码", "产品代码", "货号")),
    ("name", "产品名称", ("名称", "品名", "产品")),
    ("spec", "规格", ("产品规格",)),
    ("model_number", "型号", ("产品型号",)),
    ("category", "分类", ("产品分类", "分类编码", "类别")),
    # Written by the export for people to read; the import takes the category from 分类, or
    # from this column when the file has no 分类.
    ("category_name", "分类名称", ("类别名称",)),
    ("unit", "单位", ("计量单位",)),
    ("tax_rate", "税率", ("增值税率", "增值税税率")),
    ("lead_time_days", "交货期(工作日)", ("交期", "标准交货期", "标准交期")),
    ("sales_kind", "销售类型", ("销售类别",)),
    ("supply", "生产方式", ("供应方式",)),
    ("is_active", "启用", ("是否启用", "状态")),
    ("weight_kg", "重量(kg)", ("单重",)),
    ("description", "说明", ("描述", "备注", "产品说明")),
)
FORMAT = SheetFormat(COLUMNS)
HEADERS = FORMAT.headers

SALES_KIND = ChoiceColumn(
    SalesKind,
    {SalesKind.NORMAL: "常规", SalesKind.CUSTOM: "定制", SalesKind.PROHIBITED: "禁售"},
    {
        "常规销售品": "normal",
        "常规品": "normal",
        "标准品": "normal",
        "正常": "normal",
        "特殊定制品": "custom",
        "特殊定制": "custom",
        "定制品": "custom",
        "非标": "custom",
        "禁止销售": "prohibited",
        "禁止": "prohibited",
    },
)
SUPPLY = ChoiceColumn(
    Supply,
    {Supply.MAKE_TO_STOCK: "备货生产", Supply.MAKE_TO_ORDER: "按单生产"},
    {"备货": "make_to_stock", "库存生产": "make_to_stock", "按单": "make_to_order"},
)
CHOICE_COLUMNS = {"sales_kind": SALES_KIND, "supply": SUPPLY}


def read_sheet(data: bytes, filename: str, *, max_rows: int) -> Sheet:
    """A product file read by the shared reader (``core.spreadsheets.read_sheet``)."""
    return spreadsheets.read_sheet(data, filename, FORMAT, max_rows=max_rows)


def tax_rate_text(rate: Decimal) -> str:
    """0.13 -> ``13%``, as people write VAT rates (the import reads it back)."""
    return f"{(Decimal(rate) * 100).normalize():f}%"

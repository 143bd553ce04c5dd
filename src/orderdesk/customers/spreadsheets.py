"""The customer spreadsheet format: reading .xlsx / .csv files into rows, writing .xlsx.

Sales keep customer lists in Excel, so the import reads what Excel writes: .xlsx workbooks
(openpyxl in read-only mode, which streams the sheet instead of building every cell) and
.csv files in UTF-8, with or without a BOM, or in GB18030, the code page Excel uses for CSV on
Chinese Windows. Column headers are accepted in Chinese or English (客户名称 or ``name``); the
export writes the Chinese headers, so an exported file can be edited and imported again.

The headers and the words for type, status and source channel are a file format, not
interface text: a file must read the same whatever the language of the person importing it,
so they are fixed here rather than translated.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

from django.utils.translation import gettext as _

from orderdesk.core.errors import ValidationFailed

from .models import CustomerStatus, CustomerType, SourceChannel

EXTENSIONS = (".xlsx", ".csv")

# (field, the Chinese header the export writes, other accepted spellings). Fields starting
# with ``contact_`` describe the customer's primary contact.
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("code", "客户编号", ("编号", "客户代码")),
    ("name", "客户名称", ("名称", "客户", "公司名称", "客户全称")),
    ("short_name", "简称", ("客户简称",)),
    ("type", "类型", ("客户类型",)),
    ("status", "状态", ("客户状态",)),
    ("industry", "行业", ("所属行业",)),
    ("business_scope", "经营范围", ()),
    ("uscc", "统一社会信用代码", ("信用代码", "社会信用代码", "统一信用代码")),
    ("phone", "电话", ("公司电话", "座机", "固定电话")),
    ("website", "网站", ("网址", "官网")),
    ("province", "省份", ("省", "省市", "所在省份")),
    ("city", "城市", ("市", "所在城市")),
    ("district", "区县", ("区", "县", "区/县")),
    ("address", "地址", ("注册地址", "详细地址")),
    ("invoice_title", "开票抬头", ("发票抬头",)),
    ("tax_number", "税号", ("纳税人识别号",)),
    ("bank_name", "开户行", ("开户银行",)),
    ("bank_account", "银行账号", ("账号", "银行帐号", "开户账号")),
    ("cooperation_intent", "合作意向", ()),
    ("first_product", "首单产品", ("首次合作产品",)),
    ("expected_amount", "预计金额", ("预计合作金额", "预计金额(元)")),
    ("source_channel", "来源", ("客户来源", "来源渠道")),
    ("owner", "负责人", ("业务员", "销售", "负责销售")),
    ("contact_name", "联系人", ("联系人姓名",)),
    ("contact_title", "职务", ("联系人职务",)),
    ("contact_mobile", "手机", ("手机号", "联系人手机", "手机号码")),
    ("contact_phone", "联系人电话", ()),
    ("contact_email", "邮箱", ("电子邮箱", "联系人邮箱", "邮件", "e-mail")),
)
HEADERS = {name: header for name, header, _aliases in COLUMNS}

# Words a spreadsheet may use for the choice fields, besides the stored values and the
# English labels (both accepted too).
TYPE_WORDS = {CustomerType.COMPANY: "公司", CustomerType.INDIVIDUAL: "个人"}
STATUS_WORDS = {
    CustomerStatus.PROSPECT: "潜在客户",
    CustomerStatus.ACTIVE: "合作中",
    CustomerStatus.DORMANT: "休眠",
    CustomerStatus.BLACKLISTED: "黑名单",
}
SOURCE_WORDS = {
    SourceChannel.TRADE_SHOW: "展会",
    SourceChannel.REFERRAL: "转介绍",
    SourceChannel.WEBSITE: "官网",
    SourceChannel.ECOMMERCE: "电商平台",
    SourceChannel.COLD_CALL: "电话开发",
    SourceChannel.EXISTING: "老客户",
    SourceChannel.TENDER: "招标",
    SourceChannel.OTHER: "其他",
}
CHOICE_WORDS: dict[str, dict[Any, str]] = {
    "type": TYPE_WORDS,
    "status": STATUS_WORDS,
    "source_channel": SOURCE_WORDS,
}
CHOICE_SYNONYMS: dict[str, dict[str, str]] = {
    "type": {"企业": "company", "单位": "company", "个体": "individual", "自然人": "individual"},
    "status": {
        "潜在": "prospect",
        "意向客户": "prospect",
        "合作": "active",
        "活跃": "active",
        "正常": "active",
        "休眠客户": "dormant",
        "停用": "dormant",
    },
    "source_channel": {
        "展会": "trade_show",
        "介绍": "referral",
        "朋友介绍": "referral",
        "客户介绍": "referral",
        "网站": "website",
        "电商": "ecommerce",
        "电话": "cold_call",
        "陌拜": "cold_call",
        "电话营销": "cold_call",
        "老关系": "existing",
        "投标": "tender",
        "其它": "other",
    },
}
CHOICES = {"type": CustomerType, "status": CustomerStatus, "source_channel": SourceChannel}

_BRACKETED = re.compile(r"[(（\[【].*?[)）\]】]")
_IGNORED_IN_HEADERS = re.compile(r"[\s*＊:：_\-]+")


def header_key(text: str) -> str:
    """How headers are compared: width, case, spaces, required-markers and (notes) ignored."""
    text = unicodedata.normalize("NFKC", text or "")
    return _IGNORED_IN_HEADERS.sub("", _BRACKETED.sub("", text)).lower()


FIELD_BY_HEADER: dict[str, str] = {}
for _field, _header, _aliases in COLUMNS:
    for _spelling in (_field, _field.replace("_", " "), _header, *_aliases):
        FIELD_BY_HEADER.setdefault(header_key(_spelling), _field)


def choice_value(name: str, text: str) -> str | None:
    """The stored value for a word in a choice column (公司, company, Company…), or None."""
    key = header_key(text)
    for value, word in CHOICE_WORDS[name].items():
        if key in (header_key(word), header_key(str(value))):
            return str(value)
    for value, label in CHOICES[name].choices:
        if key == header_key(str(label)):
            return str(value)
    return CHOICE_SYNONYMS[name].get(key)


def choice_word(name: str, value: str) -> str:
    """The word the export writes for a stored choice value."""
    return CHOICE_WORDS[name].get(value, value)


@dataclass
class Row:
    """One data row: its spreadsheet row number (the header is row 1) and its non-empty
    cells as text, keyed by field name."""

    number: int
    values: dict[str, str]


@dataclass
class Sheet:
    headers: list[str]
    """The headers as written in the file, in order."""
    columns: dict[str, str] = field(default_factory=dict)
    """Field name -> the header as written, for the columns we understand."""
    unknown: list[str] = field(default_factory=list)
    """Headers we do not understand (their cells are ignored)."""
    rows: list[Row] = field(default_factory=list)

    def column(self, name: str) -> str:
        """The header of a field as the file writes it, else the one we would write."""
        return self.columns.get(name) or HEADERS.get(name, name)


def not_a_spreadsheet() -> ValidationFailed:
    return ValidationFailed(
        _("This file is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file."),
        code="not_a_spreadsheet",
        fields={"file": _("Choose an .xlsx or .csv file.")},
    )


def read_sheet(data: bytes, filename: str, *, max_rows: int) -> Sheet:
    """Read the first worksheet of an .xlsx, or a .csv file, into a :class:`Sheet`.

    Empty rows are skipped without renumbering the others, so row numbers match what Excel
    shows. More than ``max_rows`` data rows are refused before any row is checked.
    """
    name = (filename or "").lower()
    if not name.endswith(EXTENSIONS) or not data:
        raise not_a_spreadsheet()
    cells = read_xlsx(data) if name.endswith(".xlsx") else read_csv(data)
    numbered = enumerate(cells, start=1)
    header_cells = next(numbered, (1, []))[1]
    if not any(header_cells):
        raise ValidationFailed(
            _("The first row of the spreadsheet must hold the column headers."),
            code="empty_spreadsheet",
            fields={"file": _("No column headers in row 1.")},
        )
    sheet = Sheet(headers=list(header_cells))
    positions: list[tuple[int, str]] = []
    for position, header in enumerate(sheet.headers):
        if not header:
            continue
        known = FIELD_BY_HEADER.get(header_key(header))
        if known is None or known in sheet.columns:
            sheet.unknown.append(header)
            continue
        sheet.columns[known] = header
        positions.append((position, known))
    for number, row in numbered:
        values = {
            known: row[position]
            for position, known in positions
            if position < len(row) and row[position] != ""
        }
        if not values:
            continue
        if len(sheet.rows) >= max_rows:
            raise ValidationFailed(
                _(
                    "The file has more than %(max)d customer rows. Split it into files of "
                    "at most %(max)d rows and import them one by one."
                )
                % {"max": max_rows},
                code="too_many_rows",
                fields={"file": _("At most %(max)d rows per file.") % {"max": max_rows}},
            )
        sheet.rows.append(Row(number, values))
    return sheet


def read_xlsx(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise not_a_spreadsheet()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        worksheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign zip
        raise not_a_spreadsheet() from error
    # Some programs write a wrong sheet size (e.g. A1:A1); forgetting it makes openpyxl read
    # every row the file holds instead of stopping early.
    worksheet.reset_dimensions()
    return _xlsx_rows(workbook, worksheet)


def _xlsx_rows(workbook: Any, worksheet: Any) -> Iterator[list[str]]:
    try:
        for values in worksheet.iter_rows(min_row=1, values_only=True):
            yield [cell_text(value) for value in values]
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise not_a_spreadsheet() from error
    finally:
        workbook.close()


def read_csv(data: bytes) -> Iterator[list[str]]:
    if b"\x00" in data[:4096]:  # a binary file (image, PDF, old .xls) renamed to .csv
        raise not_a_spreadsheet()
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    return (
        [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    )


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (Excel's CSV on Chinese Windows)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise not_a_spreadsheet() from error


def cell_text(value: Any) -> str:
    """A cell as the text a person sees: whole numbers without ``.0``, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# --- writing ------------------------------------------------------------------------------

# Characters the .xlsx XML cannot hold (control characters pasted from other programs).
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
    sample: int = 500,
) -> bytes:
    """Write one sheet: bold header row, frozen below it, column widths fitted to the
    headers and the first ``sample`` rows. Rows are streamed (openpyxl write-only mode), so
    a long export never holds every cell in memory at once."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=title[:31])
    rows = iter(rows)
    first = [list(row) for row in islice(rows, sample)]
    for index, header in enumerate(headers):
        width = max([display_width(header), *(display_width(row[index]) for row in first)])
        worksheet.column_dimensions[get_column_letter(index + 1)].width = min(width + 2, 60)
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def header_cell(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(worksheet, value=text)
        cell.font = bold
        return cell

    def data_cell(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        cell = WriteOnlyCell(worksheet, value=_ILLEGAL.sub("", value))
        # A name like "=HYPERLINK(…)" stays text: never let data become a formula.
        cell.data_type = "s"
        return cell

    worksheet.append([header_cell(header) for header in headers])
    for row in first:
        worksheet.append([data_cell(value) for value in row])
    for rest in rows:
        worksheet.append([data_cell(value) for value in rest])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def display_width(value: Any) -> int:
    """Columns a value takes in Excel: Chinese characters count double."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)

"""Spreadsheet files for imports and exports: reading .xlsx / .csv into rows, writing .xlsx.

People keep customer lists, product lists and price lists in Excel, so imports read what
Excel writes: .xlsx workbooks (openpyxl in read-only mode, which streams the sheet instead of
building every cell) and .csv files in UTF-8, with or without a BOM, or in GB18030, the code
page Excel uses for CSV on Chinese Windows. Exports write .xlsx in openpyxl's write-only mode.

Each kind of file is described by a :class:`SheetFormat`: a table of columns (field, the
Chinese header the export writes, other accepted spellings). Headers are compared by
:func:`header_key`, so 客户名称, ``客户名称*`` and ``Name`` all find their field. Headers and
choice words are a file format, not interface text: a file must read the same whatever the
language of the person importing it, so apps fix them in their ``spreadsheets.py`` rather
than translating them.

Also here: the report shapes every import returns (:class:`RowError`, :class:`ImportReport`)
and small readers for cells (numbers, yes/no) that every import needs alike.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any, TypeVar

from django.http import HttpResponse
from django.utils.translation import gettext as _

from .errors import ValidationFailed

EXTENSIONS = (".xlsx", ".csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Column = tuple[str, str, tuple[str, ...]]
"""(field, the Chinese header the export writes, other accepted spellings)."""

T = TypeVar("T")

_BRACKETED = re.compile(r"[(（\[【].*?[)）\]】]")
_IGNORED_IN_HEADERS = re.compile(r"[\s*＊:：_\-]+")


def header_key(text: str) -> str:
    """How headers are compared: width, case, spaces, required-markers and (notes) ignored."""
    text = unicodedata.normalize("NFKC", text or "")
    return _IGNORED_IN_HEADERS.sub("", _BRACKETED.sub("", text)).lower()


class SheetFormat:
    """The columns of one kind of file, and how a header written in a file finds its field.

    A field is found by its header, any alias, its own name (``lead_time_days``) or that
    name with spaces (``lead time days``); the first column claiming a spelling keeps it.
    """

    def __init__(self, columns: Iterable[Column]) -> None:
        self.columns: tuple[Column, ...] = tuple(columns)
        self.headers: dict[str, str] = {name: header for name, header, _aliases in self.columns}
        self.field_by_header: dict[str, str] = {}
        for name, header, aliases in self.columns:
            for spelling in (name, name.replace("_", " "), header, *aliases):
                self.field_by_header.setdefault(header_key(spelling), name)

    def header(self, name: str) -> str:
        """The header the export writes for a field."""
        return self.headers.get(name, name)

    def field_for(self, header: str) -> str | None:
        return self.field_by_header.get(header_key(header))


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
    layout: SheetFormat
    columns: dict[str, str] = field(default_factory=dict)
    """Field name -> the header as written, for the columns we understand."""
    unknown: list[str] = field(default_factory=list)
    """Headers we do not understand (their cells are ignored)."""
    rows: list[Row] = field(default_factory=list)

    def column(self, name: str) -> str:
        """The header of a field as the file writes it, else the one we would write."""
        return self.columns.get(name) or self.layout.header(name)


@dataclass(frozen=True)
class RowError:
    """A problem in one cell: spreadsheet row (the header is row 1), header as written."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportReport:
    """What an import found; each import adds what it wrote (created, updated…)."""

    filename: str
    rows: int = 0
    """Data rows read (empty rows not counted)."""
    errors: list[RowError] = field(default_factory=list)
    """Problems that keep a row out."""
    warnings: list[RowError] = field(default_factory=list)
    """Reported, but the rows are still imported (ignored columns, possible duplicates)."""

    @property
    def invalid_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors

    def sort(self) -> None:
        """Errors and warnings in row order (stable: a row's cells keep their order)."""
        self.errors.sort(key=lambda error: error.row)
        self.warnings.sort(key=lambda error: error.row)

    def refuse_if_invalid(self) -> None:
        """For the API: a report with row errors leaves as a 422 (:class:`InvalidRows`)."""
        if self.errors:
            raise InvalidRows(self.errors)


class InvalidRows(ValidationFailed):
    """Rows of an imported file broke the rules; nothing was imported. ``fields`` names each
    cell (``rows.3.税率``); the API body also lists them as ``rows``: {row, column, message}."""

    default_code = "invalid_rows"

    def __init__(self, errors: Sequence[RowError]) -> None:
        rows = sorted({error.row for error in errors})
        super().__init__(
            _(
                "%(count)d row(s) of the file have errors; nothing was imported. Correct the "
                "cells named and import the file again."
            )
            % {"count": len(rows)},
            fields=error_fields(errors),
        )
        self.rows = list(errors)

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "rows": [error.as_dict() for error in self.rows]}


# --- reading ------------------------------------------------------------------------------


def not_a_spreadsheet() -> ValidationFailed:
    return ValidationFailed(
        _("This file is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file."),
        code="not_a_spreadsheet",
        fields={"file": _("Choose an .xlsx or .csv file.")},
    )


def read_sheet(data: bytes, filename: str, layout: SheetFormat, *, max_rows: int) -> Sheet:
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
    sheet = Sheet(headers=list(header_cells), layout=layout)
    positions: list[tuple[int, str]] = []
    for position, header in enumerate(sheet.headers):
        if not header:
            continue
        known = layout.field_for(header)
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
                    "The file has more than %(max)d rows. Split it into files of at most "
                    "%(max)d rows and import them one by one."
                )
                % {"max": max_rows},
                code="too_many_rows",
                fields={"file": _("At most %(max)d rows per file.") % {"max": max_rows}},
            )
        sheet.rows.append(Row(number, values))
    return sheet


def require_columns(sheet: Sheet, names: Sequence[str]) -> None:
    """Refuse a file that lacks a column no row can do without."""
    missing = [sheet.layout.header(name) for name in names if name not in sheet.columns]
    if missing:
        headers = "、".join(missing)
        raise ValidationFailed(
            _("The spreadsheet needs the column(s) %(headers)s in row 1.") % {"headers": headers},
            code="missing_columns",
            fields={"file": _("Missing column(s): %(headers)s.") % {"headers": headers}},
        )


def unknown_column_warnings(sheet: Sheet) -> list[RowError]:
    return [
        RowError(1, header, _("Column not recognised or repeated; its cells were ignored."))
        for header in sheet.unknown
    ]


def cell_errors(
    row: int,
    sheet: Sheet,
    errors: Mapping[str, str],
    column_of: Callable[[str], str] = str,
) -> list[RowError]:
    """Field errors of the services, placed in the file's columns (``column_of`` maps a
    service's field name to the column's field when they differ)."""
    return [
        RowError(row, sheet.column(column_of(name)), message) for name, message in errors.items()
    ]


def error_fields(errors: Iterable[RowError]) -> dict[str, str]:
    """Row errors as API field errors: ``rows.3.税率`` -> message (a cell's messages joined),
    the shape of ``DomainError.fields``."""
    fields: dict[str, str] = {}
    for error in errors:
        key = f"rows.{error.row}.{error.column}"
        fields[key] = f"{fields[key]} {error.message}" if key in fields else error.message
    return fields


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


# --- reading cells ------------------------------------------------------------------------

_NUMBER_NOISE = str.maketrans("", "", ",，¥￥ \u00a0")
YES_WORDS = frozenset(("是", "启用", "有效", "在售", "1", "y", "yes", "true", "✓", "√"))
NO_WORDS = frozenset(("否", "停用", "无效", "禁用", "0", "n", "no", "false", "✗", "×"))


def parse_decimal(text: str, *, units: Sequence[str] = ("元",)) -> Decimal:
    """A number as people type it in a cell: ``12,800.50``, ``¥1280``, ``50元``.

    Raises :class:`decimal.InvalidOperation` for anything else (including NaN, infinity).
    """
    cleaned = unicodedata.normalize("NFKC", text).translate(_NUMBER_NOISE).lower()
    for unit in units:
        cleaned = cleaned.removesuffix(unit.lower())
    number = Decimal(cleaned.strip())
    if not number.is_finite():
        raise InvalidOperation
    return number


def parse_yes_no(text: str) -> bool | None:
    """是/否, 启用/停用, 1/0, yes/no, true/false…; None when the word means neither."""
    key = header_key(text)
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    return None


def yes_no(value: bool) -> str:
    """The word the exports write for a flag."""
    return "是" if value else "否"


class ChoiceColumn:
    """A column holding a choice: the word the export writes for each stored value, and
    what the import accepts (those words, the stored values, the English labels and
    ``synonyms``: other words people use, mapped to stored values)."""

    def __init__(
        self,
        choices: Any,
        words: Mapping[Any, str],
        synonyms: Mapping[str, str] | None = None,
    ) -> None:
        self.choices = choices
        """A ``TextChoices`` class: its ``choices`` give the labels."""
        self.words = {str(value): word for value, word in words.items()}
        self.synonyms = {header_key(word): str(value) for word, value in (synonyms or {}).items()}

    def value(self, text: str) -> str | None:
        """The stored value for a word in the column (公司, company, Company…), or None."""
        key = header_key(text)
        for value, word in self.words.items():
            if key in (header_key(word), header_key(value)):
                return value
        for value, label in self.choices.choices:
            if key == header_key(str(label)):
                return str(value)
        return self.synonyms.get(key)

    def word(self, value: Any) -> str:
        """The word the export writes for a stored value."""
        return self.words.get(str(value), str(value))

    def unknown(self, text: str) -> str:
        """The message for a word the column does not know."""
        return _("Unknown value %(value)s; use one of: %(words)s.") % {
            "value": text,
            "words": "、".join(self.words.values()),
        }


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in slices of ``size``: bulk lookups stay under the database's parameter
    limit (SQLite allows 32,766 per query)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """A workbook as a download (``filename`` ASCII, e.g. ``products-20260615.xlsx``)."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def display_width(value: Any) -> int:
    """Columns a value takes in Excel: Chinese characters count double."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """An iterator in lists of ``size`` (exports read rows in chunks, then enrich each)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk

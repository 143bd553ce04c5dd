"""The monthly statement (对账单) as PDF and as an Excel workbook.

The PDF is built like the invoice and the collection notice (ReportLab, the embedded CJK
font and the layout helpers of ``orders.documents``): the company's letterhead, the
customer and the month, the figures, the lines between an opening and a closing balance
row, the closing balance in 人民币大写 and a reply box where the customer signs that the
balance agrees or notes what does not (回执).

The workbook holds the same table with real numbers (two decimals) and dates, so the
customer's accountant can tick it off against their books. It is written with openpyxl in
normal mode rather than ``core.spreadsheets.write_xlsx``, whose single-table sheet has no
room for the heading rows and number formats a statement needs; the width rule
(``display_width``) is shared. Both read only the stored snapshot, never the live figures.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from orderdesk.core.models import CompanyProfile
from orderdesk.core.money import capital, yuan
from orderdesk.core.spreadsheets import display_width
from orderdesk.orders.documents import (
    CONTENT_WIDTH,
    RULE,
    SHADE,
    day,
    header,
    key_values,
    paragraph_maker,
    render_a4,
    side_by_side,
    styles,
)

from .models import Statement, StatementStatus
from .statements import month_end, public_url

ZERO = Decimal(0)
AMOUNT_FORMAT = "#,##0.00;-#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"


def kind_label(kind: str) -> str:
    """What a line is, as the customer reads it."""
    labels = {
        "invoice": _("Invoice"),
        "credit_note": _("Credit note"),
        "void": _("Invoice voided"),
        "payment": _("Payment received"),
    }
    return str(labels.get(kind, kind))


def statement_filename(statement: Statement, extension: str) -> str:
    """ASCII file name: ``statement-C000123-202611.pdf``."""
    return f"statement-{statement.customer.code}-{statement.period:%Y%m}.{extension}"


def period_text(statement: Statement) -> str:
    return f"{day(statement.period)} – {day(month_end(statement.period))}"


def answer_text(statement: Statement) -> str:
    """How the customer answered, or "" while awaiting the answer."""
    if statement.status == StatementStatus.ISSUED or statement.responded_at is None:
        return ""
    when = day(timezone.localtime(statement.responded_at).date())
    if statement.status == StatementStatus.CONFIRMED:
        return _("Confirmed by {name} on {date}.").format(name=statement.responder_name, date=when)
    return _("Disputed by {name} on {date}: {reason}").format(
        name=statement.responder_name, date=when, reason=statement.response_note
    )


def amount(text: str) -> Decimal:
    return Decimal(text or "0")


# --- PDF ------------------------------------------------------------------------------------


def statement_pdf(statement: Statement, *, company: CompanyProfile | None = None) -> bytes:
    """The statement as PDF bytes."""
    company = company or CompanyProfile.objects.filter(pk=1).first()
    with translation.override(settings.LANGUAGE_CODE):
        style = styles()
        style["cell"] = ParagraphStyle("cell", parent=style["small"], wordWrap="CJK")
        style["cell_right"] = ParagraphStyle("cell_right", parent=style["cell"], alignment=TA_RIGHT)
        story = build_story(statement, company, style)
        footer = _("Statement {customer} {month} · page").format(
            customer=statement.customer.code, month=statement.month
        )
        return render_a4(
            story,
            title=_("Statement of account {month}").format(month=statement.month),
            footer=footer,
            company=company,
            subject=statement.customer.name,
        )


def build_story(
    statement: Statement, company: CompanyProfile | None, style: dict[str, ParagraphStyle]
) -> list[Flowable]:
    p = paragraph_maker(style)

    width = CONTENT_WIDTH
    customer = statement.customer
    story: list[Flowable] = []
    story += header(company, style, p)
    story.append(p(_("Statement of account"), "title"))
    story.append(
        key_values(
            [
                (_("To"), customer.name),
                (_("Customer code"), customer.code),
                (_("Period"), period_text(statement)),
                (_("Statement date"), day(timezone.localtime(statement.generated_at).date())),
            ],
            style,
            p,
            width,
        )
    )
    story.append(Spacer(1, 3 * mm))
    story.append(figures_table(statement, p, width))
    story.append(p(_("Details"), "heading"))
    story.append(lines_table(statement, p, width))
    story.append(Spacer(1, 2 * mm))
    closing = statement.closing_balance
    if closing < 0:
        words = _("You are in credit by {amount} (RMB {words}).").format(
            amount=yuan(-closing), words=capital(-closing)
        )
    else:
        words = _("Balance due: {amount} (RMB {words}).").format(
            amount=yuan(closing), words=capital(closing)
        )
    story.append(p(words, "right"))
    story.append(Spacer(1, 4 * mm))
    if answer := answer_text(statement):
        story.append(p(answer, "heading"))
    else:
        story.append(
            p(
                _(
                    "Please check this statement against your books. If it agrees, sign and "
                    "stamp the reply below; if not, note the differences. You can also answer "
                    "online: {url}"
                ).format(url=public_url(statement)),
                "small",
            )
        )
    story.append(reply_box(customer.name, style, p, width))
    return story


def figures_table(statement: Statement, p: Any, width: float) -> Table:
    labels = (
        _("Opening balance"),
        _("Invoiced"),
        _("Credit notes and voids"),
        _("Payments received"),
        _("Closing balance"),
    )
    values = (
        statement.opening_balance,
        statement.invoiced,
        statement.credited,
        statement.paid,
        statement.closing_balance,
    )
    table = Table(
        [
            [p(label, "label_right") for label in labels],
            [p(yuan(value), "right") for value in values],
        ],
        colWidths=[width / 5] * 5,
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("BOX", (0, 0), (-1, -1), 0.4, RULE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.4, RULE),
            ]
        )
    )
    return table


def lines_table(statement: Statement, p: Any, width: float) -> Table:
    """Date, kind, number, reference, order, debit, credit, balance in the small type, so a
    document number, an order number and ¥12,345,678.90 each fit on one line."""
    rows: list[list[Any]] = [
        [
            p(_("Date"), "label"),
            p(_("Kind"), "label"),
            p(_("Number"), "label"),
            p(_("Reference"), "label"),
            p(_("Order"), "label"),
            p(_("Debit"), "label_right"),
            p(_("Credit"), "label_right"),
            p(_("Balance"), "label_right"),
        ],
        [
            p(day(statement.period), "cell"),
            p(_("Opening balance"), "cell"),
            "",
            "",
            "",
            "",
            "",
            p(yuan(statement.opening_balance), "cell_right"),
        ],
    ]
    for line in statement.lines:
        rows.append(
            [
                p(line["date"], "cell"),
                p(kind_label(line["kind"]), "cell"),
                p(line["number"], "cell"),
                p(line["reference"], "cell"),
                p(line["order"], "cell"),
                p(shown(line["debit"]), "cell_right"),
                p(shown(line["credit"]), "cell_right"),
                p(yuan(amount(line["balance"])), "cell_right"),
            ]
        )
    rows.append(
        [
            "",
            p(_("Closing balance"), "cell"),
            "",
            "",
            "",
            p(yuan(statement.invoiced), "cell_right"),
            p(yuan(statement.credited + statement.paid), "cell_right"),
            p(yuan(statement.closing_balance), "cell_right"),
        ]
    )
    fixed = (18, 16, 26, 0, 29, 22, 22, 22)
    rest = width - sum(fixed) * mm
    table = Table(rows, colWidths=[(w * mm) if w else rest for w in fixed], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, RULE),
            ]
        )
    )
    return table


def shown(text: str) -> str:
    """A debit or credit cell: empty for zero."""
    value = amount(text)
    return yuan(value) if value else ""


def reply_box(customer: str, style: dict[str, ParagraphStyle], p: Any, width: float) -> Table:
    """The customer's reply (回执): agrees, or differs with the differences noted."""

    def half(title: Any, extra: list[Any]) -> list[Any]:
        return [
            p(title, "heading"),
            *extra,
            Spacer(1, 12 * mm),
            p(_("Signature and company stamp"), "label"),
            Spacer(1, 5 * mm),
            p(_("Date"), "label"),
        ]

    agrees = half(_("The balance above agrees with our books."), [p(customer)])
    differs = half(_("The balance does not agree; the differences are:"), [Spacer(1, 10 * mm)])
    return side_by_side(agrees, differs, width)


# --- Excel ----------------------------------------------------------------------------------


def statement_xlsx(statement: Statement, *, company: CompanyProfile | None = None) -> bytes:
    """The statement as an .xlsx workbook: heading rows, then the table with an opening
    and a closing balance row; amounts are numbers with two decimals, dates are dates."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    company = company or CompanyProfile.objects.filter(pk=1).first()
    customer = statement.customer
    bold = Font(bold=True)
    shade = PatternFill("solid", fgColor="EEF2F6")
    with translation.override(settings.LANGUAGE_CODE):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = f"{_('Statement')} {statement.month}"[:31]
        headers = [
            _("Date"),
            _("Kind"),
            _("Number"),
            _("Reference"),
            _("Order"),
            _("Debit"),
            _("Credit"),
            _("Balance"),
        ]
        heading: list[list[Any]] = [
            [f"{company.name if company else ''} {_('Statement of account')}".strip()],
            [_("Customer"), f"{customer.name} ({customer.code})"],
            [_("Period"), period_text(statement)],
            [_("Status"), answer_text(statement) or statement.get_status_display()],
            [],
        ]
        rows: list[list[Any]] = [
            [
                statement.period,
                _("Opening balance"),
                "",
                "",
                "",
                None,
                None,
                statement.opening_balance,
            ]
        ]
        for line in statement.lines:
            rows.append(
                [
                    dt.date.fromisoformat(line["date"]),
                    kind_label(line["kind"]),
                    line["number"],
                    line["reference"],
                    line["order"],
                    amount(line["debit"]) or None,
                    amount(line["credit"]) or None,
                    amount(line["balance"]),
                ]
            )
        rows.append(
            [
                None,
                _("Closing balance"),
                "",
                "",
                "",
                statement.invoiced,
                statement.credited + statement.paid,
                statement.closing_balance,
            ]
        )
        summary: list[list[Any]] = [
            [],
            [_("Opening balance"), statement.opening_balance],
            [_("Invoiced"), statement.invoiced],
            [_("Credit notes and voids"), statement.credited],
            [_("Payments received"), statement.paid],
            [_("Closing balance"), statement.closing_balance],
            [_("Closing balance in words"), capital(statement.closing_balance)],
        ]

        def put(row: int, column: int, value: Any) -> Any:
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
            cell = sheet.cell(row=row, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never let a name like "=HYPERLINK(…)" become a formula
            elif isinstance(value, Decimal):
                cell.number_format = AMOUNT_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            return cell

        number = 0
        for values in heading:
            number += 1
            for column, value in enumerate(values, start=1):
                cell = put(number, column, value)
                if column == 1:
                    cell.font = bold
        header_row = number + 1
        for column, value in enumerate(headers, start=1):
            cell = put(header_row, column, value)
            cell.font = bold
            cell.fill = shade
            if column >= 6:
                cell.alignment = Alignment(horizontal="right")
        number = header_row
        for values in rows:
            number += 1
            for column, value in enumerate(values, start=1):
                if value is not None:
                    put(number, column, value)
        for column in range(1, len(headers) + 1):
            sheet.cell(row=number, column=column).font = bold
        for values in summary:
            number += 1
            for column, value in enumerate(values, start=1):
                cell = put(number, column, value)
                if column == 1:
                    cell.font = bold
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        for column, header_text in enumerate(headers, start=1):
            cells = [header_text, *(row[column - 1] for row in rows)]
            width = max(display_width(cell_text(cell)) for cell in cells)
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width, 12) + 2, 60)
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)

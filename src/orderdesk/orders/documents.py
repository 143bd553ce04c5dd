"""The order confirmation (订单确认书) as a PDF.

Built with ReportLab's page layout (platypus): pure Python, no browser or office suite on the
server, and it embeds TrueType fonts, so the PDF shows Chinese the same on every reader.
ReportLab cannot embed the CFF-outline OpenType fonts (Noto CJK), so the font is
WenQuanYi Micro Hei from the Debian package ``fonts-wqy-microhei`` (``make fonts`` installs
it; ``make install`` and ``make install-dev`` call it). Only the glyphs used are embedded
(a subset), with a Unicode map, so the text can be searched and copied.

Labels are translated into the company's language (``settings.LANGUAGE_CODE``), not the
language of whoever clicked "send": the document goes to the customer.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from orderdesk.core.models import CompanyProfile
from orderdesk.core.money import capital, yuan

from .models import Order, OrderLine, PaymentMethod
from .services.releasing import deposit_required

FONT = "WenQuanYiMicroHei"
FONT_FILES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),  # Fedora, Arch
)
INK = colors.HexColor("#1f2933")
RULE = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#eef2f6")
PAGE_MARGIN = 15 * mm
CONTENT_WIDTH = A4[0] - 2 * PAGE_MARGIN


@cache
def register_font() -> str:
    """Register the CJK font with ReportLab once per process; its name."""
    for path in FONT_FILES:
        if path.exists():
            pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
            return FONT
    raise ImproperlyConfigured(
        "The Chinese font for PDFs is missing: install the Debian package fonts-wqy-microhei "
        "(make fonts)."
    )


def styles() -> dict[str, ParagraphStyle]:
    font = register_font()
    base = ParagraphStyle(
        "base", fontName=font, fontSize=9, leading=13, textColor=INK, wordWrap="CJK"
    )
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
        "company": ParagraphStyle("company", parent=base, fontSize=15, leading=20),
        "title": ParagraphStyle(
            "title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER, spaceBefore=6
        ),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=10.5, leading=15, spaceBefore=8, spaceAfter=3
        ),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "label_right": ParagraphStyle(
            "label_right", parent=base, textColor=colors.HexColor("#52606d"), alignment=TA_RIGHT
        ),
        # Labels wrap at spaces (English) — breaking "Payment method" inside a word reads
        # badly; Chinese labels are short enough for their column.
        "label": ParagraphStyle(
            "label", parent=base, textColor=colors.HexColor("#52606d"), wordWrap=None
        ),
    }


def paragraph_maker(style: dict[str, ParagraphStyle]) -> Callable[..., Paragraph]:
    """``p(text, style_name="base")``: ``text`` escaped, its line breaks kept."""

    def p(text: Any, name: str = "base") -> Paragraph:
        return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style[name])

    return p


def render_a4(
    story: list[Flowable],
    *,
    title: str,
    footer: str,
    company: CompanyProfile | None,
    subject: str,
) -> bytes:
    """Lay ``story`` out on A4 with the house margins and ``footer`` + the page number on
    every page: the one page set-up of our documents (confirmation, invoice, notices…)."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=title,
        author=company.name if company else "",
        subject=subject,
    )

    def on_page(canvas: Any, doc: Any) -> None:
        page_footer(canvas, doc, footer)

    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def confirmation_pdf(order: Order, *, company: CompanyProfile | None = None) -> bytes:
    """The order confirmation of ``order`` (approved or later) as PDF bytes."""
    company = company or CompanyProfile.objects.filter(pk=1).first()
    lines = list(order.lines.order_by("line_no"))
    with translation.override(settings.LANGUAGE_CODE):
        story = build_story(order, lines, company, styles())
        footer = _("Order {number} · page").format(number=order.number)
        return render_a4(
            story,
            title=_("Order confirmation {number}").format(number=order.number),
            footer=footer,
            company=company,
            subject=order.customer.name,
        )


def build_story(
    order: Order,
    lines: list[OrderLine],
    company: CompanyProfile | None,
    style: dict[str, ParagraphStyle],
) -> list[Flowable]:
    p = paragraph_maker(style)

    width = CONTENT_WIDTH
    story: list[Flowable] = []
    story += header(company, style, p)
    story.append(p(_("Order confirmation"), "title"))
    issued = order.confirmation_sent_at or timezone.now()
    story.append(
        key_values(
            [
                (_("Order number"), order.number),
                (_("Date"), day(timezone.localtime(issued).date())),
                (_("Your reference"), order.customer_reference or "—"),
                (_("Salesperson"), person(order.salesperson)),
            ],
            style,
            p,
            width,
        )
    )
    story.append(p(_("Customer"), "heading"))
    story.append(
        key_values(
            [
                (_("Customer"), order.customer.name),
                (_("Customer code"), order.customer.code),
                (_("Contact"), order.contact_name),
                (_("Phone"), order.contact_phone),
            ],
            style,
            p,
            width,
        )
    )
    story.append(p(_("Products"), "heading"))
    story.append(lines_table(lines, style, p, width))
    story.append(Spacer(1, 2 * mm))
    story.append(totals_table(order, style, p, width))
    story.append(
        p(
            _("Total in words: {words}").format(words=capital(order.total_amount)),
            "right",
        )
    )
    story.append(p(_("Payment and delivery"), "heading"))
    deposit = deposit_required(order)
    payment_method = (
        PaymentMethod(order.payment_method).label
        if order.payment_method in PaymentMethod.values
        else ""
    )
    story.append(
        key_values(
            [
                (_("Payment method"), payment_method or "—"),
                (_("Payment terms"), order.payment_terms or "—"),
                (
                    _("Deposit"),
                    _("{percent}% = {amount}, due before production").format(
                        percent=plain_number(order.deposit_percent), amount=yuan(deposit)
                    )
                    if deposit > 0
                    else _("None"),
                ),
                (_("Promised delivery date"), day(order.promised_date) or "—"),
                (_("Delivery address"), order.delivery_full_address),
                (
                    _("Consignee"),
                    " ".join(part for part in (order.consignee, order.consignee_phone) if part)
                    or "—",
                ),
            ],
            style,
            p,
            width,
        )
    )
    requirements = [
        (_("Special requirements"), order.special_requirements),
        (_("Packing"), order.packing_requirements),
        (_("Labels"), order.label_requirements),
        (_("Logistics"), order.logistics_preference),
    ]
    if any(value for _label, value in requirements):
        story.append(p(_("Requirements"), "heading"))
        story.append(key_values([(k, v) for k, v in requirements if v], style, p, width, columns=1))
    story.append(Spacer(1, 4 * mm))
    if order.confirmation_due_on:
        ask = _(
            "Please check this order confirmation and confirm it by {date}: use the link in our "
            "e-mail, or sign and stamp it and send it back to us. The delivery date is promised "
            "from the day we receive your confirmation."
        ).format(date=day(order.confirmation_due_on))
    else:
        ask = _(
            "Please check this order confirmation, sign and stamp it and send it back to us. "
            "The delivery date is promised from the day we receive your confirmation."
        )
    story.append(p(ask, "small"))
    story.append(Spacer(1, 6 * mm))
    story.append(KeepTogether([signatures(order, company, style, p, width)]))
    return story


def header(company: CompanyProfile | None, style: dict[str, ParagraphStyle], p: Any) -> list[Any]:
    if company is None:
        return []
    details = " · ".join(
        part
        for part in (
            company.address,
            _("Tel. {phone}").format(phone=company.phone) if company.phone else "",
            _("Tax no. {number}").format(number=company.tax_number) if company.tax_number else "",
        )
        if part
    )
    bank = (
        _("Bank: {bank} {account}").format(bank=company.bank_name, account=company.bank_account)
        if company.bank_name or company.bank_account
        else ""
    )
    text = [p(company.name, "company"), p(details, "small")]
    if bank:
        text.append(p(bank, "small"))
    logo = company_logo(company)
    if logo is None:
        return text
    table = Table([[text, logo]], colWidths=[None, 32 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [table]


def company_logo(company: CompanyProfile) -> Image | None:
    """The logo when it is a PNG or JPEG ReportLab can read; a broken file is left out."""
    if not company.logo or Path(company.logo.name).suffix.lower() not in (".png", ".jpg", ".jpeg"):
        return None
    try:
        with company.logo.open("rb") as handle:
            data = io.BytesIO(handle.read())
        image = Image(data)
    except (OSError, ValueError):
        return None
    ratio = image.imageHeight / image.imageWidth if image.imageWidth else 1
    image.drawWidth = 30 * mm
    image.drawHeight = min(30 * mm * ratio, 18 * mm)
    return image


def key_values(
    pairs: list[tuple[Any, Any]],
    style: dict[str, ParagraphStyle],
    p: Any,
    width: float,
    *,
    columns: int = 2,
) -> Table:
    """Label/value pairs in ``columns`` columns of label + value."""
    cells = [(p(label, "label"), p(value)) for label, value in pairs]
    rows = []
    for start in range(0, len(cells), columns):
        row: list[Any] = []
        for label, value in cells[start : start + columns]:
            row += [label, value]
        row += [""] * (2 * columns - len(row))
        rows.append(row)
    label_width = 31 * mm
    value_width = width / columns - label_width
    table = Table(rows, colWidths=[label_width, value_width] * columns)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, SHADE),
            ]
        )
    )
    return table


def lines_table(
    lines: list[OrderLine], style: dict[str, ParagraphStyle], p: Any, width: float
) -> Table:
    head = [
        _("No."),
        _("SKU"),
        _("Product / specification"),
        _("Unit"),
        _("Quantity"),
        _("Unit price"),
        _("Discount"),
        _("VAT"),
        _("Amount"),
    ]
    rows: list[list[Any]] = [
        [p(text, "label_right" if index >= 4 else "label") for index, text in enumerate(head)]
    ]
    for line in lines:
        product = line.name + (f" {line.spec}" if line.spec else "")
        if line.note:
            product += f"\n{line.note}"
        # Only the cells that wrap are paragraphs: a paragraph per cell made a 1,000-line
        # order's PDF take over a second (bench/large_orders.py).
        rows.append(
            [
                str(line.line_no),
                p(line.sku, "small"),
                p(product),
                line.unit,
                plain_number(line.quantity),
                yuan(line.unit_price),
                f"{plain_number(line.discount_percent)}%" if line.discount_percent else "",
                percent(line.tax_rate * 100),
                yuan(line.line_total),
            ]
        )
    fixed = [9, 24, 0, 11, 17, 22, 15, 11, 26]
    rest = width - sum(fixed) * mm
    table = Table(
        rows,
        colWidths=[(size * mm) if size else rest for size in fixed],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                *line_table_style(style, right_from=4),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def line_table_style(style: dict[str, ParagraphStyle], *, right_from: int) -> list[tuple]:
    """A table of document lines: a shaded heading row, ruled rows, plain-text cells in the
    body font, and the columns from ``right_from`` on (figures) aligned right."""
    base = style["base"]
    return [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 1), (-1, -1), base.fontName),
        ("FONTSIZE", (0, 1), (-1, -1), base.fontSize),
        ("LEADING", (0, 1), (-1, -1), base.leading),
        ("TEXTCOLOR", (0, 1), (-1, -1), base.textColor),
        ("ALIGN", (right_from, 1), (-1, -1), "RIGHT"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
    ]


def totals_table(order: Order, style: dict[str, ParagraphStyle], p: Any, width: float) -> Table:
    rows = [
        [p(_("Net amount"), "label_right"), p(yuan(order.net_amount), "right")],
        [p(_("Tax"), "label_right"), p(yuan(order.tax_amount), "right")],
        [p(_("Total (VAT included)"), "label_right"), p(yuan(order.total_amount), "right")],
    ]
    table = Table(rows, colWidths=[60 * mm, 32 * mm], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def signatures(
    order: Order,
    company: CompanyProfile | None,
    style: dict[str, ParagraphStyle],
    p: Any,
    width: float,
) -> Table:
    """Two boxes to sign and stamp: the supplier's and the customer's (签字盖章)."""

    def box(title: Any, party: str) -> list[Any]:
        return [
            p(title, "heading"),
            p(party),
            Spacer(1, 14 * mm),
            p(_("Signature and company stamp"), "label"),
            Spacer(1, 6 * mm),
            p(_("Date"), "label"),
        ]

    return side_by_side(
        box(_("Supplier"), company.name if company else ""),
        box(_("Customer"), order.customer.name),
        width,
    )


def side_by_side(left: list[Any], right: list[Any], width: float) -> Table:
    """Two ruled boxes next to each other (signatures, the customer's reply)."""
    table = Table(
        [[left, right]],
        colWidths=[width / 2 - 3 * mm, width / 2 - 3 * mm],
        spaceBefore=2 * mm,
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (0, 0), 0.6, RULE),
                ("BOX", (1, 0), (1, 0), 0.6, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


def page_footer(canvas: Any, document: Any, text: str) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(RULE)
    canvas.drawRightString(A4[0] - 15 * mm, 9 * mm, f"{text} {document.page}")
    canvas.restoreState()


def day(value: dt.date | None) -> str:
    return date_format(value, "Y-m-d") if value else ""


def person(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def plain_number(value: Decimal) -> str:
    """``2.000`` → ``2``, ``12.50`` → ``12.5``: quantities and rates without trailing zeros."""
    return format(Decimal(value).normalize(), "f")


def percent(value: Decimal) -> str:
    return f"{plain_number(value)}%"

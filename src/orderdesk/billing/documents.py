"""The invoice (发票) as a PDF, built like the order confirmation (``orders/documents.py``:
ReportLab, the embedded WenQuanYi font, labels in the company language): seller and buyer,
the lines, the totals per VAT rate and the total in 人民币大写."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from orderdesk.core.models import CompanyProfile
from orderdesk.core.money import capital, yuan
from orderdesk.orders.documents import (
    CONTENT_WIDTH,
    RULE,
    SHADE,
    day,
    key_values,
    paragraph_maker,
    percent,
    plain_number,
    render_a4,
    styles,
)

from . import selectors
from .models import Invoice, InvoiceStatus


def invoice_pdf(invoice: Invoice, *, company: CompanyProfile | None = None) -> bytes:
    """The invoice as PDF bytes (a draft or void invoice says so in its title)."""
    company = company or CompanyProfile.objects.filter(pk=1).first()
    with translation.override(settings.LANGUAGE_CODE):
        style = styles()

        p = paragraph_maker(style)

        width = CONTENT_WIDTH
        title = invoice.get_kind_display()
        if invoice.status != InvoiceStatus.ISSUED:
            title = f"{title} ({invoice.get_status_display()})"
        story: list[Flowable] = [p(title, "title"), Spacer(1, 3 * mm)]
        story.append(
            key_values(
                [
                    (_("Invoice number"), invoice.number),
                    (_("Fapiao number"), invoice.fapiao_number or "—"),
                    (_("Issued on"), day(invoice.issued_on) or "—"),
                    (_("Due on"), day(invoice.due_on) or "—"),
                    (_("Order number"), invoice.order.number),
                    (
                        _("Shipment"),
                        invoice.shipment.number if invoice.shipment_id else _("Whole order"),  # type: ignore[union-attr]
                    ),
                ],
                style,
                p,
                width,
            )
        )
        story.append(p(_("Seller"), "heading"))
        story.append(
            key_values(
                [
                    (_("Name"), company.name if company else ""),
                    (_("Tax number"), company.tax_number if company else ""),
                    (
                        _("Address and phone"),
                        f"{company.address} {company.phone}".strip() if company else "",
                    ),
                    (
                        _("Bank and account"),
                        f"{company.bank_name} {company.bank_account}".strip() if company else "",
                    ),
                ],
                style,
                p,
                width,
                columns=1,
            )
        )
        story.append(p(_("Buyer"), "heading"))
        story.append(
            key_values(
                [
                    (_("Name"), invoice.buyer_title),
                    (_("Tax number"), invoice.buyer_tax_number or "—"),
                    (_("Address and phone"), invoice.buyer_address_phone or "—"),
                    (_("Bank and account"), invoice.buyer_bank_account or "—"),
                ],
                style,
                p,
                width,
                columns=1,
            )
        )
        story.append(p(_("Goods and taxable services"), "heading"))
        story.append(lines_table(invoice, p, width))
        story.append(Spacer(1, 3 * mm))
        story.append(rates_table(invoice, p, width))
        story.append(Spacer(1, 3 * mm))
        story.append(
            key_values(
                [
                    (_("Total (in words)"), capital(invoice.gross_amount)),
                    (_("Total"), yuan(invoice.gross_amount)),
                ],
                style,
                p,
                width,
                columns=1,
            )
        )
        footer = _("Invoice {number} · page").format(number=invoice.number)
        return render_a4(
            story,
            title=_("Invoice {number}").format(number=invoice.number),
            footer=footer,
            company=company,
            subject=invoice.buyer_title,
        )


def ruled(table: Table) -> Table:
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
            ]
        )
    )
    return table


def lines_table(invoice: Invoice, p: Any, width: float) -> Table:
    rows: list[list[Any]] = [
        [
            p(_("No."), "label"),
            p(_("Product / specification"), "label"),
            p(_("Unit"), "label"),
            p(_("Quantity"), "label_right"),
            p(_("Unit price (net)"), "label_right"),
            p(_("Net amount"), "label_right"),
            p(_("VAT rate"), "label_right"),
            p(_("Tax"), "label_right"),
        ]
    ]
    for line in invoice.lines.all():
        rows.append(
            [
                p(line.line_no),
                p(f"{line.sku} {line.name}" + (f" {line.spec}" if line.spec else "")),
                p(line.unit),
                p(plain_number(line.quantity), "right"),
                p(plain_number(line.unit_price), "right"),
                p(yuan(line.net_amount), "right"),
                p(percent(line.tax_rate * 100), "right"),
                p(yuan(line.tax_amount), "right"),
            ]
        )
    fixed = [10, 0, 12, 18, 22, 24, 18, 22]
    rest = width - sum(fixed) * mm
    return ruled(Table(rows, colWidths=[(s * mm) if s else rest for s in fixed], repeatRows=1))


def rates_table(invoice: Invoice, p: Any, width: float) -> Table:
    rows: list[list[Any]] = [
        [
            p(_("VAT rate"), "label"),
            p(_("Net amount"), "label_right"),
            p(_("Tax"), "label_right"),
            p(_("Total"), "label_right"),
        ]
    ]
    for row in selectors.totals_per_rate(invoice):
        rows.append(
            [
                p(percent(row["tax_rate"] * 100)),
                p(yuan(row["net"]), "right"),
                p(yuan(row["tax"]), "right"),
                p(yuan(row["gross"]), "right"),
            ]
        )
    rows.append(
        [
            p(_("Total")),
            p(yuan(invoice.net_amount), "right"),
            p(yuan(invoice.tax_amount), "right"),
            p(yuan(invoice.gross_amount), "right"),
        ]
    )
    return ruled(Table(rows, colWidths=[width / 4] * 4))

"""The collection notice (余款催收通知书) as PDF: seller, customer, the overdue invoices with
their open amounts and days overdue, the total in words (人民币大写) and how to pay.

Uses the CJK font and the layout helpers of the order confirmation (orders.documents).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from orderdesk.core.models import CompanyProfile
from orderdesk.core.money import capital, to_fen, yuan
from orderdesk.customers.models import Customer
from orderdesk.orders.documents import (
    CONTENT_WIDTH,
    RULE,
    SHADE,
    day,
    header,
    key_values,
    paragraph_maker,
    render_a4,
    styles,
)

from .models import Invoice

ZERO = Decimal(0)


def collection_notice_pdf(
    customer: Customer,
    invoices: list[Invoice],
    *,
    on: dt.date,
    company: CompanyProfile | None = None,
) -> bytes:
    """The notice for ``customer`` listing ``invoices`` (issued, open, overdue on ``on``)."""
    company = company or CompanyProfile.objects.filter(pk=1).first()
    with translation.override(settings.LANGUAGE_CODE):
        story = build_story(customer, invoices, on, company, styles())
        footer = _("Collection notice {customer} · page").format(customer=customer.code)
        return render_a4(
            story,
            title=_("Collection notice"),
            footer=footer,
            company=company,
            subject=customer.name,
        )


def build_story(
    customer: Customer,
    invoices: list[Invoice],
    on: dt.date,
    company: CompanyProfile | None,
    style: dict[str, ParagraphStyle],
) -> list[Flowable]:
    p = paragraph_maker(style)

    width = CONTENT_WIDTH
    total = sum((to_fen(invoice.open_amount) for invoice in invoices), ZERO)
    story: list[Flowable] = []
    story += header(company, style, p)
    story.append(p(_("Collection notice for the outstanding balance"), "title"))
    story.append(
        key_values(
            [
                (_("To"), customer.name),
                (_("Customer code"), customer.code),
                (_("Date"), day(on)),
                (_("From"), company.name if company else ""),
            ],
            style,
            p,
            width,
        )
    )
    story.append(Spacer(1, 3 * mm))
    story.append(
        p(
            _(
                "According to our records the following invoices are past their due date and "
                "not yet paid. Please pay the outstanding balance as soon as possible. If you "
                "have already paid, please send us the payment slip and disregard this notice."
            )
        )
    )
    story.append(p(_("Overdue invoices"), "heading"))
    story.append(invoices_table(invoices, on, style, p, width))
    story.append(Spacer(1, 2 * mm))
    story.append(p(_("Total outstanding: {amount}").format(amount=yuan(total)), "right"))
    story.append(
        p(_("Total in words: RMB {words}").format(words=capital(total)), "right"),
    )
    story.append(p(_("How to pay"), "heading"))
    story.append(
        key_values(
            [
                (_("Payee"), company.name if company else ""),
                (_("Bank"), company.bank_name if company else ""),
                (_("Account"), company.bank_account if company else ""),
                (_("Tax number"), company.tax_number if company else ""),
            ],
            style,
            p,
            width,
        )
    )
    story.append(Spacer(1, 3 * mm))
    story.append(
        p(
            _(
                "Please quote the invoice numbers with your transfer. For questions about this "
                "notice call {phone}."
            ).format(phone=company.phone if company and company.phone else "—"),
            "small",
        )
    )
    story.append(Spacer(1, 10 * mm))
    story.append(p(company.name if company else "", "right"))
    story.append(p(day(on), "right"))
    return story


def invoices_table(
    invoices: list[Invoice],
    on: dt.date,
    style: dict[str, ParagraphStyle],
    p: Any,
    width: float,
) -> Table:
    rows: list[list[Any]] = [
        [
            p(_("Invoice"), "label"),
            p(_("Order"), "label"),
            p(_("Issued on"), "label"),
            p(_("Due on"), "label"),
            p(_("Amount"), "label_right"),
            p(_("Open"), "label_right"),
            p(_("Days overdue"), "label_right"),
        ]
    ]
    for invoice in invoices:
        days = max((on - invoice.due_on).days, 0) if invoice.due_on else 0
        rows.append(
            [
                p(invoice.fapiao_number or invoice.number),
                p(invoice.order.number),
                p(day(invoice.issued_on)),
                p(day(invoice.due_on)),
                p(yuan(invoice.gross_amount - invoice.credited_amount), "right"),
                p(yuan(invoice.open_amount), "right"),
                p(str(days), "right"),
            ]
        )
    fractions = (0.18, 0.18, 0.12, 0.12, 0.14, 0.13, 0.13)
    table = Table(rows, colWidths=[width * f for f in fractions], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table

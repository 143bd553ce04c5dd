"""The shipping notice (发货告知书) as a PDF, built like the order confirmation
(``orders/documents.py``: ReportLab, the embedded WenQuanYi font, labels in the company
language)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from orderdesk.core.models import CompanyProfile
from orderdesk.orders.documents import (
    CONTENT_WIDTH,
    day,
    header,
    key_values,
    line_table_style,
    paragraph_maker,
    person,
    plain_number,
    render_a4,
    styles,
)

from .models import Shipment


def notice_pdf(shipment: Shipment, *, company: CompanyProfile | None = None) -> bytes:
    """The shipping notice of a shipment as PDF bytes."""
    company = company or CompanyProfile.objects.filter(pk=1).first()
    order = shipment.order
    with translation.override(settings.LANGUAGE_CODE):
        style = styles()

        p = paragraph_maker(style)

        width = CONTENT_WIDTH
        story: list[Flowable] = []
        story += header(company, style, p)
        story.append(p(_("Shipping notice"), "title"))
        story.append(
            key_values(
                [
                    (_("Shipment number"), shipment.number),
                    (_("Ship date"), day(shipment.ship_date)),
                    (_("Order number"), order.number),
                    (_("Your reference"), order.customer_reference or "—"),
                    (_("Carrier"), shipment.carrier.name),
                    (_("Tracking number"), shipment.tracking_number or _("to follow")),
                    (_("Packages"), shipment.packages),
                    (_("Expected arrival"), day(shipment.expected_arrival)),
                    (_("Salesperson"), person(order.salesperson)),
                ],
                style,
                p,
                width,
            )
        )
        story.append(p(_("Consignee"), "heading"))
        story.append(
            key_values(
                [
                    (_("Customer"), order.customer.name),
                    (_("Consignee"), f"{shipment.consignee} {shipment.consignee_phone}".strip()),
                    (_("Delivery address"), shipment.full_address),
                ],
                style,
                p,
                width,
                columns=1,
            )
        )
        story.append(p(_("Items shipped"), "heading"))
        rows: list[list[Any]] = [
            [
                p(_("No."), "label"),
                p(_("SKU"), "label"),
                p(_("Product / specification"), "label"),
                p(_("Unit"), "label"),
                p(_("Ordered"), "label_right"),
                p(_("This shipment"), "label_right"),
            ]
        ]
        for row in shipment.lines.select_related("order_line").order_by("order_line__line_no"):
            line = row.order_line
            rows.append(
                [
                    str(line.line_no),
                    p(line.sku, "small"),
                    p(line.name + (f" {line.spec}" if line.spec else "")),
                    line.unit,
                    plain_number(line.quantity),
                    plain_number(row.quantity),
                ]
            )
        fixed = [10, 28, 0, 14, 24, 28]
        rest = width - sum(fixed) * mm
        table = Table(rows, colWidths=[(s * mm) if s else rest for s in fixed], repeatRows=1)
        table.setStyle(TableStyle(line_table_style(style, right_from=4)))
        story.append(table)
        story.append(Spacer(1, 5 * mm))
        story.append(
            p(
                _(
                    "Please check the goods on arrival and confirm the delivery (signer, date, "
                    "a photo of the signed delivery note) on the link in our e-mail within one "
                    "working day. Report damage, short quantities or wrong models at once."
                ),
                "small",
            )
        )
        footer = _("Shipment {number} · page").format(number=shipment.number)
        return render_a4(
            story,
            title=_("Shipping notice {number}").format(number=shipment.number),
            footer=footer,
            company=company,
            subject=order.customer.name,
        )

"""The revised order confirmation (变更后的订单确认书) of one revision, as a PDF.

It is the order confirmation of ``orders/documents.py`` (same layout, font and pieces),
drawn from the revision's snapshot rather than from the order as it is now — so revision 2
reads the same after revision 3 is applied — titled with the revision number and opened by
what changed since the revision before and the effect on the total and the promised date.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from orderdesk.core.models import CompanyProfile
from orderdesk.orders.documents import (
    build_story,
    key_values,
    paragraph_maker,
    render_a4,
    styles,
)
from orderdesk.orders.models import Order, OrderLine

from .models import OrderRevision
from .revisions import DATE_FIELDS, HEADER_FIELDS, TOTALS, change_pairs, changes_since_previous


def revision_pdf(revision: OrderRevision, *, company: CompanyProfile | None = None) -> bytes:
    """The confirmation of ``revision`` as PDF bytes (in the company's language)."""
    company = company or CompanyProfile.objects.filter(pk=1).first()
    order, lines = order_as_of(revision)
    with translation.override(settings.LANGUAGE_CODE):
        style = styles()
        title = _("Revised order confirmation {number}, revision {revision}").format(
            number=order.number, revision=revision.number
        )
        story = build_story(order, lines, company, style)
        story = with_revision(story, revision, style, title)
        footer = _("Order {number} revision {revision} · page").format(
            number=order.number, revision=revision.number
        )
        return render_a4(
            story, title=title, footer=footer, company=company, subject=order.customer.name
        )


def order_as_of(revision: OrderRevision) -> tuple[Order, list[OrderLine]]:
    """An unsaved copy of the order with the revision's header, totals and lines (never
    saved: it only feeds the document)."""
    order = Order.objects.select_related("customer", "salesperson").get(pk=revision.order_id)
    shot = revision.snapshot
    header = shot.get("header") or {}
    for field in HEADER_FIELDS:
        value = header.get(field)
        if field in DATE_FIELDS:
            value = parse_date(value) if value else None
        setattr(order, field, value if value is not None or field in DATE_FIELDS else "")
    totals = shot.get("totals") or {}
    for key, field in TOTALS:
        setattr(order, field, Decimal(totals.get(key) or 0))
    order.status = shot.get("status") or order.status
    # The document's date is the revision's; the original confirmation's deadline does not
    # apply to it (the customer acknowledges by the link in the e-mail).
    order.confirmation_sent_at = revision.sent_at or revision.created_at or timezone.now()
    order.confirmation_due_on = None
    lines = [
        OrderLine(
            line_no=line["line_no"],
            sku=line["sku"],
            name=line["name"],
            spec=line.get("spec", ""),
            unit=line["unit"],
            quantity=Decimal(line["quantity"]),
            list_price=Decimal(line.get("list_price") or line["unit_price"]),
            unit_price=Decimal(line["unit_price"]),
            discount_percent=Decimal(line.get("discount_percent") or 0),
            tax_rate=Decimal(line["tax_rate"]),
            net_amount=Decimal(line.get("net_amount") or 0),
            tax_amount=Decimal(line.get("tax_amount") or 0),
            line_total=Decimal(line["line_total"]),
            note=line.get("note", ""),
        )
        for line in shot.get("lines") or []
    ]
    return order, lines


def with_revision(
    story: list[Flowable], revision: OrderRevision, style: dict[str, Any], title: str
) -> list[Flowable]:
    """The confirmation's story with the revision's title and, right under it, what changed
    and the effect on price and date."""

    p = paragraph_maker(style)

    items, change = changes_since_previous(revision)
    section: list[Flowable] = [p(title, "title")]
    section.append(p(_("Changes in this revision"), "heading"))
    if change["cancelled"]:
        section.append(p(_("The order is cancelled."), "base"))
    width = A4[0] - 30 * mm
    if rows := change_pairs(items):
        section.append(key_values(rows, style, p, width, columns=1))
    section.append(Spacer(1, 1.5 * mm))
    section.append(p(_("Effect on price and date: {effect}").format(effect=change["text"])))
    section.append(Spacer(1, 2 * mm))
    for index, flowable in enumerate(story):
        if isinstance(flowable, Paragraph) and flowable.style.name == "title":
            return [*story[:index], *section, *story[index + 1 :]]
    return [*section, *story]

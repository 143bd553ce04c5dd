"""The shipping notice (发货告知书): the PDF and an e-mail to the order's contact with the
items, the tracking number, the expected arrival and the delivery-confirmation link.

It leaves after the shipment is committed (:func:`deliver_notice`, also "send again" on the
shipment page); every sending is logged (``ShipmentNotice``: to, when, by, ok or the
error). A mail server that is down is logged, not a refusal of the shipment.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import Conflict, ValidationFailed
from orderdesk.orders.documents import day, person
from orderdesk.orders.services.confirmation import company_name, customer_mail, recipients

from ..documents import notice_pdf
from ..models import Shipment, ShipmentNotice, ShipmentStatus

logger = logging.getLogger(__name__)
SHIP = "shipping.ship_orders"


def delivery_url(shipment: Shipment) -> str:
    path = reverse("shipping:deliver_public", args=[shipment.delivery_token])
    return f"{settings.ORDERDESK_BASE_URL}{path}"


def notice_message(shipment: Shipment, to: list[str]) -> EmailMessage:
    order = shipment.order
    with translation.override(settings.LANGUAGE_CODE):
        items = "\n".join(
            f"  {row.order_line.line_no}. {row.order_line.sku} {row.order_line.name} "
            f"× {row.quantity.normalize():f} {row.order_line.unit}"
            for row in shipment.lines.select_related("order_line").order_by("order_line__line_no")
        )
        subject = _("Shipping notice {number} for order {order}").format(
            number=shipment.number, order=order.number
        )
        body = _(
            "Dear {contact},\n\n"
            "your order {order} has been shipped on {date}:\n\n{items}\n\n"
            "Carrier: {carrier}\nTracking number: {tracking}\nPackages: {packages}\n"
            "Expected arrival: {arrival}\n\n"
            "Please confirm the delivery (signer, date, a photo of the signed delivery note) "
            "on this page within one working day of arrival:\n{url}\n\n"
            "Your salesperson: {salesperson} {email}\n{company}"
        ).format(
            contact=order.contact_name or order.customer.name,
            order=order.number,
            date=day(shipment.ship_date),
            items=items,
            carrier=shipment.carrier.name,
            tracking=shipment.tracking_number or _("to follow"),
            packages=shipment.packages,
            arrival=day(shipment.expected_arrival),
            url=delivery_url(shipment),
            salesperson=person(order.salesperson),
            email=order.salesperson.email,
            company=company_name(),
        )
        pdf = notice_pdf(shipment)
    return customer_mail(order, subject, body, to, attachment=(f"{shipment.number}.pdf", pdf))


def deliver_notice(shipment_id: int, by_id: int | None) -> ShipmentNotice:
    """Send the notice now and log it (runs after the shipment is committed)."""
    shipment = Shipment.objects.select_related(
        "order", "order__customer", "order__salesperson", "carrier"
    ).get(pk=shipment_id)
    to = recipients(shipment.order)
    ok, error = True, ""
    if not to:
        ok, error = False, _("The customer's contact has no e-mail address.")
    else:
        try:
            notice_message(shipment, to).send()
        except (smtplib.SMTPException, OSError) as failure:
            logger.exception("shipping notice to %s failed", to)
            ok, error = False, str(failure)[:500]
    with transaction.atomic():
        notice = ShipmentNotice.objects.create(
            shipment=shipment, sent_to=", ".join(to)[:300], sent_by_id=by_id, ok=ok, error=error
        )
        if ok:
            Shipment.objects.filter(pk=shipment.pk).update(notice_sent_at=timezone.now())
        audit.record(
            shipment,
            "shipping_notice_sent" if ok else "shipping_notice_failed",
            by=notice.sent_by,
            changes={"sent_to": (None, notice.sent_to)},
            reason=error,
        )
    return notice


def send_notice(shipment: Shipment, *, by: Any) -> ShipmentNotice:
    """Send the notice again (the shipment page)."""
    permissions.require(by, SHIP)
    shipment = Shipment.objects.select_related("order", "order__customer").get(pk=shipment.pk)
    if shipment.status not in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED):
        raise Conflict(
            _("The notice is sent once the shipment is confirmed."), code="shipment_not_sent"
        )
    if not recipients(shipment.order):
        raise ValidationFailed(
            _("The customer's contact has no e-mail address; add one to the contact."),
            code="no_contact_email",
        )
    return deliver_notice(shipment.pk, by.pk)

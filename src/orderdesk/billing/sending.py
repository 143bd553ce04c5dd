"""Sending an issued invoice to the customer: an e-mail to the order's contact with the
invoice PDF attached. Every sending is written to the invoice's audit trail (to whom, or
the error), so the invoice page's history shows when it went out."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import Conflict, ValidationFailed
from orderdesk.core.money import yuan
from orderdesk.orders.documents import day, person
from orderdesk.orders.services.confirmation import company_name, customer_mail, recipients

from .documents import invoice_pdf
from .models import Invoice, InvoiceStatus

logger = logging.getLogger(__name__)
ISSUE = "billing.issue_invoices"


def invoice_message(invoice: Invoice, to: list[str]) -> EmailMessage:
    order = invoice.order
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Invoice {number} for order {order}").format(
            number=invoice.number, order=order.number
        )
        body = _(
            "Dear {contact},\n\n"
            "please find attached our invoice {number} for your order {order}.\n\n"
            "Amount: {amount}\nDue on: {due}\n\n"
            "Your salesperson: {salesperson} {email}\n{company}"
        ).format(
            contact=order.contact_name or order.customer.name,
            number=invoice.number,
            order=order.number,
            amount=yuan(invoice.gross_amount),
            due=day(invoice.due_on),
            salesperson=person(order.salesperson),
            email=order.salesperson.email,
            company=company_name(),
        )
        pdf = invoice_pdf(invoice)
    return customer_mail(order, subject, body, to, attachment=(f"{invoice.number}.pdf", pdf))


def send_invoice(invoice: Invoice, *, by: Any) -> list[str]:
    """E-mail the issued invoice with its PDF to the order's contact; the addresses it went
    to. A mail server that refuses is recorded and reported as a conflict."""
    permissions.require(by, ISSUE)
    invoice = Invoice.objects.select_related(
        "order", "order__customer", "order__salesperson", "shipment"
    ).get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.ISSUED:
        raise Conflict(
            _("Only an issued invoice can be sent to the customer."), code="invoice_not_issued"
        )
    to = recipients(invoice.order)
    if not to:
        raise ValidationFailed(
            _("The customer's contact has no e-mail address; add one to the contact."),
            code="no_contact_email",
        )
    error = ""
    try:
        invoice_message(invoice, to).send()
    except (smtplib.SMTPException, OSError) as failure:
        logger.exception("invoice %s to %s failed", invoice.number, to)
        error = str(failure)[:500]
    with transaction.atomic():
        audit.record(
            invoice,
            "invoice_send_failed" if error else "invoice_sent",
            by=by,
            changes={"sent_to": (None, ", ".join(to))},
            reason=error,
        )
    if error:
        raise Conflict(
            _("The invoice could not be sent: %(error)s") % {"error": error}, code="send_failed"
        )
    return to

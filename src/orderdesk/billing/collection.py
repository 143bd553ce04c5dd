"""Collection (催收): the daily job that chases overdue invoices, the payment contacts
(催收记录) and the collection settings.

One ``CollectionCase`` per overdue invoice. ``advance_collection(on=date)`` opens a case at
the first reminder once the invoice is ``first_reminder_days_overdue`` days overdue, raises
it one level when the interval since the last level has passed and no promise is live
(first reminder → second reminder → collection notice, the 余款催收通知书 e-mailed to the
customer as PDF → escalated, e-mailed to the salesperson's supervisor and finance), puts a
promise that passed unpaid back to open and closes the cases of invoices no longer open.
Intervals are calendar days: a customer pays late by calendar days, and the job runs every
day including weekends. Running the job twice for a day changes nothing the second time: a
level reached on ``on`` waits at least one day for the next, and every change is guarded by
the row lock and the state it checks.

``log_payment_contact`` records every contact about payment; a promise (amount and date)
pauses the chase until the promised date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import NotFound
from orderdesk.core.money import as_decimal, to_fen, yuan
from orderdesk.customers.models import Customer

from . import selectors
from .models import (
    CollectionCase,
    CollectionLevel,
    CollectionSettings,
    CollectionStatus,
    ContactChannel,
    Invoice,
    InvoiceStatus,
    PaymentContact,
)
from .services import invalid

ZERO = Decimal(0)
SETTINGS = "billing.manage_billing_settings"
FINANCE = "billing.record_payments"
FINANCE_ROLE = "finance"
GENERAL_MANAGER = "general_manager"
LEVELS = (
    CollectionLevel.FIRST_REMINDER,
    CollectionLevel.SECOND_REMINDER,
    CollectionLevel.COLLECTION_NOTICE,
    CollectionLevel.ESCALATED,
)
LIVE = (CollectionStatus.OPEN, CollectionStatus.PROMISED)
SETTING_FIELDS = (
    "first_reminder_days_overdue",
    "second_reminder_after_days",
    "notice_after_days",
    "escalate_after_days",
)


def collection_settings() -> CollectionSettings:
    found, _created = CollectionSettings.objects.get_or_create(pk=1)
    return found


def update_collection_settings(*, by: Any, reason: Any, **values: Any) -> CollectionSettings:
    """Change the reminder intervals (calendar days, 1–365), audited with a reason."""
    permissions.require(by, SETTINGS)
    errors: dict[str, str] = {}
    unknown = sorted(set(values) - set(SETTING_FIELDS))
    for name in unknown:
        errors[name] = _("Unknown setting.")
    parsed: dict[str, int] = {}
    for name in SETTING_FIELDS:
        if values.get(name) is None:
            continue
        raw = values[name]
        days = as_decimal(raw) if not isinstance(raw, bool) else None
        if days is None or days != int(days) or not 1 <= days <= 365:
            errors[name] = _("Enter a number of days from 1 to 365.")
        else:
            parsed[name] = int(days)
    text = str(reason or "").strip()
    if not text:
        errors["reason"] = _("A reason is required.")
    elif len(text) > 500:
        errors["reason"] = _("At most 500 characters.")
    if errors:
        raise invalid(_("Some settings are invalid."), errors)
    with transaction.atomic():
        current = CollectionSettings.objects.select_for_update().get(pk=collection_settings().pk)
        changes: dict[str, tuple[Any, Any]] = {}
        for name, number in parsed.items():
            if getattr(current, name) != number:
                changes[name] = (getattr(current, name), number)
                setattr(current, name, number)
        current.save()
        audit.record(current, "collection_settings_changed", by=by, changes=changes, reason=text)
    return current


def interval_after(level: str, config: CollectionSettings) -> int | None:
    """Days from reaching ``level`` to the next level (None at the last)."""
    intervals: dict[str, int] = {
        CollectionLevel.FIRST_REMINDER: config.second_reminder_after_days,
        CollectionLevel.SECOND_REMINDER: config.notice_after_days,
        CollectionLevel.COLLECTION_NOTICE: config.escalate_after_days,
    }
    return intervals.get(level)


def next_level(level: str) -> str | None:
    index = LEVELS.index(CollectionLevel(level))
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def next_action(case: CollectionCase, config: CollectionSettings) -> dt.date | None:
    if case.status == CollectionStatus.CLOSED:
        return None
    if case.status == CollectionStatus.PROMISED and case.promised_on:
        return case.promised_on + dt.timedelta(days=1)
    days = interval_after(case.level, config)
    return case.level_reached_on + dt.timedelta(days=max(days, 1)) if days is not None else None


# --- reads ----------------------------------------------------------------------------------


def invoice_open(invoice: Invoice) -> Decimal:
    return to_fen(invoice.open_amount)


def days_overdue(invoice: Invoice, on: dt.date) -> int:
    return max((on - invoice.due_on).days, 0) if invoice.due_on else 0


def cases_visible_to(user: Any) -> QuerySet[CollectionCase]:
    """Finance sees every case; others the cases of the customers they may see."""
    cases = CollectionCase.objects.select_related("invoice", "customer", "salesperson")
    if permissions.has(user, FINANCE):
        return cases
    return cases.filter(customer__in=selectors.visible_customers(user))


def case_for(user: Any, case_id: int) -> CollectionCase:
    found = cases_visible_to(user).filter(pk=case_id).first()
    if found is None:
        raise NotFound(_("No such collection case."), code="collection_case_not_found")
    return found


def contacts_visible_to(user: Any) -> QuerySet[PaymentContact]:
    return PaymentContact.objects.filter(
        customer__in=selectors.visible_customers(user)
    ).select_related("by", "invoice")


def finance_users() -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(groups__name=FINANCE_ROLE, is_active=True)
        .order_by("pk")
        .distinct()
    )


# --- payment contacts -----------------------------------------------------------------------


def log_payment_contact(
    customer: Customer,
    *,
    by: Any,
    channel: Any,
    summary: Any,
    invoice: Invoice | None = None,
    promised_amount: Any = None,
    promised_on: Any = None,
) -> PaymentContact:
    """Record a contact with ``customer`` about payment (催收记录). A promise (date, and
    optionally the amount) puts the invoice's live case — or, without an invoice, all the
    customer's live cases — on "promised" until that date."""
    if not selectors.can_view(by):
        permissions.require(by, selectors.VIEW)
    if not selectors.visible_customers(by).filter(pk=customer.pk).exists():
        raise NotFound(_("No such customer."), code="customer_not_found")
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if channel not in ContactChannel.values:
        errors["channel"] = _("Choose phone, e-mail, visit, message or letter.")
    text = str(summary or "").strip()
    if not text:
        errors["summary"] = _("Say what was discussed.")
    elif len(text) > 2000:
        errors["summary"] = _("At most 2000 characters.")
    if invoice is not None and invoice.customer_id != customer.pk:
        errors["invoice"] = _("The invoice belongs to another customer.")
    elif invoice is not None and invoice.status != InvoiceStatus.ISSUED:
        errors["invoice"] = _("The invoice is not issued.")
    amount = None
    if promised_amount is not None and promised_amount != "":
        amount = as_decimal(promised_amount) if not isinstance(promised_amount, bool) else None
        if amount is None or amount <= 0:
            errors["promised_amount"] = _("The amount must be greater than zero.")
        elif amount != to_fen(amount):
            errors["promised_amount"] = _("Amounts are exact to the fen (two decimals).")
    if promised_on is not None and not isinstance(promised_on, dt.date):
        errors["promised_on"] = _("Enter the date the customer promised to pay.")
    elif isinstance(promised_on, dt.date) and promised_on < today:
        errors["promised_on"] = _("The promised date cannot be in the past.")
    elif amount is not None and promised_on is None:
        errors["promised_on"] = _("Enter the date the customer promised to pay.")
    if errors:
        raise invalid(_("The payment contact is invalid."), errors)
    with transaction.atomic():
        if invoice is not None:
            invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
            cases = list(
                CollectionCase.objects.select_for_update().filter(invoice=invoice, status__in=LIVE)
            )
            still_open = invoice_open(invoice)
        else:
            cases = list(
                CollectionCase.objects.select_for_update()
                .filter(customer=customer, status__in=LIVE)
                .order_by("pk")
            )
            still_open = selectors.total(selectors.open_invoices(customer), "open")
        if amount is not None and amount > still_open:
            raise invalid(
                _("Only %(open)s is open.") % {"open": yuan(still_open)},
                {"promised_amount": _("More than the open amount.")},
                code="promise_above_open",
            )
        contact = PaymentContact.objects.create(
            customer=customer,
            invoice=invoice,
            case=cases[0] if invoice is not None and cases else None,
            channel=channel,
            summary=text,
            promised_amount=to_fen(amount) if amount is not None else None,
            promised_on=promised_on,
            by=by,
        )
        audit.record(
            contact,
            "payment_contact_logged",
            by=by,
            changes={
                "channel": (None, channel),
                "promised_on": (None, promised_on),
                "promised_amount": (None, contact.promised_amount),
            },
        )
        if promised_on is not None:
            config = collection_settings()
            for case in cases:
                promise(case, promised_on, contact.promised_amount, by=by, config=config)
    return contact


def promise(
    case: CollectionCase,
    promised_on: dt.date,
    amount: Decimal | None,
    *,
    by: Any,
    config: CollectionSettings,
) -> None:
    changes = {
        "status": (case.status, CollectionStatus.PROMISED),
        "promised_on": (case.promised_on, promised_on),
    }
    case.status = CollectionStatus.PROMISED
    case.promised_on = promised_on
    case.promised_amount = amount
    case.next_action_on = next_action(case, config)
    case.save(update_fields=["status", "promised_on", "promised_amount", "next_action_on"])
    audit.record(case, "collection_payment_promised", by=by, changes=changes)


# --- the daily job --------------------------------------------------------------------------


def overdue_invoices(on: dt.date) -> QuerySet[Invoice]:
    return (
        selectors.open_invoices()
        .filter(due_on__lt=on)
        .select_related("customer", "order", "order__salesperson")
        .order_by("due_on", "pk")
    )


def advance_collection(*, on: dt.date | None = None, by: Any = None) -> dict[str, int]:
    """The daily collection run for ``on`` (default today); counts of what it did."""
    from orderdesk.accounts.selectors import system_user

    on = on or timezone.localdate()
    by = by or system_user()
    config = collection_settings()
    finance = finance_users()
    counts = dict.fromkeys(("opened", "advanced", "lapsed", "closed", "notices", "escalated"), 0)
    notices: dict[int, list[CollectionCase]] = defaultdict(list)
    escalations: list[CollectionCase] = []

    for case_id in CollectionCase.objects.filter(status__in=LIVE).values_list("pk", flat=True):
        with transaction.atomic():
            case = CollectionCase.objects.select_for_update().get(pk=case_id)
            invoice = Invoice.objects.get(pk=case.invoice_id)
            if case.status in LIVE and invoice_open(invoice) <= 0:
                close(case, invoice, on, by=by)
                counts["closed"] += 1

    for invoice in overdue_invoices(on):
        with transaction.atomic():
            found = (
                CollectionCase.objects.select_for_update()
                .filter(invoice=invoice, status__in=LIVE)
                .first()
            )
            if found is None:
                if days_overdue(invoice, on) < config.first_reminder_days_overdue:
                    continue
                open_case(invoice, on, finance[0] if finance else None, by=by)
                counts["opened"] += 1
                continue
            case = found
            if case.status == CollectionStatus.PROMISED:
                if case.promised_on is not None and case.promised_on >= on:
                    continue
                lapse(case, on, by=by, config=config)
                counts["lapsed"] += 1
            target = next_level(case.level)
            interval = interval_after(case.level, config)
            if target is None or interval is None:
                continue
            if (on - case.level_reached_on).days < max(interval, 1):
                continue
            raise_level(case, target, on, by=by, config=config)
            counts["advanced"] += 1
            if target == CollectionLevel.COLLECTION_NOTICE:
                notices[case.customer_id].append(case)
            elif target == CollectionLevel.ESCALATED:
                escalations.append(case)

    for cases in notices.values():
        counts["notices"] += send_notice(cases, on, by=by)
    for case in escalations:
        counts["escalated"] += notify_escalation(case, on, finance)
    return counts


def open_case(invoice: Invoice, on: dt.date, finance: Any, *, by: Any) -> CollectionCase:
    case = CollectionCase(
        invoice=invoice,
        customer_id=invoice.customer_id,
        level=CollectionLevel.FIRST_REMINDER,
        level_reached_on=on,
        salesperson_id=invoice.order.salesperson_id,
        finance=finance,
        opened_on=on,
    )
    # A promise logged before the case opened (for this invoice or the whole customer)
    # still holds.
    promised = (
        PaymentContact.objects.filter(customer_id=invoice.customer_id, promised_on__gte=on)
        .filter(Q(invoice=invoice) | Q(invoice__isnull=True))
        .order_by("-at", "-pk")
        .first()
    )
    if promised is not None:
        case.status = CollectionStatus.PROMISED
        case.promised_on = promised.promised_on
        case.promised_amount = promised.promised_amount
    case.next_action_on = next_action(case, collection_settings())
    case.save()
    audit.record(
        case,
        "collection_opened",
        by=by,
        changes={
            "level": (None, case.level),
            "status": (None, case.status),
            "invoice": (None, invoice.number),
        },
    )
    return case


def lapse(case: CollectionCase, on: dt.date, *, by: Any, config: CollectionSettings) -> None:
    """A promise that passed unpaid: back to open (the promise stays on the case)."""
    case.status = CollectionStatus.OPEN
    case.next_action_on = next_action(case, config)
    case.save(update_fields=["status", "next_action_on"])
    audit.record(
        case,
        "collection_promise_lapsed",
        by=by,
        changes={"status": (CollectionStatus.PROMISED, CollectionStatus.OPEN)},
        reason=_("The promised date {date} passed unpaid.").format(date=case.promised_on),
    )


def raise_level(
    case: CollectionCase, target: str, on: dt.date, *, by: Any, config: CollectionSettings
) -> None:
    old = case.level
    case.level = target
    case.level_reached_on = on
    case.next_action_on = next_action(case, config)
    case.save(update_fields=["level", "level_reached_on", "next_action_on"])
    audit.record(case, "collection_level_raised", by=by, changes={"level": (old, target)})


def close(case: CollectionCase, invoice: Invoice, on: dt.date, *, by: Any) -> None:
    old = case.status
    case.status = CollectionStatus.CLOSED
    case.closed_on = on
    case.next_action_on = None
    case.save(update_fields=["status", "closed_on", "next_action_on"])
    why = (
        _("The invoice was voided.")
        if invoice.status == InvoiceStatus.VOID
        else _("The invoice is paid or credited.")
    )
    audit.record(
        case, "collection_closed", by=by, changes={"status": (old, case.status)}, reason=why
    )


# --- e-mails --------------------------------------------------------------------------------


def notice_recipients(cases: list[CollectionCase]) -> list[str]:
    from orderdesk.orders.services.confirmation import recipients

    found: list[str] = []
    for case in cases:
        for address in recipients(case.invoice.order):
            if address not in found:
                found.append(address)
    return found


def send_notice(cases: list[CollectionCase], on: dt.date, *, by: Any) -> int:
    """E-mail the 余款催收通知书 of the customer (every overdue invoice) to the contacts of
    the cases' orders and log it as a payment contact; 1 if sent, else 0 (no contact
    e-mail, or the mail server refused it: the case stays flagged "not sent" on the
    worklist)."""
    from .collection_documents import collection_notice_pdf

    customer = cases[0].customer
    to = notice_recipients(cases)
    if not to:
        return 0
    invoices = list(overdue_invoices(on).filter(customer=customer))
    pdf = collection_notice_pdf(customer, invoices, on=on)
    total = sum((invoice_open(invoice) for invoice in invoices), ZERO)
    salesperson = cases[0].salesperson
    message = EmailMessage(
        _("Collection notice: overdue payment {amount}").format(amount=yuan(total)),
        _(
            "Dear {customer},\n\nplease find attached our collection notice for the overdue "
            "invoices listed in it, {amount} in total. Please arrange the payment or tell us "
            "when it will be made.\n\n{salesperson}"
        ).format(
            customer=customer.name,
            amount=yuan(total),
            salesperson=salesperson.get_full_name() or salesperson.username,
        ),
        to=to,
        reply_to=[salesperson.email] if salesperson.email else None,
    )
    message.attach(f"collection-notice-{customer.code}-{on:%Y%m%d}.pdf", pdf, "application/pdf")
    if not message.send(fail_silently=True):
        return 0
    with transaction.atomic():
        for case in cases:
            locked = CollectionCase.objects.select_for_update().get(pk=case.pk)
            locked.notice_sent_on = on
            locked.save(update_fields=["notice_sent_on"])
            contact = PaymentContact.objects.create(
                customer=customer,
                invoice_id=case.invoice_id,
                case=locked,
                channel=ContactChannel.EMAIL,
                summary=_("Collection notice e-mailed to {to}.").format(to=", ".join(to)),
                by=by,
            )
            audit.record(
                contact,
                "collection_notice_sent",
                by=by,
                changes={"to": (None, ", ".join(to))},
            )
    return 1


def notify_escalation(case: CollectionCase, on: dt.date, finance: list[Any]) -> int:
    """E-mail the salesperson's supervisor (else the general managers) and finance."""
    supervisor = case.salesperson.supervisor
    managers = (
        [supervisor]
        if supervisor is not None and supervisor.is_active
        else list(
            get_user_model()
            .objects.filter(groups__name=GENERAL_MANAGER, is_active=True)
            .order_by("pk")
        )
    )
    to: list[str] = []
    for person in [*managers, *finance]:
        if person.email and person.email not in to:
            to.append(person.email)
    if not to:
        return 0
    invoice = case.invoice
    EmailMessage(
        _("Collection escalated: invoice {number} ({customer})").format(
            number=invoice.number, customer=case.customer.name
        ),
        _(
            "Invoice {number} of {customer} (order {order}, salesperson {salesperson}) is "
            "{days} days overdue with {amount} open; the collection notice did not bring the "
            "payment. Please take it up with the customer."
        ).format(
            number=invoice.number,
            customer=case.customer.name,
            order=invoice.order.number,
            salesperson=case.salesperson.get_full_name() or case.salesperson.username,
            days=days_overdue(invoice, on),
            amount=yuan(invoice_open(invoice)),
        ),
        to=to,
    ).send(fail_silently=True)
    return 1

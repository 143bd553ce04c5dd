"""Monthly customer statements (对账单): figures, generation, sending and the customer's
answer (MISSION §9: "monthly statements reconciled with the customer").

- :func:`statement_figures` (a read): the balance at the start of a month, the month's
  invoices, credit notes, voids and payments with a running balance, and the balance at
  its end. The balance is the one of ``selectors.balance`` — issued invoices − credit notes
  − payments — taken as of a day: an invoice counts from its issue date (``issued_on``), a
  credit note from its date, a payment from the day it was received. A voided invoice
  counts until the day it was voided, so a statement the customer already saw stays
  explained: an invoice of October voided in November appears on the November statement
  as a void line. Voided in the month it was issued, it appears on no statement. On any
  day after the last void, the figures equal ``selectors.balance``.
- :func:`generate_statement` (one customer, asked for explicitly) and
  :func:`generate_month` (the monthly job: every customer with activity in the month or a
  balance) store the figures as a snapshot (``Statement``). A statement the customer has
  not answered yet is replaced when generated again (audited with the old and new
  figures); an answered one is kept as answered (409).
- :func:`send_statement` e-mails the PDF and the Excel file with the link to the public
  page where the customer confirms or disputes it (:func:`respond_by_token`); finance can
  also record an answer received another way (:func:`record_response`).

Only complete months: a month that has not ended yet has no statement (422).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import smtplib
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orderdesk.accounts.selectors import system_user
from orderdesk.core import audit, permissions
from orderdesk.core.errors import Conflict, NotFound, ValidationFailed
from orderdesk.core.money import to_fen, yuan
from orderdesk.customers.models import Customer
from orderdesk.customers.selectors import lock_customer
from orderdesk.orders.documents import day, person

from . import selectors
from .models import CreditNote, Invoice, InvoiceStatus, Payment, Statement, StatementStatus

logger = logging.getLogger(__name__)

ZERO = Decimal(0)
FINANCE = "billing.record_payments"
"""Finance generates and sends statements and records the customer's answer."""
KINDS = ("invoice", "credit_note", "void", "payment")
"""Line kinds, in the order they are listed within a day."""
FIGURES = ("opening_balance", "invoiced", "credited", "paid", "closing_balance")
MONTH = re.compile(r"(\d{4})-(\d{1,2})")
MAX_NAME, MAX_NOTE = 100, 1000


# --- months ---------------------------------------------------------------------------------


def parse_month(value: Any) -> dt.date:
    """The first day of a month given as ``YYYY-MM`` or as any date in it."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    found = MONTH.fullmatch(str(value or "").strip())
    if found is not None:
        year, month = int(found[1]), int(found[2])
        if 2000 <= year <= 9999 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    raise ValidationFailed(
        _("Give the month as YYYY-MM, for example 2026-11."),
        code="invalid_month",
        fields={"month": _("Enter a month as YYYY-MM.")},
    )


def month_end(period: dt.date) -> dt.date:
    following = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def last_month(today: dt.date | None = None) -> dt.date:
    """The first day of the month before ``today``'s (the latest complete month)."""
    today = today or timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def require_ended(period: dt.date) -> dt.date:
    if month_end(period) >= timezone.localdate():
        raise ValidationFailed(
            _(
                "{month} has not ended yet; a statement covers a complete month. Generate it "
                "from the first day of the next month."
            ).format(month=f"{period:%Y-%m}"),
            code="month_not_ended",
            fields={"month": _("Choose a month that has ended.")},
        )
    return period


def start_of(on: dt.date) -> dt.datetime:
    """Midnight at the start of ``on``, company time."""
    return timezone.make_aware(dt.datetime.combine(on, dt.time()))


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


# --- figures (reads) ------------------------------------------------------------------------


def counted_invoices(customer: Customer, on: dt.date) -> QuerySet[Invoice]:
    """Invoices that are receivables at the end of ``on``: issued by then and not voided
    by then."""
    return Invoice.objects.filter(
        customer=customer, status__in=(InvoiceStatus.ISSUED, InvoiceStatus.VOID), issued_on__lte=on
    ).filter(Q(status=InvoiceStatus.ISSUED) | Q(voided_at__gte=start_of(on + dt.timedelta(days=1))))


def counted_credit_notes(customer: Customer) -> QuerySet[CreditNote]:
    # As selectors.balance: the credit notes of issued invoices (an invoice with credit
    # notes cannot be voided, so none are left out in practice).
    return CreditNote.objects.filter(customer=customer).exclude(invoice__status=InvoiceStatus.VOID)


def balance_on(customer: Customer, on: dt.date) -> Decimal:
    """What the customer owed at the end of ``on`` (negative: in credit)."""
    invoiced = selectors.total(counted_invoices(customer, on), "gross_amount")
    credited = selectors.total(
        counted_credit_notes(customer).filter(issued_on__lte=on), "gross_amount"
    )
    paid = selectors.total(Payment.objects.filter(customer=customer, received_on__lte=on), "amount")
    return invoiced - credited - paid


@dataclass
class Entry:
    on: dt.date
    kind: str
    number: str
    reference: str
    order: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    def sort_key(self) -> tuple[dt.date, int, str]:
        return (self.on, KINDS.index(self.kind), self.number)


def month_entries(customer: Customer, start: dt.date, end: dt.date) -> list[Entry]:
    """The month's invoices, voids, credit notes and payments, in date order."""
    entries: list[Entry] = []
    invoices = (
        Invoice.objects.filter(
            customer=customer,
            status__in=(InvoiceStatus.ISSUED, InvoiceStatus.VOID),
            issued_on__lte=end,
        )
        .filter(
            Q(issued_on__gte=start)
            | Q(
                status=InvoiceStatus.VOID,
                voided_at__gte=start_of(start),
                voided_at__lt=start_of(end + dt.timedelta(days=1)),
            )
        )
        .select_related("order")
    )
    for invoice in invoices:
        issued_on: dt.date = invoice.issued_on  # type: ignore[assignment]
        voided_on = None
        if invoice.status == InvoiceStatus.VOID and invoice.voided_at is not None:
            # Never before the issue date (dates of demo history are set back by hand).
            voided_on = max(local_day(invoice.voided_at), issued_on)
        issued_here = start <= issued_on <= end
        voided_here = voided_on is not None and start <= voided_on <= end
        if issued_here and voided_here:
            continue  # issued and voided within the month: never owed at a month's end
        described = (invoice.number, invoice.fapiao_number or "", invoice.order.number)
        if issued_here:
            entries.append(Entry(issued_on, "invoice", *described, debit=invoice.gross_amount))
        if voided_here and voided_on is not None:
            entries.append(Entry(voided_on, "void", *described, credit=invoice.gross_amount))
    notes = (
        counted_credit_notes(customer)
        .filter(issued_on__gte=start, issued_on__lte=end)
        .select_related("invoice__order")
    )
    entries += [
        Entry(
            note.issued_on,
            "credit_note",
            note.number,
            note.invoice.fapiao_number or note.invoice.number,
            note.invoice.order.number,
            credit=note.gross_amount,
        )
        for note in notes
    ]
    payments = Payment.objects.filter(
        customer=customer, received_on__gte=start, received_on__lte=end
    )
    entries += [
        Entry(
            payment.received_on,
            "payment",
            payment.number,
            payment.reference,
            "",
            credit=payment.amount,
        )
        for payment in payments
    ]
    entries.sort(key=Entry.sort_key)
    return entries


def statement_figures(customer: Customer, period: Any) -> dict[str, Any]:
    """The statement of ``customer`` for the month ``period`` (``YYYY-MM`` or a date in it)
    as it stands now: opening balance, the month's lines with a running balance, the
    totals and the closing balance (= the balance at the end of the month)."""
    start = parse_month(period)
    end = month_end(start)
    opening = balance_on(customer, start - dt.timedelta(days=1))
    running = opening
    lines = []
    totals = {"invoiced": ZERO, "credited": ZERO, "paid": ZERO}
    for entry in month_entries(customer, start, end):
        running += entry.debit - entry.credit
        if entry.kind == "invoice":
            totals["invoiced"] += entry.debit
        elif entry.kind == "payment":
            totals["paid"] += entry.credit
        else:
            totals["credited"] += entry.credit
        lines.append(
            {
                "date": entry.on.isoformat(),
                "kind": entry.kind,
                "number": entry.number,
                "reference": entry.reference,
                "order": entry.order,
                "debit": str(to_fen(entry.debit)),
                "credit": str(to_fen(entry.credit)),
                "balance": str(to_fen(running)),
            }
        )
    closing = opening + totals["invoiced"] - totals["credited"] - totals["paid"]
    return {
        "customer_id": customer.pk,
        "period": start,
        "period_end": end,
        "opening_balance": to_fen(opening),
        "invoiced": to_fen(totals["invoiced"]),
        "credited": to_fen(totals["credited"]),
        "paid": to_fen(totals["paid"]),
        "closing_balance": to_fen(closing),
        "lines": lines,
    }


def has_activity(figures: dict[str, Any]) -> bool:
    """Worth a statement: something happened in the month, or something is owed (or in
    credit) at its end."""
    return bool(figures["lines"]) or figures["closing_balance"] != 0


# --- visibility -----------------------------------------------------------------------------


def statements_visible_to(user: Any) -> QuerySet[Statement]:
    """Statements of the customers whose receivables ``user`` may see (sales: their own)."""
    return Statement.objects.filter(customer__in=selectors.visible_customers(user))


def statement_for(user: Any, statement_id: int) -> Statement:
    found = (
        statements_visible_to(user)
        .select_related("customer", "generated_by", "recorded_by")
        .filter(pk=statement_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such statement."), code="statement_not_found")
    return found


def statement_for_token(token: str) -> Statement:
    """The statement a link in the e-mail points to; a wrong link is a 404."""
    token = (token or "").strip()
    found = (
        Statement.objects.select_related("customer").filter(token=token).first()
        if 20 <= len(token) <= 64
        else None
    )
    if found is None:
        raise NotFound(
            _("This statement link is not valid. Please contact your salesperson."),
            code="statement_link_invalid",
        )
    return found


def require_finance(by: Any, customer: Customer) -> None:
    permissions.require(by, FINANCE)
    if not selectors.visible_customers(by).filter(pk=customer.pk).exists():
        raise NotFound(_("No such customer."), code="customer_not_found")


def public_url(statement: Statement) -> str:
    """The page where the customer confirms or disputes (no login), for the e-mail."""
    path = reverse("billing:statement_public", args=[statement.token])
    return f"{settings.ORDERDESK_BASE_URL}{path}"


def recipients(customer: Customer) -> list[str]:
    """Whom the statement goes to: the primary contact, else the first contact, who has an
    e-mail address and has not left."""
    contact = (
        customer.contacts.filter(left_on__isnull=True)
        .exclude(email="")
        .order_by("-is_primary", "pk")
        .first()
    )
    return [contact.email] if contact is not None else []


# --- generating -----------------------------------------------------------------------------


def generate_statement(customer: Customer, month: Any, *, by: Any) -> Statement:
    """Generate (or generate again) the statement of ``customer`` for ``month`` (生成对账单).

    Asked for explicitly, a customer without activity gets a statement all the same (all
    zeros before it existed). Refused for a month that has not ended (422) and for a
    statement the customer already answered (409).
    """
    require_finance(by, customer)
    period = require_ended(parse_month(month))
    statement, _outcome = generate(customer, period, by=by)
    return cast(Statement, statement)  # only a job's run skips a customer


def generate_month(period: Any, *, by: Any = None) -> dict[str, int]:
    """Generate the statements of a month for every customer with activity in it or a
    balance at its end (the monthly job). Safe to run again: unchanged statements are left
    alone, unanswered ones are brought up to date, answered ones are skipped. Counts of
    what it did."""
    by = by or system_user()
    permissions.require(by, FINANCE)
    start = require_ended(parse_month(period))
    end = month_end(start)
    counts = dict.fromkeys(("created", "updated", "unchanged", "answered", "skipped"), 0)
    candidates = (
        selectors.visible_customers(by)
        .filter(
            Q(
                pk__in=Invoice.objects.filter(
                    issued_on__lte=end, status__in=(InvoiceStatus.ISSUED, InvoiceStatus.VOID)
                ).values("customer_id")
            )
            | Q(pk__in=Payment.objects.filter(received_on__lte=end).values("customer_id"))
            | Q(pk__in=Statement.objects.filter(period=start).values("customer_id"))
        )
        .order_by("pk")
    )
    answered = set(
        Statement.objects.filter(period=start)
        .exclude(status=StatementStatus.ISSUED)
        .values_list("customer_id", flat=True)
    )
    for customer in candidates:
        if customer.pk in answered:
            counts["answered"] += 1
            continue
        try:
            _statement, outcome = generate(customer, start, by=by, only_with_activity=True)
        except Conflict:
            outcome = "answered"  # answered meanwhile
        counts[outcome] += 1
    return counts


def generate(
    customer: Customer, period: dt.date, *, by: Any, only_with_activity: bool = False
) -> tuple[Statement | None, str]:
    """Create or refresh one statement under the customer's row lock; the outcome is
    ``created``, ``updated``, ``unchanged`` or ``skipped`` (no activity, not asked for)."""
    with transaction.atomic():
        lock_customer(customer.pk)
        existing = (
            Statement.objects.select_for_update().filter(customer=customer, period=period).first()
        )
        if existing is not None and existing.answered:
            raise answered_conflict(existing, _("It can no longer be generated again."))
        figures = statement_figures(customer, period)
        if existing is None:
            if only_with_activity and not has_activity(figures):
                return None, "skipped"
            statement = Statement.objects.create(
                customer=customer,
                period=period,
                token=secrets.token_urlsafe(32),
                generated_by=by,
                generated_at=timezone.now(),
                **{name: figures[name] for name in (*FIGURES, "lines")},
            )
            audit.record(
                statement,
                "statement_generated",
                by=by,
                changes={name: (None, figures[name]) for name in FIGURES}
                | {"lines": (None, len(figures["lines"]))},
            )
            return statement, "created"
        changes = {
            name: (getattr(existing, name), figures[name])
            for name in FIGURES
            if getattr(existing, name) != figures[name]
        }
        if existing.lines != figures["lines"]:
            changes["lines"] = (len(existing.lines), len(figures["lines"]))
        if not changes:
            return existing, "unchanged"
        for name in (*FIGURES, "lines"):
            setattr(existing, name, figures[name])
        existing.generated_by = by
        existing.generated_at = timezone.now()
        existing.save(update_fields=[*FIGURES, "lines", "generated_by", "generated_at"])
        audit.record(existing, "statement_regenerated", by=by, changes=changes)
        return existing, "updated"


def answered_conflict(statement: Statement, then: str) -> Conflict:
    values = {
        "customer": statement.customer.name,
        "month": statement.month,
        "date": day(local_day(statement.responded_at)) if statement.responded_at else "",
    }
    if statement.status == StatementStatus.CONFIRMED:
        text = _("{customer} already confirmed the statement for {month} on {date}.")
    else:
        text = _("{customer} already disputed the statement for {month} on {date}.")
    return Conflict(f"{text.format(**values)} {then}".strip(), code="statement_answered")


# --- sending --------------------------------------------------------------------------------


def statement_message(statement: Statement, to: list[str]) -> EmailMessage:
    from orderdesk.orders.services.confirmation import company_name

    from .statement_documents import statement_filename, statement_pdf, statement_xlsx

    customer = statement.customer
    owner = customer.owner
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Statement of account {month} from {company}").format(
            month=statement.month, company=company_name()
        )
        body = _(
            "Dear {customer},\n\n"
            "please find attached our statement of your account for {month} (PDF and Excel).\n\n"
            "Opening balance: {opening}\nInvoiced: {invoiced}\nCredit notes and voids: "
            "{credited}\nPayments received: {paid}\nClosing balance: {closing}\n\n"
            "Please check it and confirm it, or tell us what does not agree, on this page:\n"
            "{url}\n\n"
            "or sign and stamp the attached statement and send it back to us.\n\n"
            "Your salesperson: {salesperson} {email}\n{company}"
        ).format(
            customer=customer.name,
            month=statement.month,
            opening=yuan(statement.opening_balance),
            invoiced=yuan(statement.invoiced),
            credited=yuan(statement.credited),
            paid=yuan(statement.paid),
            closing=yuan(statement.closing_balance),
            url=public_url(statement),
            salesperson=person(owner),
            email=owner.email,
            company=company_name(),
        )
        pdf = statement_pdf(statement)
        workbook = statement_xlsx(statement)
    message = EmailMessage(subject, body, to=to, reply_to=[owner.email] if owner.email else None)
    message.attach(statement_filename(statement, "pdf"), pdf, "application/pdf")
    message.attach(
        statement_filename(statement, "xlsx"),
        workbook,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return message


def send_statement(statement: Statement, *, by: Any) -> list[str]:
    """E-mail the statement (PDF and Excel, with the link to confirm it) to the customer's
    contact; the addresses it went to. Refused once the customer answered (409) and when
    no contact has an e-mail address (422). A mail server that refuses is recorded and
    reported as a conflict."""
    statement = Statement.objects.select_related("customer", "customer__owner").get(pk=statement.pk)
    require_finance(by, statement.customer)
    if statement.answered:
        raise answered_conflict(statement, _("It needs no sending."))
    to = recipients(statement.customer)
    if not to:
        raise ValidationFailed(
            _(
                "No contact of {customer} has an e-mail address: add one on the customer page, "
                "or print the statement and send it by post."
            ).format(customer=statement.customer.name),
            code="no_contact_email",
            fields={"contact_email": _("No contact with an e-mail address.")},
        )
    error = ""
    try:
        statement_message(statement, to).send()
    except (smtplib.SMTPException, OSError) as failure:
        logger.exception("statement %s to %s failed", statement.pk, to)
        error = str(failure)[:500]
    with transaction.atomic():
        locked = (
            Statement.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=statement.pk)
        )
        if not error:
            locked.sent_at = timezone.now()
            locked.sent_to = ", ".join(to)[:254]
            locked.save(update_fields=["sent_at", "sent_to"])
        audit.record(
            locked,
            "statement_send_failed" if error else "statement_sent",
            by=by,
            changes={"sent_to": (None, ", ".join(to))},
            reason=error,
        )
    if error:
        raise Conflict(
            _("The statement could not be sent: %(error)s") % {"error": error},
            code="send_failed",
        )
    return to


# --- the customer's answer ------------------------------------------------------------------


def clean_answer(confirmed: bool, name: Any, note: Any) -> tuple[str, str]:
    name, note = str(name or "").strip(), str(note or "").strip()
    note_field = "note" if confirmed else "reason"
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter the name of the person answering for the customer.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Use at most 100 characters.")
    if not confirmed and not note:
        errors["reason"] = _("Say which figures do not agree and why.")
    elif len(note) > MAX_NOTE:
        errors[note_field] = _("Use at most 1000 characters.")
    if errors:
        code = "dispute_reason_required" if set(errors) == {"reason"} else "invalid_answer"
        raise ValidationFailed(_("Correct the highlighted fields."), code=code, fields=errors)
    return name, note


def record_response(
    statement: Statement, *, confirmed: bool, name: Any, note: Any = "", by: Any = None
) -> Statement:
    """The customer's answer (客户确认 / 异议): confirmed, or disputed with a reason.

    ``by`` is the finance user who records an answer received another way (a signed copy,
    a call); without it the customer answered on the public page. A statement is answered
    once (409 the second time).
    """
    if by is not None:
        require_finance(by, statement.customer)
    name, note = clean_answer(confirmed, name, note)
    status = StatementStatus.CONFIRMED if confirmed else StatementStatus.DISPUTED
    with transaction.atomic():
        # Only the statement's row: generate() locks the customer first, then the statement.
        locked = (
            Statement.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=statement.pk)
        )
        if locked.answered:
            raise answered_conflict(locked, "")
        locked.status = status
        locked.responded_at = timezone.now()
        locked.responder_name = name
        locked.response_note = note
        locked.recorded_by = by
        locked.save(
            update_fields=[
                "status",
                "responded_at",
                "responder_name",
                "response_note",
                "recorded_by",
            ]
        )
        audit.record(
            locked,
            "statement_confirmed" if confirmed else "statement_disputed",
            by=by or system_user(),
            changes={
                "status": (StatementStatus.ISSUED, status),
                "responder": (None, name),
                "via": (None, "recorded" if by is not None else "link"),
            },
            reason=note,
        )
        if by is None:
            transaction.on_commit(partial(mail_answer, locked.pk))
    return locked


def respond_by_token(token: str, *, confirmed: bool, name: Any, note: Any = "") -> Statement:
    """The customer confirms or disputes on the page the e-mailed link opens."""
    return record_response(statement_for_token(token), confirmed=confirmed, name=name, note=note)


def mail_answer(statement_id: int) -> None:
    """Tell the customer's salesperson and whoever generated the statement how the customer
    answered (after commit; a mail server that is down is logged, not a refusal)."""
    statement = Statement.objects.select_related("customer", "customer__owner", "generated_by").get(
        pk=statement_id
    )
    to: list[str] = []
    for user in (statement.customer.owner, statement.generated_by):
        if user.email and user.is_active and user.email not in to:
            to.append(user.email)
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Statement {month} of {customer}: {answer}").format(
            month=statement.month,
            customer=statement.customer.name,
            answer=statement.get_status_display(),
        )
        body = _("{name} answered the statement {month} of {customer}: {answer}. {note}").format(
            name=statement.responder_name,
            month=statement.month,
            customer=statement.customer.name,
            answer=statement.get_status_display(),
            note=statement.response_note,
        )
    try:
        EmailMessage(subject, body.strip(), to=to).send()
    except (smtplib.SMTPException, OSError):
        logger.exception("mail to %s failed: %s", to, subject)

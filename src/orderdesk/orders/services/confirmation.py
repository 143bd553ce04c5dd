"""The customer's confirmation of an approved order (订单确认书 / 客户确认).

- :func:`send_confirmation` e-mails the order confirmation (PDF, ``documents.py``) to the
  order's contact with a link to a public page where the customer confirms; the order waits
  for the customer (待客户确认) and the answer is due ``ReviewSettings.confirmation_days``
  working days later.
- The customer confirms by the link (:func:`confirm_by_token`), or customer service records
  it: the signed copy uploaded (:func:`record_signed_copy`) or a confirmation received
  another way, noted (:func:`record_confirmation`).
- :func:`shift_late_confirmations` (a daily job, ``tasks.py``): for each working day an
  answer is late, the promised date of an order still waiting moves back one working day;
  the salesperson and the customer are told. It remembers how many days it has moved the
  order (``confirmation_delay_days``), so running it twice a day moves nothing twice. An
  order released early (A grade) keeps its date but its confirmation is chased the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orderdesk.accounts.selectors import system_user
from orderdesk.core import audit, permissions, workcalendar
from orderdesk.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from orderdesk.core.money import yuan
from orderdesk.core.worklist import Task

from .. import documents, lifecycle, selectors
from ..models import Attachment, AttachmentKind, ConfirmationStatus, Order, OrderStatus
from . import attachments

logger = logging.getLogger(__name__)

SEND = "orders.enter_orders"
"""Sales and customer service send confirmations and record the customer's answer."""
BEFORE_APPROVAL = frozenset(
    {OrderStatus.DRAFT, OrderStatus.IN_REVIEW, OrderStatus.RETURNED, OrderStatus.CANCELLED}
)
"""Statuses without an order confirmation: it exists once the order is approved."""
CHASED = (OrderStatus.AWAITING_CONFIRMATION, OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION)
"""Where an open confirmation is chased; only an order still waiting has its date moved."""
C = ConfirmationStatus


# --- reads --------------------------------------------------------------------------------


def require_confirmation_exists(order: Order) -> None:
    if order.status in BEFORE_APPROVAL:
        raise InvalidTransition(
            _(
                "Order {number} has no order confirmation: it is made once the order is "
                "approved (and not for a cancelled order)."
            ).format(number=order.number),
            code="not_approved",
        )


def confirmation_document(order: Order) -> bytes:
    """The order confirmation PDF of an approved (or later) order."""
    require_confirmation_exists(order)
    return documents.confirmation_pdf(order)


def order_for_token(token: str) -> Order:
    """The order a confirmation link points to; a wrong or withdrawn link is a 404."""
    token = (token or "").strip()
    order = (
        Order.objects.select_related("customer", "salesperson").filter(confirmation_token=token)
        if 20 <= len(token) <= 64
        else Order.objects.none()
    ).first()
    if order is None or order.status in BEFORE_APPROVAL - {OrderStatus.CANCELLED}:
        raise NotFound(
            _("This confirmation link is not valid. Please contact your salesperson."),
            code="confirmation_link_invalid",
        )
    return order


def recipients(order: Order) -> list[str]:
    """Whom the confirmation goes to: the order's contact, else the customer's contact of
    that name, else the primary contact — the first of them with an e-mail who has not
    left."""
    contacts = list(order.customer.contacts.filter(left_on__isnull=True).exclude(email=""))
    chosen = (
        next((c for c in contacts if c.pk == order.contact_id), None)
        or next((c for c in contacts if order.contact_name and c.name == order.contact_name), None)
        or next((c for c in contacts if c.is_primary), None)
    )
    return [chosen.email] if chosen is not None else []


def public_url(order: Order) -> str:
    """The confirmation page for the customer (no login), from ``ORDERDESK_BASE_URL``."""
    path = reverse("orders:confirm_public", args=[order.confirmation_token])
    return f"{settings.ORDERDESK_BASE_URL}{path}"


def order_page(order_id: int) -> str:
    """The order page (built by the order pages module), for tasks and e-mails."""
    try:
        return reverse("orders:detail", args=[order_id])
    except NoReverseMatch:
        return f"/orders/{order_id}/"


def chase_tasks_for(user: Any) -> list[Task]:
    """ "My tasks" source: the salesperson's confirmations still open, due date first."""
    if getattr(user, "pk", None) is None:
        return []
    orders = (
        Order.objects.filter(salesperson=user, confirmation_status=C.SENT, status__in=CHASED)
        .select_related("customer")
        .order_by("confirmation_due_on", "pk")[:200]
    )
    return [
        Task(
            kind=_("Customer confirmations to chase"),
            title=f"{order.number} · {order.customer.name}",
            url=order_page(order.pk),
            due_at=end_of(order.confirmation_due_on),
            detail=_("Sent {sent}; {days} working days late").format(
                sent=timezone.localtime(order.confirmation_sent_at).strftime("%Y-%m-%d"),
                days=order.confirmation_delay_days,
            )
            if order.confirmation_delay_days and order.confirmation_sent_at
            else "",
        )
        for order in orders
    ]


def end_of(day: dt.date | None) -> dt.datetime | None:
    """The end of ``day`` in company time: the moment a deadline on that day has passed."""
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


# --- writes -------------------------------------------------------------------------------


def send_confirmation(order: Order, *, by: Any) -> Order:
    """E-mail the order confirmation to the customer's contact (发送订单确认书).

    The first time, an approved order becomes "awaiting customer confirmation" with a
    deadline of ``confirmation_days`` working days and a fresh link. Sending again (while the
    answer is open) re-sends the same link and keeps the deadline, so the clock of a late
    confirmation is not reset.
    """
    permissions.require(by, SEND)
    with transaction.atomic():
        locked = selectors.lock_visible_order(by, order.pk)
        if locked.confirmation_status == C.CONFIRMED:
            raise Conflict(
                _("The customer already confirmed order {number}.").format(number=locked.number),
                code="already_confirmed",
            )
        first = locked.status == OrderStatus.APPROVED
        resend = locked.confirmation_status == C.SENT and locked.status != OrderStatus.CANCELLED
        if not first and not resend:
            # Refused by the state machine with the clear 409 it gives everywhere.
            lifecycle.move(locked, OrderStatus.AWAITING_CONFIRMATION, by=by)
        to = recipients(locked)
        if not to:
            raise ValidationFailed(
                _(
                    "The customer's contact has no e-mail address: add one to the contact, or "
                    "print the confirmation and upload the signed copy."
                ),
                code="no_contact_email",
                fields={"contact_id": _("No contact with an e-mail address.")},
            )
        if first:
            before = locked.confirmation_status
            locked.confirmation_status = C.SENT
            locked.confirmation_sent_at = timezone.now()
            locked.confirmation_due_on = workcalendar.add_working_days(
                timezone.localdate(), selectors.review_settings().confirmation_days
            )
            locked.confirmation_token = secrets.token_urlsafe(32)
            locked.confirmation_delay_days = 0
            locked.save(
                update_fields=[
                    "confirmation_status",
                    "confirmation_sent_at",
                    "confirmation_due_on",
                    "confirmation_token",
                    "confirmation_delay_days",
                ]
            )
            lifecycle.move(
                locked,
                OrderStatus.AWAITING_CONFIRMATION,
                by=by,
                action="order_awaiting_confirmation",
            )
            audit.record(
                locked,
                "confirmation_sent",
                by=by,
                changes={
                    "confirmation_status": (before, C.SENT),
                    "confirmation_due_on": (None, locked.confirmation_due_on),
                    "sent_to": (None, ", ".join(to)),
                },
            )
        else:
            audit.record(
                locked, "confirmation_resent", by=by, changes={"sent_to": (None, ", ".join(to))}
            )
        transaction.on_commit(partial(mail_confirmation, locked.pk, to))
    return locked


def confirm_by_token(token: str, *, name: str, note: str = "") -> Order:
    """The customer confirms on the public page reached by the e-mailed link."""
    name, note = clean_name_note(name, note, name_required=True)
    with transaction.atomic():
        found = order_for_token(token)
        locked = selectors.lock_order(found.pk)
        require_open(locked)
        confirm(locked, name=name, note=note, by=system_user(), via="link")
    return locked


def record_signed_copy(order: Order, *, file: Any, by: Any, note: str = "") -> Attachment:
    """Customer service uploads the signed confirmation (回签件); the order counts as
    confirmed by the customer. A copy arriving after a confirmation by link is filed too."""
    permissions.require(by, SEND)
    if errors := attachments.check_file(file):
        raise ValidationFailed(_("The signed copy cannot be stored."), fields=errors)
    _name, note = clean_name_note("", note)
    with transaction.atomic():
        locked = selectors.lock_visible_order(by, order.pk)
        require_confirmation_exists(locked)
        attachment = attachments.store(
            locked, file=file, kind=AttachmentKind.SIGNED_CONFIRMATION, by=by
        )
        if locked.confirmation_status != C.CONFIRMED:
            confirm(
                locked,
                name=locked.contact_name or locked.customer.name,
                note=note,
                by=by,
                via="signed_copy",
            )
    return attachment


def record_confirmation(order: Order, *, by: Any, note: str = "") -> Order:
    """Customer service notes a confirmation received another way (an e-mail reply, a
    message), with what the customer said."""
    permissions.require(by, SEND)
    _name, note = clean_name_note("", note)
    with transaction.atomic():
        locked = selectors.lock_visible_order(by, order.pk)
        require_confirmation_exists(locked)
        require_open(locked)
        confirm(
            locked,
            name=locked.contact_name or locked.customer.name,
            note=note,
            by=by,
            via="recorded",
        )
    return locked


def require_open(order: Order) -> None:
    if order.confirmation_status == C.CONFIRMED:
        raise Conflict(
            _("Order {number} was already confirmed on {date}.").format(
                number=order.number,
                date=timezone.localtime(order.confirmed_at).strftime("%Y-%m-%d")
                if order.confirmed_at
                else "",
            ),
            code="already_confirmed",
        )
    if order.status == OrderStatus.CANCELLED:
        raise InvalidTransition(
            _("Order {number} was cancelled; it needs no confirmation.").format(
                number=order.number
            ),
            code="order_cancelled",
        )


def confirm(order: Order, *, name: str, note: str, by: Any, via: str) -> None:
    """Mark a locked order confirmed by the customer and tell the salesperson."""
    before = order.confirmation_status
    order.confirmation_status = C.CONFIRMED
    order.confirmed_at = timezone.now()
    order.confirmed_by_name = name[:100]
    order.confirmation_note = note[:1000]
    order.save(
        update_fields=[
            "confirmation_status",
            "confirmed_at",
            "confirmed_by_name",
            "confirmation_note",
            "updated_at",
        ]
    )
    audit.record(
        order,
        "confirmation_received",
        by=by,
        changes={
            "confirmation_status": (before, C.CONFIRMED),
            "confirmed_by": (None, order.confirmed_by_name),
            "via": (None, via),
        },
        reason=order.confirmation_note,
    )
    transaction.on_commit(partial(mail_confirmed, order.pk))


def clean_name_note(name: str, note: str, *, name_required: bool = False) -> tuple[str, str]:
    name, note = (name or "").strip(), (note or "").strip()
    errors = {}
    if name_required and not name:
        errors["name"] = _("Enter your name.")
    elif len(name) > 100:
        errors["name"] = _("Use at most 100 characters.")
    if len(note) > 1000:
        errors["note"] = _("Use at most 1000 characters.")
    if errors:
        raise ValidationFailed(_("Correct the highlighted fields."), fields=errors)
    return name, note


def shift_late_confirmations(*, today: dt.date | None = None, by: Any = None) -> int:
    """The daily job: move the promised date of orders whose confirmation is late by one
    working day per working day late, and tell the salesperson and the customer. Returns
    how many orders it changed; a second run on the same day changes none."""
    today = today or timezone.localdate()
    by = by or system_user()
    calendar = workcalendar.current()
    due = Order.objects.filter(
        confirmation_status=C.SENT, confirmation_due_on__lt=today, status__in=CHASED
    ).values_list("pk", flat=True)
    changed = 0
    for order_id in list(due):
        with transaction.atomic():
            locked = (
                Order.objects.select_for_update(skip_locked=True)
                .filter(pk=order_id, confirmation_status=C.SENT, status__in=CHASED)
                .first()
            )
            if locked is None or locked.confirmation_due_on is None:
                continue  # confirmed meanwhile, or another worker has it
            late = working_days_after(calendar, locked.confirmation_due_on, today)
            more = late - locked.confirmation_delay_days
            if more <= 0:
                continue
            changes: dict[str, tuple[Any, Any]] = {
                "confirmation_delay_days": (locked.confirmation_delay_days, late)
            }
            moved = locked.status == OrderStatus.AWAITING_CONFIRMATION and bool(
                locked.promised_date
            )
            if moved and locked.promised_date:
                new_date = calendar.add_working_days(locked.promised_date, more)
                changes["promised_date"] = (locked.promised_date, new_date)
                locked.promised_date = new_date
            locked.confirmation_delay_days = late
            locked.save(update_fields=["confirmation_delay_days", "promised_date", "updated_at"])
            audit.record(
                locked,
                "confirmation_late",
                by=by,
                changes=changes,
                reason=_(
                    "The customer's confirmation was due {due} and is {days} working days late."
                ).format(due=locked.confirmation_due_on.isoformat(), days=late),
            )
            transaction.on_commit(partial(mail_late, locked.pk, moved))
            changed += 1
    return changed


def working_days_after(calendar: workcalendar.WorkCalendar, start: dt.date, end: dt.date) -> int:
    """Working days in ``(start, end]``."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if calendar.is_workday(day):
            count += 1
    return count


# --- mail (after commit) ------------------------------------------------------------------


def send(message: EmailMessage) -> None:
    """Send after the change is committed; a mail server that is down is logged, not a
    refusal of the change (the audit trail and the order page show what was sent)."""
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        logger.exception("mail to %s failed: %s", message.to, message.subject)


def customer_mail(
    order: Order,
    subject: str,
    body: str,
    to: list[str],
    *,
    attachment: tuple[str, bytes] | None = None,
) -> EmailMessage:
    """A message to the customer about ``order`` (a PDF attached); replies go to the
    order's salesperson."""
    message = EmailMessage(
        subject,
        body,
        to=to,
        reply_to=[order.salesperson.email] if order.salesperson.email else None,
    )
    if attachment is not None:
        message.attach(attachment[0], attachment[1], "application/pdf")
    return message


def company_name() -> str:
    from orderdesk.core.models import CompanyProfile

    profile = CompanyProfile.objects.filter(pk=1).first()
    return profile.name if profile else ""


def mail_confirmation(order_id: int, to: list[str]) -> None:
    order = Order.objects.select_related("customer", "salesperson").get(pk=order_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Order confirmation {number} from {company}").format(
            number=order.number, company=company_name()
        )
        body = _(
            "Dear {contact},\n\n"
            "thank you for your order. Attached is the order confirmation {number} "
            "(total {total}).\n\n"
            "Please check it and confirm by {due} on this page:\n{url}\n\n"
            "or sign and stamp the attached confirmation and send it back to us.\n\n"
            "Your salesperson: {salesperson} {email}\n{company}"
        ).format(
            contact=order.contact_name or order.customer.name,
            number=order.number,
            total=yuan(order.total_amount),
            due=documents.day(order.confirmation_due_on),
            url=public_url(order),
            salesperson=documents.person(order.salesperson),
            email=order.salesperson.email,
            company=company_name(),
        )
        pdf = documents.confirmation_pdf(order)
    message = customer_mail(order, subject, body, to, attachment=(f"{order.number}.pdf", pdf))
    send(message)


def mail_confirmed(order_id: int) -> None:
    order = Order.objects.select_related("customer", "salesperson").get(pk=order_id)
    if not order.salesperson.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        message = EmailMessage(
            _("Order {number} confirmed by {customer}").format(
                number=order.number, customer=order.customer.name
            ),
            _("{name} confirmed order {number} for {customer}. {note}")
            .format(
                name=order.confirmed_by_name,
                number=order.number,
                customer=order.customer.name,
                note=order.confirmation_note,
            )
            .strip(),
            to=[order.salesperson.email],
        )
    send(message)


def mail_late(order_id: int, moved: bool) -> None:
    order = Order.objects.select_related("customer", "salesperson").get(pk=order_id)
    with translation.override(settings.LANGUAGE_CODE):
        if moved:
            text = _(
                "The confirmation of order {number} was due {due} and has not arrived: it is "
                "{days} working days late, so the promised delivery date moves to {promised}. "
                "Confirm here: {url}"
            )
        else:
            text = _(
                "The confirmation of order {number} was due {due} and has not arrived "
                "({days} working days late). Please confirm here: {url}"
            )
        body = text.format(
            number=order.number,
            due=documents.day(order.confirmation_due_on),
            days=order.confirmation_delay_days,
            promised=documents.day(order.promised_date),
            url=public_url(order),
        )
        subject = _("Order {number}: confirmation overdue").format(number=order.number)
    for to in (recipients(order), [order.salesperson.email] if order.salesperson.email else []):
        if to:
            send(EmailMessage(subject, body, to=to))

"""After-sales cases (售后工单): open, assign, move through their statuses.

``open_case`` is what the shipping app calls for each delivery exception (damage, short
quantity, wrong model, late arrival); customer service handles the case. The case is due two
working days after it was opened: :func:`due_from` adds twice the company's working-day
length in *working hours* (``core.workcalendar.add_working_hours``), so a case opened on
Friday evening is due at the end of Tuesday, not on Sunday evening as "two days later at the
same time" would say, and the time left shown on "My tasks" is counted in the same working
hours (``working_hours_between``).

Every change is one transaction, permission-checked and audited. Customer service (roles
``customer_service`` and ``customer_service_manager``) is e-mailed about every new case
once it is committed; a mail server that is down is logged, not a refusal.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
from collections.abc import Sequence
from decimal import Decimal
from functools import partial
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orderdesk.core import audit, numbering, permissions, workcalendar
from orderdesk.core.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.models import Order

from .models import ACTIVE, Case, CaseKind, CasePhoto, CaseStatus

logger = logging.getLogger(__name__)

HANDLE = "aftersales.handle_cases"
REPORT = "shipping.report_delivery_exceptions"
SERVICE_ROLES = ("customer_service", "customer_service_manager")
DUE_WORKING_DAYS = 2
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic", ".pdf"})
MAX_LINES = 500
MAX_DESCRIPTION = 4000
MAX_SOURCE = 200
MAX_NOTE = 1000

TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.CLOSED}),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.OPEN, CaseStatus.RESOLVED, CaseStatus.CLOSED}),
    CaseStatus.RESOLVED: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}
"""Resolved cases may be reopened (back in progress) until closed; closed is final."""
NOTE_NOT_NEEDED = frozenset({(CaseStatus.OPEN, CaseStatus.IN_PROGRESS)})
"""Every other change says why (what was done, why it is reopened or closed)."""


def may_open(user: Any) -> bool:
    return permissions.has(user, REPORT) or permissions.has(user, HANDLE)


def may_handle(user: Any) -> bool:
    return permissions.has(user, HANDLE)


def due_from(start: dt.datetime) -> dt.datetime:
    """Two working days after ``start``, counted in working hours of the company calendar."""
    calendar = workcalendar.current()
    day_length = sum(
        (
            dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, begin)
            for begin, end in calendar.hours.periods()
        ),
        dt.timedelta(0),
    )
    return calendar.add_working_hours(start, day_length * DUE_WORKING_DAYS)


# --- opening --------------------------------------------------------------------------------


def open_case(
    *,
    order: Order,
    kind: str,
    description: str,
    lines: list[dict[str, Any]],
    photos: Sequence[UploadedFile] = (),
    source: str = "",
    by: Any,
) -> Case:
    """Open a case for ``order`` (one transaction, audited) and e-mail customer service.

    ``lines`` is a non-empty list of objects naming what is affected (kept as given, decimals
    as strings). Callers holding their own transaction (shipping) get the case inside it;
    the e-mail leaves when the outermost transaction commits.
    """
    if not may_open(by):
        raise NotAllowed(
            _(
                "You may not open after-sales cases; ask for a role that reports delivery "
                "exceptions."
            ),
            code="permission_denied",
        )
    errors: dict[str, str] = {}
    if kind not in CaseKind.values:
        errors["kind"] = _("Choose the kind of problem: {kinds}.").format(
            kinds=", ".join(CaseKind.values)
        )
    description = description.strip() if isinstance(description, str) else ""
    if not description:
        errors["description"] = _("Describe the problem.")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("Use at most {count} characters.").format(count=MAX_DESCRIPTION)
    source = source.strip() if isinstance(source, str) else ""
    if len(source) > MAX_SOURCE:
        errors["source"] = _("Use at most {count} characters.").format(count=MAX_SOURCE)
    cleaned_lines, line_error = clean_lines(lines)
    if line_error:
        errors["lines"] = line_error
    photos = list(photos or ())
    photo_errors = [problem for photo in photos for problem in photo_problems(photo)]
    if photo_errors:
        errors["photos"] = " ".join(photo_errors)
    if errors:
        raise ValidationFailed(_("The case cannot be opened."), code="invalid_case", fields=errors)
    if not order_selectors.orders_visible_to(by).filter(pk=order.pk).exists():
        raise NotFound(code="order_not_found")
    with transaction.atomic():
        now = timezone.now()
        case = Case.objects.create(
            number=numbering.next_number("case", on=timezone.localdate(now)),
            order=order,
            kind=kind,
            lines=cleaned_lines,
            description=description,
            source=source,
            due_at=due_from(now),
            created_by=by,
        )
        for photo in photos:
            store_photo(case, photo, by=by)
        audit.record(
            case,
            "case_opened",
            by=by,
            changes={
                "kind": (None, kind),
                "order": (None, order.number),
                "lines": (None, len(cleaned_lines)),
                "photos": (None, len(photos)),
            },
            reason=source,
        )
        audit.record(order, "case_opened", by=by, changes={"case": (None, case.number)})
        transaction.on_commit(partial(mail_new_case, case.pk))
    return case


def clean_lines(lines: Any) -> tuple[list[dict[str, Any]], str]:
    """The lines as JSON-ready dicts, or an error message."""
    if not isinstance(lines, list | tuple) or not lines:
        return [], _("Name at least one affected line.")
    if len(lines) > MAX_LINES:
        return [], _("At most {count} lines.").format(count=MAX_LINES)
    cleaned = []
    for line in lines:
        if not isinstance(line, dict) or not line:
            return [], _("Each line is an object such as {example}.").format(
                example='{"sku": "…", "quantity": "2"}'
            )
        item = {str(key): plain(value) for key, value in line.items()}
        try:
            json.dumps(item)
        except (TypeError, ValueError):
            return [], _("The lines hold values that cannot be stored.")
        cleaned.append(item)
    return cleaned, ""


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def photo_problems(file: Any) -> list[str]:
    """What is wrong with one photo (empty when it may be stored)."""
    if file is None or not getattr(file, "name", ""):
        return [_("Choose a file.")]
    name = PurePath(file.name).name
    if PurePath(name).suffix.lower() not in PHOTO_SUFFIXES:
        return [
            _("{name}: use a photo (JPG, PNG, WebP, HEIC) or a PDF.").format(name=name),
        ]
    size = getattr(file, "size", None) or 0
    if size <= 0:
        return [_("{name} is empty.").format(name=name)]
    if size > MAX_PHOTO_BYTES:
        return [_("{name} is larger than 10 MB.").format(name=name)]
    return []


def store_photo(case: Case, file: UploadedFile, *, by: Any) -> CasePhoto:
    name = PurePath(file.name or "photo").name
    photo = CasePhoto(case=case, filename=name[:200], size=file.size or 0, uploaded_by=by)
    photo.file.save(name, file, save=False)
    photo.save()
    return photo


def add_photo(case: Case, file: UploadedFile, *, by: Any) -> CasePhoto:
    """File one more photo with a case that is not closed."""
    permissions.require(by, HANDLE)
    if problems := photo_problems(file):
        raise ValidationFailed(
            _("The photo cannot be added."), code="invalid_photo", fields={"file": problems[0]}
        )
    with transaction.atomic():
        locked = lock_case(case.pk)
        if locked.status == CaseStatus.CLOSED:
            raise InvalidTransition(
                _("Case {number} is closed.").format(number=locked.number), code="case_closed"
            )
        photo = store_photo(locked, file, by=by)
        audit.record(locked, "case_photo_added", by=by, changes={"photo": (None, photo.filename)})
    return photo


# --- handling -------------------------------------------------------------------------------


def lock_case(pk: int) -> Case:
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("order").filter(pk=pk).first()
    )
    if case is None:
        raise NotFound(code="case_not_found")
    return case


def assign(case: Case, owner: Any, *, by: Any) -> Case:
    """Give an open or in-progress case to ``owner`` (an active user who handles cases), or
    take it back from its owner with ``owner=None``. The new owner is e-mailed."""
    permissions.require(by, HANDLE)
    if owner is not None and not (
        getattr(owner, "is_active", False)
        and not getattr(owner, "is_system", False)
        and permissions.has(owner, HANDLE)
    ):
        raise ValidationFailed(
            _("Choose an active colleague who handles after-sales cases."),
            code="invalid_owner",
            fields={"owner": _("This user does not handle after-sales cases.")},
        )
    with transaction.atomic():
        locked = lock_case(case.pk)
        if locked.status not in ACTIVE:
            raise InvalidTransition(
                _("Case {number} is {status}; reopen it before assigning it.").format(
                    number=locked.number, status=CaseStatus(locked.status).label
                ),
                code="case_not_active",
            )
        old = locked.owner
        if old == owner:
            return locked
        locked.owner = owner
        locked.save(update_fields=["owner"])
        audit.record(
            locked,
            "case_assigned",
            by=by,
            changes={"owner": (person(old), person(owner))},
        )
        if owner is not None and owner != by and owner.email:
            transaction.on_commit(partial(mail_assigned, locked.pk, owner.email))
    return locked


def set_status(case: Case, status: str, note: str = "", *, by: Any) -> Case:
    """Move a case along ``TRANSITIONS``; a note is needed except to start working on it."""
    permissions.require(by, HANDLE)
    if status not in CaseStatus.values:
        raise ValidationFailed(
            _("Unknown status."),
            code="invalid_status",
            fields={
                "status": _("Choose one of: {values}.").format(values=", ".join(CaseStatus.values))
            },
        )
    note = note.strip() if isinstance(note, str) else ""
    if len(note) > MAX_NOTE:
        raise ValidationFailed(
            _("The note is too long."),
            code="invalid_note",
            fields={"note": _("Use at most {count} characters.").format(count=MAX_NOTE)},
        )
    with transaction.atomic():
        locked = lock_case(case.pk)
        old = locked.status
        if status not in TRANSITIONS[old]:
            raise InvalidTransition(
                _("Case {number} is {old}; it cannot become {new}.").format(
                    number=locked.number,
                    old=CaseStatus(old).label,
                    new=CaseStatus(status).label,
                )
            )
        if not note and (old, status) not in NOTE_NOT_NEEDED:
            raise ValidationFailed(
                _("Say what was done or why."),
                code="note_required",
                fields={"note": _("A note is required for this change.")},
            )
        locked.status = status
        fields = ["status"]
        if status == CaseStatus.RESOLVED:
            locked.resolved_at = timezone.now()
            fields.append("resolved_at")
        elif status in ACTIVE and locked.resolved_at is not None:
            locked.resolved_at = None
            fields.append("resolved_at")
        if status == CaseStatus.IN_PROGRESS and locked.owner_id is None:
            locked.owner = by  # whoever starts working on an unassigned case owns it
            fields.append("owner")
        locked.save(update_fields=fields)
        changes: dict[str, tuple[Any, Any]] = {"status": (old, status)}
        if "owner" in fields:
            changes["owner"] = (None, person(by))
        audit.record(locked, "case_status_changed", by=by, changes=changes, reason=note)
    return locked


def person(user: Any) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


# --- mail (after commit) --------------------------------------------------------------------


def service_recipients() -> list[str]:
    """E-mail addresses of active customer-service users (staff and supervisors)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=SERVICE_ROLES)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(set(users))


def case_url(case_id: int) -> str:
    return f"{settings.ORDERDESK_BASE_URL}{reverse('aftersales:detail', args=[case_id])}"


def send(message: EmailMessage) -> None:
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        logger.exception("mail to %s failed: %s", message.to, message.subject)


def mail_new_case(case_id: int) -> None:
    recipients = service_recipients()
    if not recipients:
        logger.warning("after-sales case %s: no customer-service user has an e-mail", case_id)
        return
    case = Case.objects.select_related("order", "order__customer", "created_by").get(pk=case_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("After-sales case {number}: {kind}, order {order}").format(
            number=case.number, kind=CaseKind(case.kind).label, order=case.order.number
        )
        body = _(
            "A new after-sales case was opened.\n\n"
            "Case: {number}\nKind: {kind}\nOrder: {order} ({customer})\nSource: {source}\n"
            "Opened by: {by}\nDue: {due}\n\n{description}\n\n{url}"
        ).format(
            number=case.number,
            kind=CaseKind(case.kind).label,
            order=case.order.number,
            customer=case.order.customer.name,
            source=case.source or "—",
            by=person(case.created_by),
            due=timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
            description=case.description,
            url=case_url(case.pk),
        )
    send(EmailMessage(subject, body, to=recipients))


def mail_assigned(case_id: int, email: str) -> None:
    case = Case.objects.select_related("order").get(pk=case_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("After-sales case {number} assigned to you").format(number=case.number)
        body = _("Case {number} (order {order}) is yours, due {due}.\n\n{url}").format(
            number=case.number,
            order=case.order.number,
            due=timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
            url=case_url(case.pk),
        )
    send(EmailMessage(subject, body, to=[email]))

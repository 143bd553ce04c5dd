"""Needs and preferences (客户需求记录) and the interaction log (沟通记录) with attachments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from orderdesk.core import audit
from orderdesk.core.errors import ValidationFailed

from .. import selectors
from ..models import Attachment, Contact, Customer, Interaction, InteractionKind, Need
from .records import require_edit

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
ATTACHMENT_TYPES = {
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".bmp",
    ".tif",
    ".tiff",
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".txt",
    ".eml",
    ".msg",
    ".zip",
}


def record_need(customer: Customer, text: str, *, by: Any) -> Need:
    """Note a need or preference the customer expressed."""
    require_edit(by, customer)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Describe the need."), fields={"text": _("Required.")})
    if len(text) > 2000:
        raise ValidationFailed(
            _("The text is too long."), fields={"text": _("At most 2000 characters.")}
        )
    with transaction.atomic():
        need = Need.objects.create(customer=customer, text=text, recorded_by=by)
        audit.record(customer, "record_need", by=by, changes={"need": (None, text)})
    return need


def record_interaction(
    customer: Customer, values: Mapping[str, Any], *, by: Any, files: Sequence[UploadedFile] = ()
) -> Interaction:
    """Log a call, visit, e-mail, chat or fax with the customer, with screenshots or scans."""
    require_edit(by, customer)
    interaction = Interaction(customer=customer, recorded_by=by)
    errors = check_interaction(interaction, values, customer) | check_files(files)
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        selectors.lock_customer(customer.pk)
        interaction.save()
        for upload in files:
            Attachment.objects.create(
                interaction=interaction,
                file=upload,
                name=PurePath(upload.name or "file").name,
                size=upload.size or 0,
                content_type=(upload.content_type or "")[:100],
            )
        audit.record(
            customer,
            "record_interaction",
            by=by,
            changes={
                "interaction": (
                    None,
                    f"{interaction.get_kind_display()} {interaction.happened_at:%Y-%m-%d %H:%M}",
                ),
                "attachments": (None, [PurePath(upload.name or "").name for upload in files]),
            },
        )
    return interaction


def check_interaction(
    interaction: Interaction, values: Mapping[str, Any], customer: Customer
) -> dict[str, str]:
    errors: dict[str, str] = {}
    kind = values.get("kind", "")
    if kind not in InteractionKind.values:
        errors["kind"] = _("Choose call, visit, e-mail, chat or fax.")
    happened_at = values.get("happened_at") or timezone.now()
    if not isinstance(happened_at, dt.datetime):
        errors["happened_at"] = _("Enter a date and time.")
    elif happened_at > timezone.now() + dt.timedelta(minutes=5):
        errors["happened_at"] = _("An interaction cannot lie in the future.")
    summary = (values.get("summary") or "").strip()
    if not summary:
        errors["summary"] = _("Summarise what was said.")
    elif len(summary) > 4000:
        errors["summary"] = _("At most 4000 characters.")
    contact = values.get("contact")
    if contact is not None and (
        not isinstance(contact, Contact) or contact.customer_id != customer.pk
    ):
        errors["contact"] = _("Choose a contact of this customer.")
    person = strip_tags((values.get("person") or "").strip())[:50]
    interaction.kind, interaction.summary, interaction.contact = kind, summary, contact
    if isinstance(happened_at, dt.datetime):
        interaction.happened_at = happened_at
    interaction.person = person or (contact.name if isinstance(contact, Contact) else "")
    return errors


def check_files(files: Sequence[UploadedFile]) -> dict[str, str]:
    if len(files) > MAX_ATTACHMENTS:
        return {"files": _("At most %d attachments.") % MAX_ATTACHMENTS}
    for upload in files:
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in ATTACHMENT_TYPES:
            return {
                "files": _(
                    "%(name)s: this file type is not accepted (use images, PDF or Office files)."
                )
                % {"name": upload.name}
            }
        if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            return {"files": _("%(name)s is larger than 10 MB.") % {"name": upload.name}}
    return {}

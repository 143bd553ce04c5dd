"""Files kept with an order (附件): the fax, the customer's e-mail, the chat screenshot, the
signed confirmation.

Files go to Django's default storage (``MEDIA_ROOT`` on disk; the tests use memory). Only
documents people exchange with customers are accepted — PDF, images, Office documents and
saved e-mails — up to 20 MB each, so an order never carries an executable or an archive
nobody can open.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import InvalidTransition, NotAllowed, ValidationFailed

from .. import selectors
from ..models import Attachment, AttachmentKind, Order, OrderStatus

MAX_BYTES = 20 * 1024 * 1024
ALLOWED_SUFFIXES = frozenset(
    {
        ".pdf",
        # images: scans, faxes, chat screenshots
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".bmp",
        ".tif",
        ".tiff",
        ".heic",
        # office documents
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".odt",
        ".ods",
        ".wps",
        ".et",
        ".rtf",
        ".txt",
        ".csv",
        # saved e-mails
        ".eml",
        ".msg",
    }
)
ATTACH = ("orders.enter_orders", "orders.release_orders", "orders.review_finance")
"""Whoever enters, releases or checks the money of an order may file its documents."""


def may_attach(user: Any) -> bool:
    return any(permissions.has(user, permission) for permission in ATTACH)


def check_file(file: Any) -> dict[str, str]:
    """Problems with an upload, as ``{"file": message}``; empty when it may be stored."""
    if file is None or not getattr(file, "name", ""):
        return {"file": _("Choose a file.")}
    name = PurePath(file.name).name
    if PurePath(name).suffix.lower() not in ALLOWED_SUFFIXES:
        return {
            "file": _(
                "{name}: this file type is not accepted; use PDF, images, Office documents "
                "or saved e-mails (.eml)."
            ).format(name=name)
        }
    size = getattr(file, "size", None) or 0
    if size <= 0:
        return {"file": _("{name} is empty.").format(name=name)}
    if size > MAX_BYTES:
        return {"file": _("{name} is larger than 20 MB.").format(name=name)}
    return {}


def add_attachment(order: Order, *, file: UploadedFile, kind: str, by: Any) -> Attachment:
    """File a document with the order (any status but cancelled)."""
    if not may_attach(by):
        raise NotAllowed(code="permission_denied")
    errors = check_file(file)
    if kind not in AttachmentKind.values:
        errors["kind"] = _("Choose what the file is.")
    if errors:
        raise ValidationFailed(_("The file cannot be attached."), fields=errors)
    with transaction.atomic():
        locked = selectors.lock_visible_order(by, order.pk)
        if locked.status == OrderStatus.CANCELLED:
            raise InvalidTransition(
                _("Order {number} is cancelled; files are no longer added to it.").format(
                    number=locked.number
                ),
                code="order_cancelled",
            )
        return store(locked, file=file, kind=kind, by=by)


def store(order: Order, *, file: UploadedFile, kind: str, by: Any) -> Attachment:
    """Save a checked file for a locked order and audit it (the caller holds the
    transaction)."""
    name = PurePath(file.name or "file").name
    attachment = Attachment(
        order=order,
        kind=kind,
        filename=name[:200],
        size=file.size or 0,
        uploaded_by=by,
    )
    attachment.file.save(name, file, save=False)
    attachment.save()
    # Storage is not transactional: callers check everything before they store, so a
    # refusal never leaves a file behind.
    audit.record(
        order,
        "attachment_added",
        by=by,
        changes={"attachment": (None, f"{AttachmentKind(kind).label}: {attachment.filename}")},
    )
    return attachment

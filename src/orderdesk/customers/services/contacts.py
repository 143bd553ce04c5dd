"""Contacts (联系人): add, change, mark as having left, choose the primary one.

A contact who left is kept, marked with the date, so the history still shows who said what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core import audit
from orderdesk.core.errors import Conflict, ValidationFailed
from orderdesk.core.reasons import require_reason

from .. import selectors
from ..models import Contact, Customer
from ..validation import CONTACT_FIELDS, clean_contact, raise_if
from .records import require_edit

AUDITED = (*CONTACT_FIELDS, "left_on")


def add_contact(customer: Customer, values: Mapping[str, Any], *, by: Any, reason: str) -> Contact:
    """Add a contact; making it primary demotes the previous primary contact."""
    reason = require_reason(reason)
    require_edit(by, customer)
    contact = Contact(customer=customer)
    raise_if(clean_contact(contact, values))
    with transaction.atomic():
        selectors.lock_customer(customer.pk)
        has_primary = customer.contacts.filter(is_primary=True).exists()
        if contact.is_primary and has_primary:
            demote_primary(customer, by=by, reason=reason)
        elif not has_primary:
            contact.is_primary = True
        contact.save()
        audit.record(
            contact,
            "add_contact",
            by=by,
            reason=reason,
            changes={
                name: (None, value)
                for name, value in audit.snapshot(contact, CONTACT_FIELDS).items()
                if value
            },
        )
    return contact


def update_contact(contact: Contact, values: Mapping[str, Any], *, by: Any, reason: str) -> Contact:
    """Change a contact's details (the reason is required and kept)."""
    reason = require_reason(reason)
    require_edit(by, contact.customer)
    if values.get("is_primary") is False and contact.is_primary:
        raise ValidationFailed(
            _("Choose another primary contact instead of unsetting this one."),
            code="primary_required",
            fields={"is_primary": _("A customer keeps one primary contact.")},
        )
    with transaction.atomic():
        selectors.lock_customer(contact.customer_id)
        contact = Contact.objects.get(pk=contact.pk)
        if contact.has_left:
            raise Conflict(
                _("This contact has left; add a new contact instead."), code="contact_left"
            )
        before = audit.snapshot(contact, AUDITED)
        raise_if(clean_contact(contact, values))
        if contact.is_primary and not before["is_primary"]:
            demote_primary(contact.customer, by=by, reason=reason)
        changes = audit.diff(before, audit.snapshot(contact, AUDITED))
        if changes:
            contact.save()
            audit.record(contact, "update_contact", by=by, changes=changes, reason=reason)
    return contact


def mark_contact_left(
    contact: Contact,
    *,
    by: Any,
    reason: str,
    left_on: dt.date | None = None,
    new_primary: Contact | None = None,
) -> Contact:
    """Mark that a contact left the customer (联系人离职), e.g. "the buyer changed jobs".

    A primary contact who leaves hands the role to ``new_primary`` (or to the next active
    contact, if there is one).
    """
    reason = require_reason(reason)
    require_edit(by, contact.customer)
    with transaction.atomic():
        selectors.lock_customer(contact.customer_id)
        contact = Contact.objects.get(pk=contact.pk)
        if contact.has_left:
            raise Conflict(_("This contact is already marked as having left."), code="contact_left")
        was_primary = contact.is_primary
        contact.left_on = left_on or timezone.localdate()
        contact.is_primary = False
        contact.save(update_fields=["left_on", "is_primary"])
        audit.record(
            contact,
            "mark_contact_left",
            by=by,
            reason=reason,
            changes={"left_on": (None, contact.left_on), "is_primary": (was_primary, False)},
        )
        if was_primary:
            successor = (
                new_primary
                or contact.customer.contacts.filter(left_on__isnull=True)
                .exclude(pk=contact.pk)
                .first()
            )
            if successor is not None:
                if successor.customer_id != contact.customer_id:
                    raise ValidationFailed(
                        _("The new primary contact must belong to the same customer."),
                        fields={"new_primary": _("Not a contact of this customer.")},
                    )
                promote(successor, by=by, reason=reason)
    return contact


def set_primary_contact(contact: Contact, *, by: Any, reason: str) -> Contact:
    reason = require_reason(reason)
    require_edit(by, contact.customer)
    with transaction.atomic():
        selectors.lock_customer(contact.customer_id)
        contact = Contact.objects.get(pk=contact.pk)
        if contact.has_left:
            raise Conflict(
                _("A contact who left cannot be the primary contact."), code="contact_left"
            )
        if not contact.is_primary:
            demote_primary(contact.customer, by=by, reason=reason)
            promote(contact, by=by, reason=reason)
    return contact


def demote_primary(customer: Customer, *, by: Any, reason: str) -> None:
    for previous in customer.contacts.filter(is_primary=True):
        previous.is_primary = False
        previous.save(update_fields=["is_primary"])
        audit.record(
            previous, "update_contact", by=by, reason=reason, changes={"is_primary": (True, False)}
        )


def promote(contact: Contact, *, by: Any, reason: str) -> None:
    if contact.has_left:
        raise ValidationFailed(
            _("Choose an active contact of this customer."),
            fields={"new_primary": _("Not an active contact.")},
        )
    contact.is_primary = True
    contact.save(update_fields=["is_primary"])
    audit.record(
        contact, "update_contact", by=by, reason=reason, changes={"is_primary": (False, True)}
    )

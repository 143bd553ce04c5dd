"""Merging duplicate customers (客户合并): manager only, one transaction, fully audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import Conflict, ValidationFailed
from orderdesk.core.reasons import require_reason

from .. import selectors
from ..models import Customer
from ..signals import customer_merged


def merge_customers(survivor: Customer, merged: Customer, *, by: Any, reason: str) -> Customer:
    """Move contacts, addresses, needs and interactions (and, through ``customer_merged``,
    orders and other documents) from ``merged`` to ``survivor``.

    The merged record stays, pointing at the survivor, so its code is never reused and old
    references still resolve; it no longer appears in lists or searches.
    """
    permissions.require(by, "customers.merge_customers")
    reason = require_reason(reason)
    if survivor.pk == merged.pk:
        raise ValidationFailed(
            _("Choose two different customers."),
            code="merge_same",
            fields={"merged": _("Same as the surviving customer.")},
        )
    with transaction.atomic():
        locked = {
            customer.pk: customer for customer in selectors.lock_customers(survivor.pk, merged.pk)
        }
        survivor, merged = locked[survivor.pk], locked[merged.pk]
        if survivor.merged_into_id or merged.merged_into_id:
            raise Conflict(_("One of these customers was already merged."), code="already_merged")
        moved = {
            "contacts": merged.contacts.update(customer=survivor, is_primary=False),
            "addresses": merged.addresses.update(customer=survivor, is_default=False),
            "needs": merged.needs.update(customer=survivor),
            "interactions": merged.interactions.update(customer=survivor),
        }
        merged.merged_into = survivor
        merged.save(update_fields=["merged_into", "updated_at"])
        customer_merged.send(sender=Customer, survivor=survivor, merged=merged, by=by)
        audit.record(
            merged,
            "merge_customer",
            by=by,
            reason=reason,
            changes={"merged_into": (None, str(survivor))},
        )
        audit.record(
            survivor,
            "absorb_customer",
            by=by,
            reason=reason,
            changes={"absorbed": (None, str(merged))}
            | {name: (0, count) for name, count in moved.items() if count},
        )
    return survivor

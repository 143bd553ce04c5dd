"""Shipping settings and carriers (shipping.manage_carriers)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import ValidationFailed

from .. import selectors
from ..models import Carrier, ShippingSettings

MANAGE = "shipping.manage_carriers"


def update_settings(*, over_shipment_percent: Any, by: Any) -> ShippingSettings:
    permissions.require(by, MANAGE)
    try:
        value = Decimal(str(over_shipment_percent).strip())
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if (
        not value.is_finite()
        or not Decimal(0) <= value <= Decimal(100)
        or value != value.quantize(Decimal("0.01"))
    ):
        raise ValidationFailed(
            _("Correct the highlighted fields."),
            fields={"over_shipment_percent": _("Enter a percentage from 0 to 100.")},
        )
    with transaction.atomic():
        row = selectors.shipping_settings()
        before = row.over_shipment_percent
        row.over_shipment_percent = value
        row.save(update_fields=["over_shipment_percent"])
        audit.record(
            row,
            "shipping_settings_changed",
            by=by,
            changes={"over_shipment_percent": (before, value)},
        )
    return row


def update_carrier(
    carrier: Carrier, *, name: Any, transit_working_days: Any, active: bool, by: Any
) -> Carrier:
    permissions.require(by, MANAGE)
    errors: dict[str, str] = {}
    name = str(name or "").strip()
    if not name or len(name) > 60:
        errors["name"] = _("Enter a name of at most 60 characters.")
    try:
        days = int(str(transit_working_days).strip())
    except ValueError:
        days = -1
    if not 0 <= days <= 60:
        errors["transit_working_days"] = _("Enter 0 to 60 working days.")
    if errors:
        raise ValidationFailed(_("Correct the highlighted fields."), fields=errors)
    with transaction.atomic():
        locked = Carrier.objects.select_for_update().get(pk=carrier.pk)
        changes = audit.diff(
            audit.snapshot(locked, ["name", "transit_working_days", "active"]),
            {"name": name, "transit_working_days": days, "active": bool(active)},
        )
        locked.name, locked.transit_working_days, locked.active = name, days, bool(active)
        locked.save(update_fields=["name", "transit_working_days", "active"])
        if changes:
            audit.record(locked, "carrier_changed", by=by, changes=changes)
    return locked

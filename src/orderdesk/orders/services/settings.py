"""The company's order review settings (审核设置): which steps apply, deadlines per step,
parallel or in sequence, credit tolerance and the excess finance may approve alone, the
credit check at release, and the working days customers have for follow-ups and
confirmations."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.context import request_memo
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.money import as_decimal
from orderdesk.core.reasons import require_reason

from ..models import ReviewSettings
from ..selectors import SETTINGS_MEMO

MANAGE = "orders.manage_order_settings"
HOURS = ("sales_hours", "pricing_hours", "finance_hours", "warehouse_hours", "production_hours")
STEPS = ("sales_step", "finance_step", "warehouse_step", "production_step")
FLAGS = (*STEPS, "sales_first", "parallel", "credit_check_on_release")
DAYS = ("follow_up_days", "confirmation_days")
FIELDS = (*HOURS, *FLAGS, *DAYS, "credit_tolerance_percent", "gm_credit_excess")


def update_review_settings(values: Mapping[str, Any], *, by: Any, reason: str) -> ReviewSettings:
    """Change the settings given in ``values``; every bad field is named at once."""
    permissions.require(by, MANAGE)
    reason = require_reason(reason)
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name not in FIELDS:
            continue
        if name in FLAGS:
            clean[name] = bool(value)
        elif name in DAYS:
            number = as_decimal(value)
            if number is None or number != number.to_integral() or not 0 <= number <= 30:
                errors[name] = _("Enter whole working days between 0 and 30.")
            else:
                clean[name] = int(number)
        else:
            number = as_decimal(value)
            limit = {"credit_tolerance_percent": Decimal(100), "gm_credit_excess": None}.get(
                name, Decimal(400)
            )
            if number is None or number < 0 or (limit is not None and number > limit):
                errors[name] = (
                    _("Enter working hours between 0 and 400.")
                    if name in HOURS
                    else _("Enter a number of zero or more.")
                    if limit is None
                    else _("Enter a percentage between 0 and 100.")
                )
            elif name in HOURS and number == 0:
                errors[name] = _("A step needs at least some working time.")
            else:
                clean[name] = number.quantize(Decimal("0.1") if name in HOURS else Decimal("0.01"))
    if errors:
        raise ValidationFailed(
            _("Correct the highlighted fields."), code="invalid_settings", fields=errors
        )
    with transaction.atomic():
        row, _created = ReviewSettings.objects.select_for_update().get_or_create(pk=1)
        before = audit.snapshot(row, FIELDS)
        for name, value in clean.items():
            setattr(row, name, value)
        if not (row.sales_step or row.finance_step):
            # Without both an order within its credit could approve itself on submit.
            message = _("Keep the sales or the finance review: an order needs someone's approval.")
            raise ValidationFailed(
                message,
                code="invalid_settings",
                fields={"sales_step": message, "finance_step": message},
            )
        changes = audit.diff(before, audit.snapshot(row, FIELDS))
        if changes:
            row.save()
            audit.record(row, "update_review_settings", by=by, changes=changes, reason=reason)
    if (memo := request_memo()) is not None:
        memo.pop(SETTINGS_MEMO, None)
    return row

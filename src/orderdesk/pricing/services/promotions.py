"""Writing promotions (促销活动); every change is audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import ValidationFailed
from orderdesk.customers.models import Grade

from .. import selectors
from ..models import Promotion, PromotionKind
from ._clean import assign, full_clean

MANAGE = "pricing.manage_prices"
FIELDS = (
    "code", "name", "kind", "percent_off", "amount_off", "threshold_amount", "min_quantity",
    "valid_from", "valid_until", "grades", "stackable", "active",
)  # fmt: skip
TARGETS = ("products", "categories", "customers")


def create_promotion(values: Mapping[str, Any], *, by: Any) -> Promotion:
    """Open a promotion. ``values`` may carry ``products``, ``categories`` and ``customers``
    (sequences of rows; empty means all). Refused: an end before the start, a missing
    value for the kind (percentage, amount, threshold, quantity)."""
    permissions.require(by, MANAGE)
    fields, targets = split(values)
    promotion = Promotion()
    assign(promotion, fields, FIELDS)
    check_promotion(promotion)
    with transaction.atomic():
        promotion.save()
        for name, rows in targets.items():
            getattr(promotion, name).set(rows)
        changes = {name: (None, getattr(promotion, name)) for name in FIELDS}
        changes |= {name: (None, [str(row) for row in rows]) for name, rows in targets.items()}
        audit.record(promotion, "create", by=by, changes=changes)
    return promotion


def update_promotion(promotion: Promotion, values: Mapping[str, Any], *, by: Any) -> Promotion:
    """Change a promotion (same checks as creating one)."""
    permissions.require(by, MANAGE)
    fields, targets = split(values)
    with transaction.atomic():
        promotion = selectors.lock_promotion(promotion.pk)
        before = audit.snapshot(promotion, FIELDS)
        before_targets = {
            name: [str(r) for r in getattr(promotion, name).all()] for name in targets
        }
        assign(promotion, fields, FIELDS)
        check_promotion(promotion)
        promotion.save()
        for name, rows in targets.items():
            getattr(promotion, name).set(rows)
        changes = audit.diff(before, audit.snapshot(promotion, FIELDS))
        changes |= audit.diff(
            before_targets, {name: [str(row) for row in rows] for name, rows in targets.items()}
        )
        if changes:
            audit.record(promotion, "update", by=by, changes=changes)
    return promotion


def split(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    fields = {k: v for k, v in values.items() if k not in TARGETS}
    targets = {k: list(v) for k, v in values.items() if k in TARGETS}
    return fields, targets


REQUIRED = {
    PromotionKind.PERCENT: ("percent_off",),
    PromotionKind.AMOUNT_OFF: ("amount_off",),
    PromotionKind.SPEND_THRESHOLD: ("threshold_amount", "amount_off"),
    PromotionKind.QUANTITY_BREAK: ("min_quantity", "percent_off"),
}


def check_promotion(promotion: Promotion) -> None:
    errors: dict[str, str] = {}
    if (
        promotion.valid_from
        and promotion.valid_until
        and promotion.valid_until < promotion.valid_from
    ):
        errors["valid_until"] = _("The end date must not precede the start date.")
    for name in REQUIRED.get(promotion.kind, ()):  # type: ignore[call-overload]
        if getattr(promotion, name) in (None, ""):
            errors[name] = _("Required for this kind of promotion.")
    if promotion.min_quantity is not None and promotion.min_quantity <= 0:
        errors["min_quantity"] = _("Enter a quantity greater than zero.")
    if not isinstance(promotion.grades, list) or not set(promotion.grades) <= set(Grade.values):
        errors["grades"] = _("Choose grades among A, B and C.")
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    full_clean(promotion)

"""Shared checks for the pricing write services: model validation as ``ValidationFailed``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from orderdesk.core.errors import ValidationFailed


def assign(obj: models.Model, values: Mapping[str, Any], allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    unknown = set(values) - allowed
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be set here."),
            fields={name: _("Unknown field.") for name in sorted(unknown)},
        )
    for name, value in values.items():
        setattr(obj, name, value)


def full_clean(obj: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Django's field validation, reported in our error shape (nothing is written)."""
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as error:
        raise ValidationFailed(
            _("Please correct the highlighted fields."),
            fields={
                name: " ".join(str(m) for m in messages)
                for name, messages in error.message_dict.items()
            },
        ) from error

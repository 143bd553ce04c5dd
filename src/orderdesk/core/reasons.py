"""The reason every change must give (变更原因): one rule for every app."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .errors import ValidationFailed

MAX_REASON_LENGTH = 500


def require_reason(reason: str) -> str:
    """The reason, trimmed; refused when empty or longer than 500 characters."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Say why you make this change."),
            code="reason_required",
            fields={"reason": _("A reason is required.")},
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(
            _("The reason is too long."),
            code="reason_too_long",
            fields={"reason": _("At most 500 characters.")},
        )
    return reason

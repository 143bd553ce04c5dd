"""Domain errors raised by services and rendered by the API, the pages and the CLI.

Each error carries a stable ``code`` (for clients), a translatable ``message`` that says
what to do next, and optionally ``fields``: a mapping of field name to message.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base class: a business rule refused the request."""

    status = 400
    default_code = "error"

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else _("The request was refused.")
        self.code = code or self.default_code
        self.fields = {key: str(value) for key, value in (fields or {}).items()}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "fields": self.fields}


class NotFound(DomainError):
    """Missing, or hidden from this user: the two are deliberately indistinguishable."""

    status = 404
    default_code = "not_found"


class NotAllowed(DomainError):
    status = 403
    default_code = "not_allowed"


class InvalidTransition(DomainError):
    status = 409
    default_code = "invalid_transition"


class Conflict(DomainError):
    status = 409
    default_code = "conflict"


class ValidationFailed(DomainError):
    status = 422
    default_code = "validation_failed"

"""Refusals specific to customers (stable codes for API clients)."""

from __future__ import annotations

from typing import Any

from orderdesk.core.errors import Conflict


class DuplicateUscc(Conflict):
    """Another customer already has this unified social credit code."""

    default_code = "duplicate_uscc"


class PossibleDuplicate(Conflict):
    """Same normalised name or contact mobile as an existing customer: confirm to go on."""

    default_code = "possible_duplicate"

    def __init__(self, message: Any, *, matches: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.matches = matches

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "matches": self.matches}

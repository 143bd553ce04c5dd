"""Errors of the price policy."""

from __future__ import annotations

from orderdesk.core.errors import ValidationFailed


class OverlappingPriceList(ValidationFailed):
    """Another active price list of the same scope is valid on some of the same days."""

    default_code = "price_list_overlap"

"""Refusals specific to the catalog (stable codes for API clients)."""

from __future__ import annotations

from orderdesk.core.errors import Conflict


class DuplicateSku(Conflict):
    """Another product already has this SKU."""

    default_code = "duplicate_sku"


class DuplicateCategoryCode(Conflict):
    """Another category already has this code."""

    default_code = "duplicate_category_code"

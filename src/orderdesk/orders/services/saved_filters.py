"""Saved order-list filters (保存的筛选条件): a user's named query strings of the order list.

A filter belongs to one user and only holds the list's query string; what it finds is still
limited by what the user may see when it is opened (``selectors.search_orders``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import NotFound, ValidationFailed

from ..models import SavedFilter

SEE_ORDERS = ("orders.view_all_orders", "orders.view_team_orders", "orders.enter_orders")
MAX_FILTERS = 50
# Paging cursors and the filter's own name are not part of what a filter means.
NOT_SAVED = {"after", "before", "saved", "name", "csrfmiddlewaretoken"}


def filters_of(user: Any) -> QuerySet[SavedFilter]:
    """The user's saved filters, by name."""
    return SavedFilter.objects.filter(user=user).order_by("name")


def clean_query(query: str) -> str:
    """The query string without paging cursors and empty values, keys in a stable order."""
    pairs = [
        (key, value)
        for key, value in parse_qsl(query or "", keep_blank_values=False)
        if key not in NOT_SAVED
    ]
    return urlencode(sorted(pairs))


def save_filter(name: str, query: str, *, by: Any) -> SavedFilter:
    """Save (or replace, under the same name) the user's current list filters."""
    if not any(permissions.has(by, permission) for permission in SEE_ORDERS):
        permissions.require(by, SEE_ORDERS[0])
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Give the filter a name.")
    elif len(name) > 60:
        errors["name"] = _("Use at most {limit} characters.").format(limit=60)
    query = clean_query(query)
    if len(query) > 1000:
        errors["name"] = _("These filters are too long to save.")
    if errors:
        raise ValidationFailed(_("The filter was not saved."), fields=errors)
    with transaction.atomic():
        existing = SavedFilter.objects.select_for_update().filter(user=by, name=name).first()
        if existing is None and filters_of(by).count() >= MAX_FILTERS:
            raise ValidationFailed(
                _("You have {count} saved filters; delete one first.").format(count=MAX_FILTERS),
                code="too_many_filters",
                fields={"name": _("Too many saved filters.")},
            )
        before = existing.query if existing is not None else None
        saved = existing or SavedFilter(user=by, name=name)
        saved.query = query
        saved.save()
        audit.record(saved, "order_filter_saved", by=by, changes={"query": (before, query)})
    return saved


def delete_filter(filter_id: int, *, by: Any) -> None:
    """Delete one of the user's own saved filters (another user's is not found)."""
    with transaction.atomic():
        saved = SavedFilter.objects.select_for_update().filter(pk=filter_id, user=by).first()
        if saved is None:
            raise NotFound(_("This saved filter does not exist."), code="filter_not_found")
        audit.record(saved, "order_filter_deleted", by=by, changes={"query": (saved.query, None)})
        saved.delete()

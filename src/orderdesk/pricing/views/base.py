"""What the pricing pages share: staff-only reads, 404s, refusals as 403 and service errors
placed on the form fields they name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest

from orderdesk.catalog.selectors import is_staff_member
from orderdesk.core.errors import DomainError, NotAllowed, NotFound

PAGE_SIZE = 25
T = TypeVar("T")


def require_staff_page(user: Any) -> None:
    """Portal accounts get a 403 rather than pages that look empty."""
    if not is_staff_member(user):
        raise PermissionDenied


def fetch_or_404(fetch: Callable[..., T], *args: Any) -> T:
    """A selector's row; its ``NotFound`` is the 404 page, its ``NotAllowed`` the 403."""
    try:
        return fetch(*args)
    except NotFound as error:
        raise Http404(str(error.message)) from error
    except NotAllowed as error:
        raise PermissionDenied(str(error.message)) from error


def forbid(error: DomainError) -> None:
    """A refusal of the user rather than of the input is the 403 page."""
    if isinstance(error, NotAllowed) and not error.fields:
        raise PermissionDenied(str(error.message)) from error


def place_errors(
    error: DomainError, form: forms.BaseForm, aliases: Mapping[str, str] | None = None
) -> None:
    """A refusal of the user is the 403 page; of the input, the message on top and each
    field's message on that field (``aliases`` maps service names to form names)."""
    forbid(error)
    aliases = aliases or {}
    form.add_error(None, str(error.message))
    for name, message in error.fields.items():
        name = aliases.get(name, name)
        form.add_error(name if name in form.fields else None, message)


def page_of(request: HttpRequest, rows: Any) -> tuple[Page, str]:
    """One page of ``rows`` and the query string without the page number (for the links)."""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()

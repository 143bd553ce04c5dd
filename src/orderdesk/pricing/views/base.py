"""What the pricing pages share: staff-only reads, 404s, refusals as 403 and service errors
placed on the form fields they name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404

from orderdesk.catalog.selectors import is_staff_member
from orderdesk.core.errors import NotAllowed, NotFound

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

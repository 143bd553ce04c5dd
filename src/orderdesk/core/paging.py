"""Page-numbered lists on pages: one page of rows and the query string for the page links."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 25


def page_of(request: HttpRequest, rows: Any, size: int = PAGE_SIZE) -> tuple[Page, str]:
    """The page ``?page=`` asks for (the last one when out of range) and the request's query
    string without ``page``, so the page links keep the filters."""
    page = Paginator(rows, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()

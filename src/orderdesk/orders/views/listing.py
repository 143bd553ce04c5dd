"""The order list (订单列表): filters, saved filters and keyset pages.

Pages follow ``(received_at, id)`` (the selector's order and index), so a deep page costs the
same as the first and no page counts a million rows. Queries per page are constant: the
orders with customer and salesperson, their pending review steps, the choices and the
user's saved filters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orderdesk.core import htmx, permissions
from orderdesk.core.errors import DomainError, NotFound
from orderdesk.customers.selectors import team_of

from .. import selectors
from ..forms import OrderFilterForm, SaveFilterForm
from ..models import Order, ReviewStep, StepStatus
from ..services import saved_filters

PAGE_SIZE = 50
ALL, TEAM, ENTER = selectors.ALL, selectors.TEAM, "orders.enter_orders"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)


def may_see_orders(user: Any) -> bool:
    return any(permissions.has(user, permission) for permission in (ALL, TEAM, ENTER))


def require_order_access(user: Any) -> None:
    """Users who see no orders at all get a 403, not an empty list."""
    if not may_see_orders(user):
        raise PermissionDenied


def salespeople_for(user: Any) -> QuerySet | None:
    """Whom the salesperson filter offers: everyone in sales, a manager's team, or nobody
    (a salesperson sees only their own orders)."""
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    if permissions.has(user, ALL):
        return users.filter(groups__name__in=("sales", "sales_manager")).distinct()
    if permissions.has(user, TEAM):
        return users.filter(pk__in=team_of(user))
    return None


# --- keyset pages ---------------------------------------------------------------------------


def cursor_of(order: Order) -> str:
    return f"{(order.received_at - EPOCH) // MICROSECOND}_{order.pk}"


def parse_cursor(text: str) -> tuple[dt.datetime, int] | None:
    micros, _sep, pk = (text or "").partition("_")
    try:
        return EPOCH + int(micros) * MICROSECOND, int(pk)
    except (ValueError, OverflowError):
        return None


def keyset_page(
    orders: QuerySet[Order], *, after: str, before: str, size: int | None = None
) -> tuple[list[Order], str, str]:
    """One page of ``orders`` (newest first) and the cursors of the older and newer pages
    ("" when there is none)."""
    size = size or PAGE_SIZE
    if (key := parse_cursor(before)) is not None:
        at, pk = key
        later = orders.filter(Q(received_at__gt=at) | Q(received_at=at, pk__gt=pk))
        rows = list(with_steps(later.order_by("received_at", "id"))[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        older = cursor_of(rows[-1]) if rows else ""
        return rows, older, cursor_of(rows[0]) if rows and more_newer else ""
    key = parse_cursor(after)
    if key is not None:
        at, pk = key
        orders = orders.filter(Q(received_at__lt=at) | Q(received_at=at, pk__lt=pk))
    rows = list(with_steps(orders)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    older = cursor_of(rows[-1]) if rows and more else ""
    newer = cursor_of(rows[0]) if rows and key is not None else ""
    return rows, older, newer


def with_steps(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Each order's pending review steps as ``order.pending_steps`` (one query per page)."""
    pending = ReviewStep.objects.filter(status=StepStatus.PENDING).order_by("stage", "id")
    return orders.prefetch_related(Prefetch("reviews", queryset=pending, to_attr="pending_steps"))


# --- pages ----------------------------------------------------------------------------------


def list_query(request: HttpRequest) -> str:
    """The current filters as a query string (no paging cursors), as saved filters keep it."""
    return saved_filters.clean_query(request.GET.urlencode())


@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    """Filter by status, customer, salesperson, dates received, channel and overdue review."""
    user = request.user
    require_order_access(user)
    form = OrderFilterForm(request.GET, salespeople=salespeople_for(user))
    filters = form.filters()
    orders = selectors.search_orders(user, **filters)
    rows, older, newer = keyset_page(
        orders, after=request.GET.get("after", ""), before=request.GET.get("before", "")
    )
    query = list_query(request)
    filters_saved = list(saved_filters.filters_of(user))
    return render(
        request,
        "orders/list.html",
        {
            "form": form,
            "orders": rows,
            "now": timezone.now(),
            "query": query,
            "older_url": f"?{join(query, after=older)}" if older else "",
            "newer_url": f"?{join(query, before=newer)}" if newer else "",
            "first_url": f"?{query}" if newer else "",
            "filtered": bool(filters),
            "saved_filters": filters_saved,
            "active_filter": next((f for f in filters_saved if f.query == query), None),
            "save_form": SaveFilterForm(initial={"query": query}),
            "can_create": permissions.has(user, ENTER),
        },
    )


def join(query: str, **extra: str) -> str:
    return "&".join(part for part in (query, urlencode(extra)) if part)


def list_url(query: str = "") -> str:
    url = reverse("orders:list")
    return f"{url}?{query}" if query else url


@require_POST
def save_filter(request: HttpRequest) -> HttpResponse:
    """Save the list's current filters under a name (the same name replaces it)."""
    require_order_access(request.user)
    form = SaveFilterForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    query = saved_filters.clean_query(data.get("query") or "")
    try:
        saved = saved_filters.save_filter(data.get("name") or "", query, by=request.user)
    except DomainError as error:
        htmx.flash_error(request, error)
        return htmx.redirect(request, list_url(query))
    messages.success(request, _("Filter “{name}” saved.").format(name=saved.name))
    return htmx.redirect(request, list_url(saved.query))


@require_POST
def delete_filter(request: HttpRequest, filter_id: int) -> HttpResponse:
    try:
        saved_filters.delete_filter(filter_id, by=request.user)
    except NotFound as error:
        raise Http404 from error
    messages.success(request, _("Saved filter deleted."))
    return htmx.redirect(request, list_url())


CUSTOMER_PANEL_ROWS = 10


def customer_orders_panel(request: HttpRequest, customer: Any) -> dict[str, Any] | None:
    """The customer page's panel: the latest orders of the customer the user may see;
    hidden for users who see no orders."""
    if not may_see_orders(request.user):
        return None
    orders = selectors.orders_visible_to(request.user).filter(customer=customer)
    return {
        "customer": customer,
        "orders": list(orders.order_by("-received_at", "-id")[:CUSTOMER_PANEL_ROWS]),
        "total": orders.count(),
    }


urlpatterns = [
    path("", order_list, name="list"),
    path("filters/save", save_filter, name="save_filter"),
    path("filters/<int:filter_id>/delete", delete_filter, name="delete_filter"),
]

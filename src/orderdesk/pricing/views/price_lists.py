"""Price list pages: the list with filters, the create and edit form, and the price list page,
which is the editor of its prices (quantity breaks) with the list's history below."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orderdesk.core import htmx
from orderdesk.core.errors import DomainError
from orderdesk.core.forms import forbid, place_errors
from orderdesk.core.paging import page_of

from .. import selectors, services
from ..forms import PriceForm, PriceListFilterForm, PriceListForm
from ..models import PriceList
from .base import fetch_or_404, require_staff_page

MANAGE = selectors.MANAGE
HISTORY_LIMIT = 100


@require_GET
def price_list_list(request: HttpRequest) -> HttpResponse:
    """Every price list by scope, with validity and the number of prices."""
    require_staff_page(request.user)
    form = PriceListFilterForm(request.GET)
    filters = form.filters()
    today = timezone.localdate()
    on = today if filters.get("valid_today") else None
    lists = selectors.price_lists(kind=filters.get("kind", ""), on=on, active=filters.get("active"))
    page, query = page_of(request, lists)
    return render(
        request,
        "pricing/price_list_list.html",
        {
            "form": form,
            "page": page,
            "price_lists": page.object_list,
            "query": query,
            "filtered": bool(filters),
            "today": today,
            "can_manage": selectors.can_manage(request.user),
        },
    )


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def create_price_list(request: HttpRequest) -> HttpResponse:
    form = PriceListForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_price_list(form.values(), by=request.user)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Price list %(code)s created.") % {"code": created.code})
            return htmx.redirect(request, reverse("pricing:detail", args=[created.pk]))
    return render(request, "pricing/price_list_form.html", {"form": form, "price_list": None})


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def edit_price_list(request: HttpRequest, price_list_id: int) -> HttpResponse:
    current = fetch_or_404(selectors.price_list_for, request.user, price_list_id)
    form = PriceListForm(
        request.POST or None, user=request.user, initial=PriceListForm.initial_for(current)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_price_list(current, form.values(), by=request.user)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Price list %(code)s saved.") % {"code": current.code})
            return htmx.redirect(request, reverse("pricing:detail", args=[current.pk]))
    return render(request, "pricing/price_list_form.html", {"form": form, "price_list": current})


@require_GET
def price_list(request: HttpRequest, price_list_id: int) -> HttpResponse:
    """The list's prices; for managers with the form to add or change one (``?item=`` fills
    it with that price)."""
    current = fetch_or_404(selectors.price_list_for, request.user, price_list_id)
    form = None
    if selectors.can_manage(request.user):
        form = PriceForm(user=request.user, initial=initial_price(current, request.GET.get("item")))
    return render_editor(request, current, form)


def initial_price(price_list: PriceList, item_id: str | None) -> dict[str, Any]:
    if not (item_id or "").isdigit():
        return {}
    item = fetch_or_404(selectors.price_item_for, price_list, int(item_id or 0))
    return {
        "product": item.product.sku,
        "min_quantity": item.min_quantity,
        "unit_price": item.unit_price,
        "floor_price": item.floor_price,
    }


def render_editor(
    request: HttpRequest, price_list: PriceList, form: PriceForm | None
) -> HttpResponse:
    """The price list page; with htmx (a refused price), only the prices and the form."""
    context = {
        "price_list": price_list,
        "lines": selectors.price_list_lines(price_list),
        "form": form,
        "can_manage": selectors.can_manage(request.user),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "pricing/partials/_price_items.html", context)
    context["entries"] = selectors.history(price_list, limit=HISTORY_LIMIT)
    return render(request, "pricing/price_list_detail.html", context)


@permission_required(MANAGE, raise_exception=True)
@require_POST
def set_price(request: HttpRequest, price_list_id: int) -> HttpResponse:
    """Add a price or change the one of the same product and from-quantity."""
    current = fetch_or_404(selectors.price_list_for, request.user, price_list_id)
    form = PriceForm(request.POST, user=request.user)
    if form.is_valid():
        product, quantity = form.cleaned_data["product"], form.cleaned_data["min_quantity"]
        try:
            services.set_price(current, product, form.values(), by=request.user)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request,
                _("Price of %(sku)s from %(quantity)s saved.")
                % {"sku": product.sku, "quantity": selectors.plain(quantity)},
            )
            return htmx.redirect(request, reverse("pricing:detail", args=[current.pk]))
    return render_editor(request, current, form)


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def remove_price(request: HttpRequest, price_list_id: int, item_id: int) -> HttpResponse:
    """GET asks for confirmation (the page without JavaScript); POST removes the price."""
    current = fetch_or_404(selectors.price_list_for, request.user, price_list_id)
    item = fetch_or_404(selectors.price_item_for, current, item_id)
    if request.method == "POST":
        try:
            services.remove_price(item, by=request.user)
        except DomainError as error:
            forbid(error)
            htmx.flash_error(request, error)
        else:
            messages.success(
                request,
                _("Price of %(sku)s from %(quantity)s removed.")
                % {"sku": item.product.sku, "quantity": selectors.plain(item.min_quantity)},
            )
        return htmx.redirect(request, reverse("pricing:detail", args=[current.pk]))
    return render(
        request,
        "pricing/price_remove_confirm.html",
        {"price_list": current, "item": item, "quantity": selectors.plain(item.min_quantity)},
    )

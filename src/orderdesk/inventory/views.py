"""Stock pages: the overview by product and warehouse, low stock with restock dates, a
product's movements, warehouses with their locations, the receipt and adjustment forms, and
the stock panel on the product page. Each parses input, calls one service or selector and
renders; the rules live in the services.

Reading stock is open to all staff (sales need availability); moving it needs
``inventory.manage_stock``, checked by the services and, for a clear 403, by the forms'
views.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orderdesk.catalog import selectors as catalog_selectors
from orderdesk.catalog.models import Product
from orderdesk.core import htmx, permissions
from orderdesk.core.errors import DomainError, NotFound
from orderdesk.core.forms import place_errors
from orderdesk.core.paging import page_of

from . import selectors, services
from .forms import (
    AdjustmentForm,
    LocationForm,
    LowStockFilterForm,
    ReceiptForm,
    StockFilterForm,
    WarehouseForm,
)
from .models import Warehouse
from .services.stock import MANAGE

PAGE_SIZE = 25
MOVEMENTS_PAGE_SIZE = 50
PANEL_MOVEMENTS = 10


def require_staff(user: Any) -> None:
    """Portal accounts get a 403 rather than stock lists that look empty."""
    if not catalog_selectors.is_staff_member(user):
        raise PermissionDenied


def can_manage(user: Any) -> bool:
    return permissions.has(user, MANAGE)


def product_or_404(user: Any, product_id: int) -> Product:
    try:
        return catalog_selectors.product_for(user, product_id)
    except NotFound as error:
        raise Http404(str(error.message)) from error


def warehouse_from(value: str | None) -> Warehouse | None:
    """A warehouse named in the query string by id or code; ``None`` if unknown or absent."""
    key = (value or "").strip()
    return selectors.warehouse_by_key(int(key) if key.isdigit() else key)


def product_stock_url(product_id: int) -> str:
    """Where a stock change lands: the product page, at its stock panel."""
    return reverse("catalog:detail", args=[product_id]) + "#stock"


# --- lists ------------------------------------------------------------------------------------


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """On hand, reserved and available per product and warehouse; search and filter."""
    require_staff(request.user)
    form = StockFilterForm(request.GET)
    filters = form.filters()
    page, query = page_of(request, selectors.stock_levels(request.user, **filters))
    return render(
        request,
        "inventory/overview.html",
        {
            "form": form,
            "page": page,
            "levels": page.object_list,
            "query": query,
            "filtered": bool(filters),
            "can_manage": can_manage(request.user),
        },
    )


@require_GET
def low(request: HttpRequest) -> HttpResponse:
    """Levels whose available quantity is at or below the threshold (0: sold out), lowest
    first, with the expected restock date."""
    require_staff(request.user)
    form = LowStockFilterForm(request.GET)
    threshold, warehouses = form.filters()
    page, query = page_of(request, selectors.low_stock(threshold, warehouses=warehouses))
    restock = selectors.restock_dates(page.object_list)
    rows = [
        {"level": level, "restock": restock[level.product_id, level.warehouse_id]}
        for level in page.object_list
    ]
    return render(
        request,
        "inventory/low.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query,
            "threshold": threshold,
            "can_manage": can_manage(request.user),
        },
    )


@require_GET
def movements(request: HttpRequest, product_id: int) -> HttpResponse:
    """The ledger lines of one product, newest first, optionally for one warehouse."""
    require_staff(request.user)
    product = product_or_404(request.user, product_id)
    warehouse = warehouse_from(request.GET.get("warehouse"))
    page, query = page_of(request, selectors.movements_for(product, warehouse), MOVEMENTS_PAGE_SIZE)
    return render(
        request,
        "inventory/movements.html",
        {
            "product": product,
            "warehouse": warehouse,
            "warehouses": Warehouse.objects.order_by("code"),
            "page": page,
            "movements": page.object_list,
            "query": query,
            "can_manage": can_manage(request.user),
        },
    )


@require_GET
def warehouses(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    return render(
        request,
        "inventory/warehouses.html",
        {
            "warehouses": selectors.warehouses_with_locations(),
            "can_manage": can_manage(request.user),
            "location_form": LocationForm() if can_manage(request.user) else None,
        },
    )


# --- forms ------------------------------------------------------------------------------------


def prefill(request: HttpRequest) -> tuple[dict[str, Any], Product | None]:
    """``?product=<id or SKU>&warehouse=<id or code>`` from the product page's links."""
    product = selectors.product_by_key(request.user, request.GET.get("product"))
    initial: dict[str, Any] = {}
    if product is not None:
        initial["product"] = product.sku
    warehouse = warehouse_from(request.GET.get("warehouse"))
    if warehouse is not None:
        initial["warehouse"] = warehouse.pk
    return initial, product


def chosen_product(request: HttpRequest, form: forms.Form, product: Product | None) -> Any:
    """The product the form names, for its current stock beside the form."""
    if form.is_bound:
        return selectors.product_by_key(request.user, form.data.get("product"))
    return product


@permission_required(MANAGE, raise_exception=True)
def adjust(request: HttpRequest) -> HttpResponse:
    """Correct on hand after a count (盘点调整), to the counted quantity or by a change; a
    reason is required."""
    initial, product = prefill(request)
    form = AdjustmentForm(request.POST or None, initial=initial)
    product = chosen_product(request, form, product)
    if request.method == "POST" and form.is_valid():
        try:
            level = services.adjust_stock(
                None if product is None else product.pk,
                form.cleaned_data["warehouse"],
                by=request.user,
                **form.values(),
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request,
                _("Stock of %(sku)s in %(warehouse)s adjusted: %(on_hand)s on hand.")
                % {
                    "sku": level.product.sku,
                    "warehouse": level.warehouse.code,
                    "on_hand": level.on_hand,
                },
            )
            return htmx.redirect(request, product_stock_url(level.product_id))
    return render_change_form(request, form, product, title=_("Adjust stock"))


@permission_required(MANAGE, raise_exception=True)
def receive(request: HttpRequest) -> HttpResponse:
    """Book goods into a warehouse (入库)."""
    initial, product = prefill(request)
    form = ReceiptForm(request.POST or None, initial=initial)
    product = chosen_product(request, form, product)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            level = services.receive_stock(
                None if product is None else product.pk,
                data["warehouse"],
                data["quantity"],
                by=request.user,
                reason=data["reason"],
                reference=data["reference"],
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request,
                _("%(quantity)s of %(sku)s received into %(warehouse)s.")
                % {
                    "quantity": data["quantity"],
                    "sku": level.product.sku,
                    "warehouse": level.warehouse.code,
                },
            )
            return htmx.redirect(request, product_stock_url(level.product_id))
    return render_change_form(request, form, product, title=_("Receive stock"))


def render_change_form(
    request: HttpRequest, form: forms.Form, product: Product | None, *, title: str
) -> HttpResponse:
    return render(
        request,
        "inventory/change_form.html",
        {
            "form": form,
            "title": title,
            "product": product,
            "levels": [] if product is None else selectors.levels_for(product),
            "cancel_url": (
                reverse("inventory:overview") if product is None else product_stock_url(product.pk)
            ),
        },
    )


@permission_required(MANAGE, raise_exception=True)
def create_warehouse(request: HttpRequest) -> HttpResponse:
    form = WarehouseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            warehouse = services.create_warehouse(form.cleaned_data, by=request.user)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Warehouse %(code)s opened.") % {"code": warehouse.code})
            return htmx.redirect(request, reverse("inventory:warehouses"))
    return render(request, "inventory/warehouse_form.html", {"form": form})


@require_POST
@permission_required(MANAGE, raise_exception=True)
def add_location(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    if warehouse is None:
        raise Http404
    form = LocationForm(request.POST)
    if form.is_valid():
        try:
            location = services.add_location(
                warehouse,
                form.cleaned_data["code"],
                by=request.user,
                name=form.cleaned_data["name"],
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request, _("Location %(location)s added.") % {"location": str(location)}
            )
            return htmx.redirect(request, reverse("inventory:warehouses") + f"#wh-{warehouse.pk}")
    details = "; ".join(str(error) for errors in form.errors.values() for error in errors)
    messages.error(request, _("The location was not added: %(why)s") % {"why": details})
    return htmx.redirect(request, reverse("inventory:warehouses") + f"#wh-{warehouse.pk}")


# --- the product page -------------------------------------------------------------------------


def product_panel(request: HttpRequest, product: Product) -> dict[str, Any] | None:
    """Stock by warehouse, the restock date and the last movements on the product page;
    every member of staff sees it (sales quote from availability)."""
    if not catalog_selectors.is_staff_member(request.user):
        return None
    may_adjust = can_manage(request.user)
    link = urlencode({"product": product.pk})
    return {
        "product": product,
        "levels": list(selectors.levels_for(product)),
        "total": selectors.availability(product),
        "movements": list(selectors.movements_for(product)[:PANEL_MOVEMENTS]),
        "movements_url": reverse("inventory:movements", args=[product.pk]),
        "adjust_url": f"{reverse('inventory:adjust')}?{link}" if may_adjust else "",
        "receive_url": f"{reverse('inventory:receive')}?{link}" if may_adjust else "",
    }

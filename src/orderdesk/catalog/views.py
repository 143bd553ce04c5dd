"""Product pages: the list with search and filters, its Excel export and import, the product
page with its history, the create and edit forms, and the categories (list with product
counts, create and edit forms). Each parses input, calls one service or selector and
renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from orderdesk.core import htmx, panels
from orderdesk.core.errors import DomainError, NotAllowed, NotFound
from orderdesk.core.forms import place_errors
from orderdesk.core.paging import page_of
from orderdesk.core.spreadsheets import xlsx_response

from . import exporting, importing, selectors, services
from .forms import (
    CategoryChangeForm,
    CategoryForm,
    ProductChangeForm,
    ProductFilterForm,
    ProductForm,
    ProductImportForm,
)
from .models import Category, Product

PAGE_SIZE = 25
PRODUCT_PAGE = "catalog.product"
MANAGE = selectors.MANAGE


def require_catalog_access(user: Any) -> None:
    """Portal accounts get a 403 rather than a catalog that looks empty."""
    if not selectors.is_staff_member(user):
        raise PermissionDenied


def product_or_404(user: Any, product_id: int) -> Product:
    try:
        return selectors.product_for(user, product_id)
    except NotFound as error:
        raise Http404(str(error.message)) from error


def category_or_404(user: Any, category_id: int) -> Category:
    try:
        return selectors.category_for(user, category_id)
    except NotFound as error:
        raise Http404(str(error.message)) from error
    except NotAllowed as error:
        raise PermissionDenied(str(error.message)) from error


@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    """Search by SKU, name, spec, model or pinyin initials; filter by category, kind, active."""
    require_catalog_access(request.user)
    form = ProductFilterForm(request.GET)
    filters = form.filters()
    page, query = page_of(request, selectors.search(request.user, **filters), PAGE_SIZE)
    return render(
        request,
        "catalog/list.html",
        {
            "form": form,
            "page": page,
            "products": page.object_list,
            "query": query,
            "filtered": bool(filters),
            "can_manage": selectors.can_manage(request.user),
        },
    )


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The list as an Excel workbook, with the filters the list shows."""
    require_catalog_access(request.user)
    products = selectors.search(request.user, **ProductFilterForm(request.GET).filters())
    data = exporting.export_products(products)
    return xlsx_response(data, f"products-{timezone.localdate():%Y%m%d}.xlsx")


@permission_required(MANAGE, raise_exception=True)
def import_products(request: HttpRequest) -> HttpResponse:
    """Upload a spreadsheet; every row is checked first and errors are listed by row."""
    form = ProductImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = importing.import_products(upload.read(), upload.name, by=request.user)
        except DomainError as error:
            place_errors(error, form)
    return render(request, "catalog/import.html", {"form": form, "report": report})


@require_GET
def detail(request: HttpRequest, product_id: int) -> HttpResponse:
    product = product_or_404(request.user, product_id)
    return render(
        request,
        "catalog/detail.html",
        {
            "product": product,
            "entries": selectors.history(product),
            "can_manage": selectors.can_manage(request.user),
            # Stock by warehouse, price lists, movements: registered by inventory and pricing.
            "panels": panels.render(request, PRODUCT_PAGE, product),
        },
    )


@permission_required(MANAGE, raise_exception=True)
def create(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.create_product(form.values(), by=request.user)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Product %(sku)s created.") % {"sku": product.sku})
            return htmx.redirect(request, reverse("catalog:detail", args=[product.pk]))
    return render(request, "catalog/form.html", {"form": form, "product": None})


@permission_required(MANAGE, raise_exception=True)
def edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = product_or_404(request.user, product_id)
    form = ProductChangeForm(request.POST or None, initial=ProductForm.initial_for(product))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_product(
                product, form.values(), by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Product %(sku)s saved.") % {"sku": product.sku})
            return htmx.redirect(request, reverse("catalog:detail", args=[product.pk]))
    return render(request, "catalog/form.html", {"form": form, "product": product})


# --- categories -----------------------------------------------------------------------------


@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    """Every category by code, with its parent and number of products."""
    require_catalog_access(request.user)
    return render(
        request,
        "catalog/categories.html",
        {
            "categories": selectors.categories_with_counts(request.user),
            "can_manage": selectors.can_manage(request.user),
        },
    )


@permission_required(MANAGE, raise_exception=True)
def create_category(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.create_category(form.values(), by=request.user)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Category %(code)s created.") % {"code": category.code})
            return htmx.redirect(request, reverse("catalog:categories"))
    return render(request, "catalog/category_form.html", {"form": form, "category": None})


@permission_required(MANAGE, raise_exception=True)
def edit_category(request: HttpRequest, category_id: int) -> HttpResponse:
    category = category_or_404(request.user, category_id)
    form = CategoryChangeForm(request.POST or None, initial=CategoryForm.initial_for(category))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.update_category(
                category, form.values(), by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Category %(code)s saved.") % {"code": saved.code})
            return htmx.redirect(request, reverse("catalog:categories"))
    return render(
        request,
        "catalog/category_form.html",
        {"form": form, "category": category, "entries": selectors.history(category)},
    )

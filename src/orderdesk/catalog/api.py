"""REST endpoints for products at /api/v1/products (issue 4, capabilities 7 and 8) and
their categories at /api/v1/categories.

Every endpoint parses input, fetches through ``selectors`` (one 404 for missing and hidden),
calls one service and renders. Creating POSTs accept an ``Idempotency-Key`` header, handled
for the whole API by ``core.idempotency.IdempotencyMiddleware``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Status, UploadedFile

from orderdesk.core.models import AuditEntry
from orderdesk.core.spreadsheets import xlsx_response

from . import exporting, importing, selectors, services
from .models import Category, Product
from .schemas import (
    CategoryChangeIn,
    CategoryDetailOut,
    CategoryFilter,
    CategoryIn,
    CategoryListOut,
    ProductChangeIn,
    ProductDetailOut,
    ProductFilter,
    ProductImportOut,
    ProductIn,
    ProductListOut,
    ProductSearch,
)

router = Router(tags=["products"])
categories_router = Router(tags=["categories"])


@router.get("", response=ProductListOut, summary="List and search products")
def list_products(request: HttpRequest, filters: Query[ProductFilter]) -> dict[str, Any]:
    products = selectors.search(
        request.user,
        q=filters.q,
        category=filters.category,
        sales_kind=filters.sales_kind,
        active=filters.active,
    )
    page = products[filters.offset : filters.offset + filters.limit]
    return {"count": products.count(), "items": [product_out(product) for product in page]}


@router.post("", response={201: ProductDetailOut}, summary="Create a product (409 duplicate_sku)")
def create_product(request: HttpRequest, payload: ProductIn) -> Status[dict[str, Any]]:
    product = services.create_product(values_of(payload.dict()), by=request.user)
    return Status(201, product_detail(request.user, product.pk))


@router.post(
    "/import",
    response=ProductImportOut,
    summary="Create and update products from an .xlsx or .csv file (422 invalid_rows)",
)
def import_products(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Multipart upload, field ``file``. A known SKU updates that product, a new SKU creates
    one; with any bad row nothing is written and ``error.rows`` names every bad cell."""
    report = importing.import_products(file.read(), file.name or "", by=request.user)
    report.refuse_if_invalid()
    return {
        "filename": report.filename,
        "rows": report.rows,
        "created": len(report.created),
        "updated": len(report.updated),
        "unchanged": report.unchanged,
        "created_skus": [product.sku for product in report.created],
        "updated_skus": [product.sku for product in report.updated],
        "warnings": [warning.as_dict() for warning in report.warnings],
    }


@router.get(
    "/export",
    summary="The products matching the list filters as an .xlsx file (the import's columns)",
)
def export_products(request: HttpRequest, filters: Query[ProductSearch]) -> HttpResponse:
    selectors.require_staff(request.user)
    products = selectors.search(request.user, **filters.dict())
    data = exporting.export_products(products)
    return xlsx_response(data, f"products-{timezone.localdate():%Y%m%d}.xlsx")


@router.get("/{product_id}", response=ProductDetailOut, summary="One product with its history")
def get_product(request: HttpRequest, product_id: int) -> dict[str, Any]:
    return product_detail(request.user, product_id)


@router.patch(
    "/{product_id}",
    response=ProductDetailOut,
    summary="Change a product (only the fields sent; a reason is required)",
)
def update_product(
    request: HttpRequest, product_id: int, payload: ProductChangeIn
) -> dict[str, Any]:
    product = selectors.product_for(request.user, product_id)
    values = values_of(payload.dict(exclude_unset=True, exclude={"reason"}))
    services.update_product(product, values, by=request.user, reason=payload.reason)
    return product_detail(request.user, product_id)


def values_of(data: dict[str, Any]) -> dict[str, Any]:
    """An empty weight means none."""
    if "weight_kg" in data and data["weight_kg"] in ("", None):
        data["weight_kg"] = None
    return data


def product_out(product: Product) -> dict[str, Any]:
    return {
        **{
            name: getattr(product, name)
            for name in (
                "id",
                "sku",
                "name",
                "spec",
                "model_number",
                "unit",
                "lead_time_days",
                "sales_kind",
                "supply",
                "is_active",
                "orderable",
                "description",
                "created_at",
                "updated_at",
            )
        },
        "category": product.category,
        "tax_rate": str(product.tax_rate),
        "weight_kg": None if product.weight_kg is None else str(product.weight_kg),
    }


def product_detail(user: Any, product_id: int) -> dict[str, Any]:
    product = selectors.product_for(user, product_id)
    return {
        **product_out(product),
        "can_edit": selectors.can_manage(user),
        "history": [history_entry(entry) for entry in selectors.history(product)],
    }


def history_entry(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor_name,
        "action": entry.action,
        "changes": entry.changes,
        "reason": entry.reason,
    }


# --- categories ---------------------------------------------------------------------------


@categories_router.get("", response=CategoryListOut, summary="Categories with product counts")
def list_categories(request: HttpRequest, filters: Query[CategoryFilter]) -> dict[str, Any]:
    selectors.require_staff(request.user)
    categories = selectors.categories_with_counts(request.user)
    page = categories[filters.offset : filters.offset + filters.limit]
    return {"count": categories.count(), "items": [category_out(row) for row in page]}


@categories_router.post(
    "", response={201: CategoryDetailOut}, summary="Create a category (409 duplicate code)"
)
def create_category(request: HttpRequest, payload: CategoryIn) -> Status[dict[str, Any]]:
    category = services.create_category(payload.dict(), by=request.user)
    return Status(201, category_detail(request.user, category.pk))


@categories_router.get("/{category_id}", response=CategoryDetailOut, summary="One category")
def get_category(request: HttpRequest, category_id: int) -> dict[str, Any]:
    return category_detail(request.user, category_id)


@categories_router.patch(
    "/{category_id}",
    response=CategoryDetailOut,
    summary="Change a category (only the fields sent; a reason is required)",
)
def update_category(
    request: HttpRequest, category_id: int, payload: CategoryChangeIn
) -> dict[str, Any]:
    category = selectors.category_for(request.user, category_id)
    values = payload.dict(exclude_unset=True, exclude={"reason"})
    services.update_category(category, values, by=request.user, reason=payload.reason)
    return category_detail(request.user, category_id)


def category_out(category: Category) -> dict[str, Any]:
    parent = category.parent
    return {
        "id": category.pk,
        "code": category.code,
        "name": category.name,
        "parent": None
        if parent is None
        else {"id": parent.pk, "code": parent.code, "name": parent.name},
        "product_count": category.product_count,  # type: ignore[attr-defined]
    }


def category_detail(user: Any, category_id: int) -> dict[str, Any]:
    category = selectors.category_for(user, category_id)
    return {
        **category_out(category),
        "can_edit": selectors.can_manage(user),
        "history": [history_entry(entry) for entry in selectors.history(category)],
    }

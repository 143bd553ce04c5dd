"""REST endpoints for the price policy (issue 4, capability 7):

- ``/api/v1/price-lists``: price lists and their prices (quantity breaks), and each list's
  prices as a spreadsheet (``/import``, ``/export``);
- ``/api/v1/promotions``: promotions;
- ``/api/v1/pricing/quote``: price lines for a customer, writing nothing.

Every endpoint parses input, fetches what the caller may see, calls one service and
renders. Reads are open to staff (not portal accounts); writes need
``pricing.manage_prices``, checked by the services.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status, UploadedFile

from orderdesk.catalog import selectors as catalog_selectors
from orderdesk.catalog.models import Category, Product
from orderdesk.core.errors import NotFound, ValidationFailed
from orderdesk.core.spreadsheets import xlsx_response
from orderdesk.customers import selectors as customer_selectors

from . import exporting, selectors, services
from .models import PriceList, PriceListItem, Promotion
from .schemas import (
    PriceImportOut,
    PriceIn,
    PriceListChangeIn,
    PriceListDetailOut,
    PriceListFilter,
    PriceListIn,
    PriceListListOut,
    PromotionChangeIn,
    PromotionFilter,
    PromotionIn,
    PromotionListOut,
    PromotionOut,
    QuoteIn,
    QuoteOut,
)

price_lists_router = Router(tags=["price lists"])
promotions_router = Router(tags=["promotions"])
pricing_router = Router(tags=["pricing"])

PRICE_LIST_FIELDS = (
    "id", "code", "name", "kind", "grade", "valid_from", "valid_until", "currency",
    "prices_include_tax", "active",
)  # fmt: skip
PROMOTION_FIELDS = (
    "id", "code", "name", "kind", "valid_from", "valid_until", "grades", "stackable", "active",
)  # fmt: skip


# --- lookups ----------------------------------------------------------------------------------


def find_product(user: Any, key: int | str) -> Product | None:
    """A product the caller may see, by id or SKU; ``None`` when unknown."""
    products = catalog_selectors.products_visible_to(user)
    if isinstance(key, int):
        return products.filter(pk=key).first()
    return products.filter(sku=str(key).strip().upper()).first()


def price_list_for(user: Any, price_list_id: int) -> PriceList:
    catalog_selectors.require_staff(user)
    price_list = PriceList.objects.filter(pk=price_list_id).first()
    if price_list is None:
        raise NotFound(_("No such price list."), code="price_list_not_found")
    return price_list


def promotion_for(user: Any, promotion_id: int) -> Promotion:
    catalog_selectors.require_staff(user)
    promotion = Promotion.objects.filter(pk=promotion_id).first()
    if promotion is None:
        raise NotFound(_("No such promotion."), code="promotion_not_found")
    return promotion


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# --- price lists ------------------------------------------------------------------------------


@price_lists_router.get("", response=PriceListListOut, summary="List price lists")
def list_price_lists(request: HttpRequest, filters: Query[PriceListFilter]) -> dict[str, Any]:
    catalog_selectors.require_staff(request.user)
    lists = PriceList.objects.all()
    if filters.kind:
        lists = lists.filter(kind=filters.kind)
    if filters.active is not None:
        lists = lists.filter(active=filters.active)
    page = lists[filters.offset : filters.offset + filters.limit]
    return {"count": lists.count(), "items": [price_list_out(pl) for pl in page]}


@price_lists_router.post(
    "",
    response={201: PriceListDetailOut},
    summary="Open a price list (422 price_list_overlap when its dates clash)",
)
def create_price_list(request: HttpRequest, payload: PriceListIn) -> Status[dict[str, Any]]:
    values = price_list_values(request.user, payload.dict())
    price_list = services.create_price_list(values, by=request.user)
    return Status(201, price_list_detail(price_list))


@price_lists_router.get("/{price_list_id}", response=PriceListDetailOut, summary="One price list")
def get_price_list(request: HttpRequest, price_list_id: int) -> dict[str, Any]:
    return price_list_detail(price_list_for(request.user, price_list_id))


@price_lists_router.patch(
    "/{price_list_id}", response=PriceListDetailOut, summary="Change a price list"
)
def update_price_list(
    request: HttpRequest, price_list_id: int, payload: PriceListChangeIn
) -> dict[str, Any]:
    price_list = price_list_for(request.user, price_list_id)
    values = price_list_values(request.user, payload.dict(exclude_unset=True))
    price_list = services.update_price_list(price_list, values, by=request.user)
    price_list.refresh_from_db()
    return price_list_detail(price_list)


@price_lists_router.put(
    "/{price_list_id}/items/{product}",
    response=PriceListDetailOut,
    summary="Set a product's price (product id or SKU; one quantity break)",
)
def set_price(
    request: HttpRequest, price_list_id: int, product: str, payload: PriceIn
) -> dict[str, Any]:
    price_list = price_list_for(request.user, price_list_id)
    found = find_product(request.user, int(product) if product.isdigit() else product)
    if found is None:
        raise ValidationFailed(
            _("Unknown product {key}.").format(key=product),
            fields={"product": _("Unknown product.")},
        )
    services.set_price(price_list, found, payload.dict(), by=request.user)
    return price_list_detail(price_list)


@price_lists_router.delete(
    "/{price_list_id}/items/{product}",
    response={204: None},
    summary="Remove a product's price (the break from ?min_quantity=, default 1)",
)
def remove_price(
    request: HttpRequest, price_list_id: int, product: str, min_quantity: Decimal = Decimal(1)
) -> Status[None]:
    price_list = price_list_for(request.user, price_list_id)
    found = find_product(request.user, int(product) if product.isdigit() else product)
    item = PriceListItem.objects.filter(
        price_list=price_list, product=found, min_quantity=min_quantity
    ).first()
    if found is None or item is None:
        raise NotFound(_("No such price."), code="price_not_found")
    services.remove_price(item, by=request.user)
    return Status(204, None)


@price_lists_router.post(
    "/{price_list_id}/import",
    response=PriceImportOut,
    summary="Set the list's prices from an .xlsx or .csv file (422 invalid_rows)",
)
def import_prices(
    request: HttpRequest, price_list_id: int, file: File[UploadedFile]
) -> dict[str, Any]:
    """Multipart upload, field ``file``: columns SKU, 起订量, 含税单价 (未税单价 for a list
    without VAT), 最低价. With any bad row nothing is written and ``error.rows`` names every
    bad cell."""
    price_list = price_list_for(request.user, price_list_id)
    report = services.import_prices(price_list, file.read(), file.name or "", by=request.user)
    report.refuse_if_invalid()
    return {
        "filename": report.filename,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "warnings": [warning.as_dict() for warning in report.warnings],
    }


@price_lists_router.get(
    "/{price_list_id}/export",
    summary="The list's prices as an .xlsx file (the import's columns; floors for managers)",
)
def export_prices(request: HttpRequest, price_list_id: int) -> HttpResponse:
    price_list = price_list_for(request.user, price_list_id)
    data = exporting.export_prices(price_list, user=request.user)
    return xlsx_response(data, f"prices-{price_list.code}-{timezone.localdate():%Y%m%d}.xlsx")


def price_list_values(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("customer") is not None:
        data["customer"] = customer_selectors.customer_for(user, data["customer"])
    return data


def price_list_out(price_list: PriceList) -> dict[str, Any]:
    return {
        **{name: getattr(price_list, name) for name in PRICE_LIST_FIELDS},
        "customer": price_list.customer_id,
    }


def price_list_detail(price_list: PriceList) -> dict[str, Any]:
    items = PriceListItem.objects.filter(price_list=price_list).select_related("product")
    return {
        **price_list_out(price_list),
        "items": [
            {
                "id": item.pk,
                "product": item.product_id,
                "sku": item.product.sku,
                "min_quantity": str(item.min_quantity),
                "unit_price": str(item.unit_price),
                "floor_price": money(item.floor_price),
            }
            for item in items
        ],
    }


# --- promotions -------------------------------------------------------------------------------


@promotions_router.get("", response=PromotionListOut, summary="List promotions")
def list_promotions(request: HttpRequest, filters: Query[PromotionFilter]) -> dict[str, Any]:
    catalog_selectors.require_staff(request.user)
    promotions = Promotion.objects.prefetch_related("products", "categories", "customers")
    if filters.active is not None:
        promotions = promotions.filter(active=filters.active)
    if filters.on is not None:
        promotions = promotions.filter(selectors.valid_on(filters.on))
    page = promotions[filters.offset : filters.offset + filters.limit]
    return {"count": promotions.count(), "items": [promotion_out(p) for p in page]}


@promotions_router.post("", response={201: PromotionOut}, summary="Open a promotion")
def create_promotion(request: HttpRequest, payload: PromotionIn) -> Status[dict[str, Any]]:
    catalog_selectors.require_staff(request.user)
    values = promotion_values(request.user, payload.dict())
    promotion = services.create_promotion(values, by=request.user)
    promotion.refresh_from_db()  # amounts as stored (to the fen), not as sent
    return Status(201, promotion_out(promotion))


@promotions_router.get("/{promotion_id}", response=PromotionOut, summary="One promotion")
def get_promotion(request: HttpRequest, promotion_id: int) -> dict[str, Any]:
    return promotion_out(promotion_for(request.user, promotion_id))


@promotions_router.patch("/{promotion_id}", response=PromotionOut, summary="Change a promotion")
def update_promotion(
    request: HttpRequest, promotion_id: int, payload: PromotionChangeIn
) -> dict[str, Any]:
    promotion = promotion_for(request.user, promotion_id)
    values = promotion_values(request.user, payload.dict(exclude_unset=True))
    promotion = services.update_promotion(promotion, values, by=request.user)
    promotion.refresh_from_db()
    return promotion_out(promotion)


def promotion_values(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Targets given as ids, SKUs or codes become rows; unknown ones are named."""
    errors: dict[str, str] = {}
    if "products" in data:
        products = [find_product(user, key) for key in data["products"]]
        unknown = [str(k) for k, p in zip(data["products"], products, strict=True) if p is None]
        if unknown:
            errors["products"] = _("Unknown products: {keys}.").format(keys=", ".join(unknown))
        data["products"] = [p for p in products if p is not None]
    if "categories" in data:
        categories = []
        for key in data["categories"]:
            lookup = {"pk": key} if isinstance(key, int) else {"code": key}
            category = Category.objects.filter(**lookup).first()
            if category is None:
                errors["categories"] = _("Unknown category {key}.").format(key=key)
            else:
                categories.append(category)
        data["categories"] = categories
    if "customers" in data:
        visible = customer_selectors.customers_visible_to(user)
        customers = list(visible.filter(pk__in=data["customers"]))
        if len(customers) != len(set(data["customers"])):
            errors["customers"] = _("Unknown customer.")
        data["customers"] = customers
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    return data


def promotion_out(promotion: Promotion) -> dict[str, Any]:
    return {
        **{name: getattr(promotion, name) for name in PROMOTION_FIELDS},
        **{
            name: money(getattr(promotion, name))
            for name in ("percent_off", "amount_off", "threshold_amount", "min_quantity")
        },
        "products": [product.sku for product in promotion.products.all()],
        "categories": [category.code for category in promotion.categories.all()],
        "customers": [customer.pk for customer in promotion.customers.all()],
    }


# --- quote ------------------------------------------------------------------------------------


@pricing_router.post(
    "/quote",
    response=QuoteOut,
    summary="Price lines for a customer (list price, promotions, net, VAT, approval); "
    "writes nothing",
)
def quote(request: HttpRequest, payload: QuoteIn) -> dict[str, Any]:
    customer = customer_selectors.customer_for(request.user, payload.customer)
    lines = []
    for line in payload.lines:
        # An unsaved product is the service's "unknown product" (named per line).
        product = find_product(request.user, line.product) or Product()
        lines.append((product, line.quantity, line.unit_price, line.discount_percent))
    on = payload.on or timezone.localdate()
    result = services.price_lines(customer, lines, on=on, by=request.user)
    return {
        "customer": customer.pk,
        "on": result.on,
        "lines": [
            {
                "index": line.index,
                "product": line.product.pk,
                "sku": line.product.sku,
                "quantity": str(line.quantity),
                "price_list": line.price_list,
                "list_price": str(line.list_price),
                "floor_price": money(line.floor_price),
                "promotions": line.promotions,
                "promoted_price": str(line.promoted_price),
                "net_unit_price": str(line.net_unit_price),
                "discount_percent": str(line.discount_percent),
                "order_discount": str(line.order_discount),
                "net": str(line.net),
                "tax": str(line.tax),
                "gross": str(line.gross),
                "prices_include_tax": line.prices_include_tax,
                "approval": line.approval,
            }
            for line in result.lines
        ],
        "order_promotions": result.order_promotions,
        "order_discount": str(result.order_discount),
        "net": str(result.net),
        "tax": str(result.tax),
        "gross": str(result.gross),
        "approval": result.approval,
    }

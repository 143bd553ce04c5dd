"""The REST API at /api/v1/: one NinjaAPI, its authentication and its error handlers.

Every error leaves as ``{"error": {"code", "message", "fields"}}`` with a 4xx status, so
clients handle one shape whether a rule, the input format or the credentials failed.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from orderdesk.accounts.api import BearerTokenAuth
from orderdesk.accounts.api import router as accounts_router
from orderdesk.aftersales.api import router as cases_router
from orderdesk.billing.api import (
    customer_account_router,
    invoices_router,
    payments_router,
    receivables_router,
)
from orderdesk.billing.collection_api import collection_router
from orderdesk.billing.statement_api import statements_router
from orderdesk.catalog.api import categories_router
from orderdesk.catalog.api import router as products_router
from orderdesk.changes.api import changes_router
from orderdesk.core.api import router as core_router
from orderdesk.core.errors import DomainError
from orderdesk.customers.api import router as customers_router
from orderdesk.inventory.api import stock_router, warehouses_router
from orderdesk.orders.api import router as orders_router
from orderdesk.preparation.api import router as pick_lists_router
from orderdesk.pricing.api import price_lists_router, pricing_router, promotions_router
from orderdesk.production.api import router as production_router
from orderdesk.shipping.api import order_fulfilment_router
from orderdesk.shipping.api import router as shipments_router

api = NinjaAPI(
    title="orderdesk API",
    version="1",
    description="销售订单管理 + 客户信息管理. Authenticate with a session cookie (and CSRF "
    "token) or `Authorization: Bearer <token>` (see `orderdesk token create`).",
    auth=[BearerTokenAuth(), django_auth],
    urls_namespace="api-1",
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return api.create_response(request, {"error": error.as_dict()}, status=error.status)


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for item in error.errors:
        location = [
            str(part)
            for part in item.get("loc", ())
            if part not in ("body", "query", "path", "payload")
        ]
        fields[".".join(location) or "body"] = item.get("msg", "invalid")
    return error_response(request, 422, "invalid_input", _("Some fields are invalid."), fields)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return error_response(
        request,
        401,
        "unauthenticated",
        _("Sign in, or send a valid API token as Authorization: Bearer <token>."),
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return error_response(request, error.status_code, "http_error", str(error))


api.add_router("/", core_router)
api.add_router("/", accounts_router)
api.add_router("/customers", customers_router)
api.add_router("/customers", customer_account_router)
api.add_router("/products", products_router)
api.add_router("/categories", categories_router)
api.add_router("/price-lists", price_lists_router)
api.add_router("/promotions", promotions_router)
api.add_router("/pricing", pricing_router)
api.add_router("/warehouses", warehouses_router)
api.add_router("/stock", stock_router)
api.add_router("/orders", orders_router)
api.add_router("/orders", order_fulfilment_router)
api.add_router("/orders", changes_router)
api.add_router("/production-orders", production_router)
api.add_router("/pick-lists", pick_lists_router)
api.add_router("/shipments", shipments_router)
api.add_router("/cases", cases_router)
api.add_router("/invoices", invoices_router)
api.add_router("/payments", payments_router)
api.add_router("/receivables", receivables_router)
api.add_router("/collection", collection_router)
api.add_router("/statements", statements_router)

"""URL map: pages per app, the REST API at /api/v1/, health check and language switch."""

from django.contrib import admin
from django.urls import include, path

from orderdesk.config.api import api
from orderdesk.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("orderdesk.accounts.urls")),
    path("admin/", admin.site.urls),
    path("customers/", include("orderdesk.customers.urls")),
    path("products/", include("orderdesk.catalog.urls")),
    path("prices/", include("orderdesk.pricing.urls")),
    path("stock/", include("orderdesk.inventory.urls")),
    path("orders/", include("orderdesk.orders.urls")),
    path("production/", include("orderdesk.production.urls")),
    path("preparation/", include("orderdesk.preparation.urls")),
    path("shipping/", include("orderdesk.shipping.urls")),
    path("cases/", include("orderdesk.aftersales.urls")),
    path("billing/", include("orderdesk.billing.urls")),
    path("changes/", include("orderdesk.changes.urls")),
    path("", include("orderdesk.core.urls")),
]

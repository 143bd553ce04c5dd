"""Customer pages (being written)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

app_name = "customers"


def pending(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


urlpatterns = [
    path("", pending, name="list"),
    path("new/", pending, name="create"),
    path("import/", pending, name="import"),
    path("export.xlsx", pending, name="export"),
    path("<int:customer_id>/", pending, name="detail"),
    path("<int:customer_id>/edit/", pending, name="edit"),
    path("<int:customer_id>/merge/", pending, name="merge"),
]

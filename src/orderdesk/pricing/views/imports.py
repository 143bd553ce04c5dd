"""A price list's prices as a spreadsheet (价格表导入导出): the import page, which checks
every row first and lists the bad cells (nothing is written then), and the Excel download.
The rules are ``services.import_prices``'s; the columns are ``spreadsheets``'."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from orderdesk.core.errors import DomainError
from orderdesk.core.forms import place_errors
from orderdesk.core.spreadsheets import xlsx_response

from .. import exporting, selectors, services, spreadsheets
from ..forms import PriceImportForm
from .base import fetch_or_404, require_staff_page

MANAGE = selectors.MANAGE


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_prices(request: HttpRequest, price_list_id: int) -> HttpResponse:
    """Upload a spreadsheet of prices for one list; the report lists created, changed and
    unchanged rows, or every bad cell (row, column, message) with nothing imported."""
    current = fetch_or_404(selectors.price_list_for, request.user, price_list_id)
    form = PriceImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.import_prices(current, upload.read(), upload.name, by=request.user)
        except DomainError as error:
            place_errors(error, form)
    price_field = spreadsheets.price_column(current.prices_include_tax)
    return render(
        request,
        "pricing/price_import.html",
        {
            "price_list": current,
            "form": form,
            "report": report,
            "headers": [
                spreadsheets.HEADERS[name]
                for name in ("sku", "min_quantity", price_field, "floor_price")
            ],
        },
    )


@require_GET
def export_prices(request: HttpRequest, price_list_id: int) -> HttpResponse:
    """The list's prices as an Excel workbook with the import's columns (minimum prices only
    for those who manage prices)."""
    require_staff_page(request.user)
    current = fetch_or_404(selectors.price_list_for, request.user, price_list_id)
    data = exporting.export_prices(current, user=request.user)
    return xlsx_response(data, f"prices-{current.code}-{timezone.localdate():%Y%m%d}.xlsx")

"""The customer list with search and filters, its Excel export, and the import page."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from orderdesk.core import permissions
from orderdesk.core.errors import DomainError
from orderdesk.core.paging import page_of
from orderdesk.core.spreadsheets import xlsx_response

from .. import selectors, services
from ..forms import CustomerFilterForm, ImportForm
from .base import CREATE, IMPORT, MERGE, owner_filter_choices, place_errors, require_customer_access

PAGE_SIZE = 25


def filter_form(request: HttpRequest) -> CustomerFilterForm:
    return CustomerFilterForm(
        request.GET,
        credit=selectors.can_see_credit(request.user),
        owners=owner_filter_choices(request.user),
    )


@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    """Search by name, pinyin initials, code, USCC, contact name or phone; filter; sort."""
    require_customer_access(request.user)
    form = filter_form(request)
    customers = selectors.search(request.user, **form.filters())
    page, query = page_of(request, customers, PAGE_SIZE)
    rows = selectors.mask_or_log(page.object_list, request.user, channel="html")
    return render(
        request,
        "customers/list.html",
        {
            "form": form,
            "page": page,
            "customers": rows,
            "query": query,
            "filtered": bool(form.filters().keys() - {"sort"}),
            "can_create": permissions.has(request.user, CREATE),
            "can_import": permissions.has(request.user, IMPORT),
            "can_merge": permissions.has(request.user, MERGE),
            "can_see_credit": selectors.can_see_credit(request.user),
        },
    )


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The filtered list as an Excel workbook (masked like the page)."""
    require_customer_access(request.user)
    customers = selectors.search(request.user, **filter_form(request).filters())
    data = services.export_customers(customers, user=request.user)
    return xlsx_response(data, f"customers-{timezone.localdate():%Y%m%d}.xlsx")


@permission_required(IMPORT, raise_exception=True)
def import_customers(request: HttpRequest) -> HttpResponse:
    """Upload a spreadsheet; every row is checked first and errors are listed by row."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.import_customers(
                upload.read(),
                upload.name,
                by=request.user,
                valid_only=form.cleaned_data["valid_only"],
            )
        except DomainError as error:
            place_errors(error, form)
    created = list(report.created) if report else []
    return render(
        request,
        "customers/import.html",
        {
            "form": form,
            "report": report,
            "created": selectors.mask_or_log(created, request.user, channel="html"),
            "errors": report.errors if report else [],
            "warnings": report.warnings if report else [],
        },
    )

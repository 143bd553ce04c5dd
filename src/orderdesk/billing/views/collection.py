"""Collection pages (催收): the queue of cases, most urgent first; one case with its invoice,
its level history and the payment contacts; logging a payment contact (催收记录) for a case
or for a customer's whole account; the collection notice (余款催收通知书) as PDF.

The reads are those of ``billing.collection`` (``cases_visible_to``, ``case_for``) and the
API's (``/api/v1/collection``): finance sees every case, others the cases of the customers
whose receivables they see. A contact goes to ``collection.log_payment_contact``; its
refusals come back on the form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from orderdesk.core import audit, htmx
from orderdesk.core.errors import DomainError, NotFound
from orderdesk.core.forms import place_errors
from orderdesk.core.paging import page_of
from orderdesk.customers.models import Customer
from orderdesk.customers.selectors import matches

from .. import collection, selectors
from ..collection_documents import collection_notice_pdf
from ..forms import CollectionFilterForm, PaymentContactForm
from ..models import (
    CollectionCase,
    CollectionLevel,
    CollectionStatus,
    Invoice,
    PaymentContact,
)
from .pages import as_id

CONTACTS_LIMIT = 100
TIMELINE_LIMIT = 50

# Most urgent first: a case being chased before one waiting for a promised payment, the
# highest level first, then the earliest next action and the invoice overdue longest.
STATUS_RANK = Case(
    When(status=CollectionStatus.OPEN, then=Value(0)),
    When(status=CollectionStatus.PROMISED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
LEVEL_RANK = Case(
    *[
        When(level=level, then=Value(rank))
        for rank, level in enumerate(reversed(collection.LEVELS))
    ],
    default=Value(len(collection.LEVELS)),
    output_field=IntegerField(),
)


def require_view(user: Any) -> None:
    if not selectors.can_view(user):
        raise PermissionDenied


def case_or_404(user: Any, case_id: int) -> CollectionCase:
    try:
        return collection.case_for(user, case_id)
    except NotFound as error:
        raise Http404 from error


def customer_or_404(user: Any, customer_id: int) -> Customer:
    try:
        return selectors.customer_for(user, customer_id)
    except NotFound as error:
        raise Http404 from error


def case_url(case: CollectionCase, anchor: str = "") -> str:
    return reverse("billing:collection_case", args=[case.pk]) + (f"#{anchor}" if anchor else "")


def customer_url(customer: Customer) -> str:
    return reverse("customers:detail", args=[customer.pk]) + "#collection"


def row(case: CollectionCase, today: dt.date) -> dict[str, Any]:
    return {
        "case": case,
        "open": collection.invoice_open(case.invoice),
        "days": collection.days_overdue(case.invoice, today),
    }


def level_steps(case: CollectionCase) -> list[dict[str, Any]]:
    """The ladder of levels with the ones the case reached marked."""
    reached = collection.LEVELS.index(CollectionLevel(case.level))
    return [
        {"label": level.label, "done": index <= reached, "current": index == reached}
        for index, level in enumerate(collection.LEVELS)
    ]


def contact_values(form: PaymentContactForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "channel": data["channel"],
        "summary": data["summary"],
        "promised_amount": data["promised_amount"],
        "promised_on": data["promised_on"],
    }


# --- the queue ------------------------------------------------------------------------------


def search_cases(user: Any, data: dict[str, Any]) -> QuerySet[CollectionCase]:
    cases = collection.cases_visible_to(user).select_related("invoice__order")
    status = data.get("status") or ""
    if status == "all":
        pass
    elif status:
        cases = cases.filter(status=status)
    else:
        cases = cases.filter(status__in=collection.LIVE)
    if data.get("level"):
        cases = cases.filter(level=data["level"])
    if data.get("mine"):
        cases = cases.filter(customer__owner=user)
    if text := (data.get("customer") or "").strip():
        cases = cases.filter(customer__in=Customer.objects.filter(matches(text)))
    if (customer_id := as_id(data.get("customer_id"))) is not None:
        cases = cases.filter(customer_id=customer_id)
    return cases.order_by(
        STATUS_RANK,
        LEVEL_RANK,
        F("next_action_on").asc(nulls_last=True),
        "invoice__due_on",
        "pk",
    )


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The collection task queue: the open cases with what to do next."""
    require_view(request.user)
    form = CollectionFilterForm(request.GET or None)
    data: dict[str, Any] = dict(form.cleaned_data) if form.is_valid() else {}
    data["customer_id"] = request.GET.get("customer_id", "")
    page, query = page_of(request, search_cases(request.user, data))
    today = timezone.localdate()
    return render(
        request,
        "billing/collection_queue.html",
        {
            "form": form,
            "page": page,
            "rows": [row(case, today) for case in page.object_list],
            "query": query,
            "filtered": any(data.values()),
            "today": today,
        },
    )


# --- one case -------------------------------------------------------------------------------


def case_context(
    request: HttpRequest, case: CollectionCase, form: PaymentContactForm
) -> dict[str, Any]:
    today = timezone.localdate()
    invoice = Invoice.objects.select_related("order").get(pk=case.invoice_id)
    contacts = (
        PaymentContact.objects.filter(customer_id=case.customer_id)
        .filter(Q(invoice=invoice) | Q(invoice__isnull=True))
        .select_related("by", "invoice")[:CONTACTS_LIMIT]
    )
    return {
        "case": case,
        "invoice": invoice,
        "customer": case.customer,
        "open": collection.invoice_open(invoice),
        "days": collection.days_overdue(invoice, today),
        "steps": level_steps(case),
        "contacts": list(contacts),
        "entries": audit.entries_for(case)[:TIMELINE_LIMIT],
        "form": form,
        "can_log": case.status != CollectionStatus.CLOSED,
        "today": today,
    }


@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """One case; a POST logs a payment contact about its invoice."""
    require_view(request.user)
    case = case_or_404(request.user, case_id)
    form = PaymentContactForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            collection.log_payment_contact(
                case.customer, by=request.user, invoice=case.invoice, **contact_values(form)
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Payment contact logged."))
            return htmx.redirect(request, case_url(case, "contacts"))
    return render(request, "billing/collection_case.html", case_context(request, case, form))


# --- contacts about a customer's account and the notice -------------------------------------


@require_http_methods(["GET", "POST"])
def customer_contact(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Log a payment contact about the customer's whole account or one open invoice (the
    form of the customer page's account panel posts here)."""
    require_view(request.user)
    customer = customer_or_404(request.user, customer_id)
    invoices = {
        invoice.pk: invoice
        for invoice in selectors.open_invoices(customer).order_by("due_on", "pk")
    }
    form = PaymentContactForm(
        request.POST if request.method == "POST" else None,
        prefix="payment_contact",
        invoices=[(pk, invoice.number) for pk, invoice in invoices.items()],
    )
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data.get("invoice") or ""
        try:
            collection.log_payment_contact(
                customer,
                by=request.user,
                invoice=invoices.get(as_id(chosen) or 0),
                **contact_values(form),
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Payment contact logged."))
            return htmx.redirect(request, customer_url(customer))
    contacts = PaymentContact.objects.filter(customer=customer).select_related("by", "invoice")
    return render(
        request,
        "billing/collection_contact.html",
        {"customer": customer, "form": form, "contacts": list(contacts[:CONTACTS_LIMIT])},
    )


@require_GET
def notice_pdf(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The collection notice (余款催收通知书) listing the customer's overdue invoices today."""
    require_view(request.user)
    customer = customer_or_404(request.user, customer_id)
    today = timezone.localdate()
    invoices = list(collection.overdue_invoices(today).filter(customer=customer))
    if not invoices:
        messages.info(request, _("Nothing of this customer is overdue: there is no notice."))
        return htmx.redirect(request, customer_url(customer))
    response = HttpResponse(
        collection_notice_pdf(customer, invoices, on=today), content_type="application/pdf"
    )
    name = f"collection-notice-{customer.code}-{today:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns: list[URLPattern] = [
    path("collection/", queue, name="collection"),
    path("collection/<int:case_id>/", case_detail, name="collection_case"),
    path(
        "collection/customers/<int:customer_id>/contact/",
        customer_contact,
        name="collection_contact",
    ),
    path(
        "collection/customers/<int:customer_id>/notice.pdf",
        notice_pdf,
        name="collection_notice",
    ),
]

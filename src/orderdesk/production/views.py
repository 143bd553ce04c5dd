"""Production pages: the board (by status, earliest due first), one production order
(details, daily reports with a form, actions, history) and the panel on the order page.

Every form posts to one service; a refusal comes back on the form (or as a message for the
one-button actions). Viewing follows the sales order: who sees the order sees its
production orders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orderdesk.core import audit, htmx, permissions
from orderdesk.core.errors import DomainError, NotFound
from orderdesk.core.forms import forbid, place_errors
from orderdesk.inventory.selectors import active_warehouses
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.models import Order
from orderdesk.orders.services.confirmation import order_page

from . import selectors, services
from .models import ExceptionKind, ProductionOrder, ProductionStatus

MANAGE = selectors.MANAGE
TIMELINE_LIMIT = 100
BOARD_LIMIT = 500


# --- forms ----------------------------------------------------------------------------------


class BoardFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Number"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *ProductionStatus.choices],
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)


class ProgressForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    percent = forms.DecimalField(
        label=gettext_lazy("Percent done"), required=False, max_digits=5, decimal_places=2
    )
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity done"), required=False, max_digits=14, decimal_places=3
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CompleteForm(forms.Form):
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity made"), max_digits=14, decimal_places=3
    )
    warehouse_id = forms.TypedChoiceField(
        label=gettext_lazy("Into warehouse"), coerce=int, choices=()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["warehouse_id"])
        field.choices = [(w.pk, f"{w.code} {w.name}") for w in active_warehouses()]


class ExceptionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Problem"), choices=ExceptionKind.choices)
    note = forms.CharField(
        label=gettext_lazy("What happened"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    expected_on = forms.DateField(
        label=gettext_lazy("Now expected on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "A date after the promised date moves the order's promised date and tells the customer."
        ),
    )


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("How it was solved"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


FORMS: dict[str, type[forms.Form]] = {
    "progress": ProgressForm,
    "complete": CompleteForm,
    "exception": ExceptionForm,
    "resolve": ResolveForm,
}


# --- helpers --------------------------------------------------------------------------------


def po_or_404(user: Any, po_id: int) -> ProductionOrder:
    try:
        return selectors.production_order_for(user, po_id)
    except NotFound as error:
        raise Http404(str(error.message)) from error


def detail_url(po: ProductionOrder) -> str:
    return reverse("production:detail", args=[po.pk])


def allowed_actions(user: Any, po: ProductionOrder) -> dict[str, bool]:
    manage = permissions.has(user, MANAGE)
    status = po.status
    return {
        "acknowledge": manage
        and po.acknowledged_at is None
        and status != ProductionStatus.COMPLETED
        and services.may_acknowledge(user, po),
        "start": manage and status == ProductionStatus.PLANNED,
        "progress": manage and status in services.REPORTABLE,
        "qc": manage and status == ProductionStatus.IN_PROGRESS,
        "complete": manage and status == ProductionStatus.QC_PASSED,
        "exception": manage and ProductionStatus.EXCEPTION in services.TRANSITIONS[status],
        "resolve": manage and status == ProductionStatus.EXCEPTION,
    }


def row(po: ProductionOrder) -> dict[str, Any]:
    return {
        "po": po,
        "progress": selectors.progress_percent(po),
        "overdue": selectors.is_overdue(po),
    }


# --- pages ------------------------------------------------------------------------------------


def board(request: HttpRequest) -> HttpResponse:
    form = BoardFilter(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "q": form.cleaned_data["q"],
            "status": form.cleaned_data["status"],
            "overdue": form.cleaned_data["overdue"],
        }
    found = list(selectors.search(request.user, **filters)[:BOARD_LIMIT])
    columns = []
    for value, label in ProductionStatus.choices:
        rows = [row(po) for po in found if po.status == value]
        if rows or not filters.get("status"):
            columns.append({"status": value, "label": label, "rows": rows})
    return render(
        request,
        "production/board.html",
        {
            "form": form,
            "columns": columns,
            "count": len(found),
            "truncated": len(found) >= BOARD_LIMIT,
            "filtered": any(filters.values()),
        },
    )


def detail(
    request: HttpRequest, po_id: int, *, bound: tuple[str, forms.Form] | None = None
) -> HttpResponse:
    po = po_or_404(request.user, po_id)
    page_forms: dict[str, forms.Form] = {
        "progress": ProgressForm(initial={"day": timezone.localdate()}),
        "complete": CompleteForm(
            initial={"quantity": po.quantity, "warehouse_id": default_warehouse(po)}
        ),
        "exception": ExceptionForm(),
        "resolve": ResolveForm(),
    }
    if bound is not None:
        page_forms[bound[0]] = bound[1]
    return render(
        request,
        "production/detail.html",
        {
            "po": po,
            "order": po.order,
            "order_url": order_page(po.order_id),
            "info": row(po),
            "reports": po.reports.select_related("reported_by").order_by("-day"),
            "can": allowed_actions(request.user, po),
            "forms": page_forms,
            "entries": audit.entries_for(po)[:TIMELINE_LIMIT],
        },
        status=422 if bound is not None else 200,
    )


def default_warehouse(po: ProductionOrder) -> int | None:
    from orderdesk.inventory.selectors import open_reservations

    existing = open_reservations(po.order_line.reference).first()
    if existing is not None:
        return existing.warehouse_id
    first = active_warehouses().first()
    return first.pk if first else None


@require_POST
def act(request: HttpRequest, po_id: int, action: str) -> HttpResponse:
    po = po_or_404(request.user, po_id)
    by = request.user
    simple: dict[str, tuple[Callable[..., ProductionOrder], str]] = {
        "acknowledge": (services.acknowledge, _("Production order %(number)s acknowledged.")),
        "start": (services.start, _("Production order %(number)s started.")),
        "qc": (services.pass_qc, _("Production order %(number)s passed QC.")),
    }
    if action in simple:
        service, done = simple[action]
        try:
            service(po, by=by)
        except DomainError as error:
            forbid(error)
            messages.error(request, str(error.message))
        else:
            messages.success(request, done % {"number": po.number})
        return htmx.redirect(request, detail_url(po))
    if action not in FORMS:
        raise Http404
    form = FORMS[action](request.POST)
    if not form.is_valid():
        return detail(request, po_id, bound=(action, form))
    data = form.cleaned_data
    try:
        if action == "progress":
            services.report_progress(
                po,
                by=by,
                percent=data["percent"],
                quantity=data["quantity"],
                note=data["note"],
                day=data["day"] or None,
            )
            done = _("Progress of %(number)s reported.")
        elif action == "complete":
            services.complete(po, quantity=data["quantity"], warehouse=data["warehouse_id"], by=by)
            done = _("Production order %(number)s completed; the goods are reserved for the order.")
        elif action == "exception":
            services.report_exception(
                po,
                kind=data["kind"],
                note=data["note"],
                expected_on=data["expected_on"],
                by=by,
            )
            done = _("Exception of %(number)s reported; customer service and sales are told.")
        else:
            services.resolve_exception(po, note=data["note"], by=by)
            done = _("Exception of %(number)s resolved.")
    except DomainError as error:
        place_errors(error, form)
        return detail(request, po_id, bound=(action, form))
    messages.success(request, done % {"number": po.number})
    return htmx.redirect(request, detail_url(po))


@require_POST
def create(request: HttpRequest, order_id: int) -> HttpResponse:
    try:
        order = order_selectors.order_for(request.user, order_id)
    except NotFound as error:
        raise Http404(str(error.message)) from error
    try:
        made = services.create_for_order(order, by=request.user)
    except DomainError as error:
        forbid(error)
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Production orders created: %(numbers)s.")
            % {"numbers": ", ".join(po.number for po in made)},
        )
    return htmx.redirect(request, order_page(order.pk) + "#production")


# --- the order page panel ---------------------------------------------------------------------


def order_panel_context(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    """The order's production orders, and "create" for production when it is released."""
    rows = [row(po) for po in selectors.for_order(order)]
    may_create = permissions.has(request.user, MANAGE) and order.status in services.CREATABLE
    if not rows and not may_create:
        return None
    return {
        "order": order,
        "rows": rows,
        "exceptions": [r for r in rows if r["po"].status == ProductionStatus.EXCEPTION],
        "can_create": may_create,
    }

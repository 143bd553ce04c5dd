"""Preparation pages (备货): the pick list index, the printable pick list with the picked
quantities, and the order page panel "备货" with the prepared percentage per line. Views
parse input and call one service; refusals come back as messages or on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from orderdesk.core import audit, htmx, permissions
from orderdesk.core.errors import DomainError, NotFound
from orderdesk.core.forms import forbid
from orderdesk.core.paging import page_of
from orderdesk.inventory.selectors import active_warehouses
from orderdesk.orders.models import Order
from orderdesk.orders.selectors import order_for

from .. import selectors, services
from ..models import PickList, PickListStatus

PREPARE = services.PREPARE
VIEWERS = ("orders.view_all_orders", "orders.view_team_orders", PREPARE)


class PickListFilterForm(forms.Form):
    warehouse = forms.TypedChoiceField(
        label=gettext_lazy("Warehouse"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *PickListStatus.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [  # type: ignore[attr-defined]
            ("", _("All warehouses")),
            *[(each.pk, each.name) for each in active_warehouses()],
        ]


def require_access(user: Any) -> None:
    if not any(permissions.has(user, permission) for permission in VIEWERS):
        raise PermissionDenied


def pick_list_or_404(user: Any, pick_list_id: int) -> PickList:
    try:
        return selectors.pick_list_for(user, pick_list_id)
    except NotFound as error:
        raise Http404 from error


@require_GET
def pick_list_index(request: HttpRequest) -> HttpResponse:
    require_access(request.user)
    form = PickListFilterForm(request.GET)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "warehouse_id": form.cleaned_data["warehouse"],
            "status": form.cleaned_data["status"] or None,
        }
    pick_lists = selectors.search_pick_lists(request.user, **filters)
    page, query = page_of(request, pick_lists)
    return render(
        request,
        "preparation/list.html",
        {
            "form": form,
            "page": page,
            "pick_lists": list(page.object_list),
            "query": query,
            "filtered": any(value for value in filters.values()),
        },
    )


@require_GET
def pick_list_detail(request: HttpRequest, pick_list_id: int) -> HttpResponse:
    pick_list = pick_list_or_404(request.user, pick_list_id)
    return render(request, "preparation/detail.html", detail_context(request, pick_list))


def plain(value: Any) -> str:
    """A quantity without trailing zeros: 2.5, not 2.500."""
    return f"{value.normalize():f}"


def detail_context(
    request: HttpRequest, pick_list: PickList, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    errors = errors or {}
    lines = selectors.lines_of(pick_list)
    may_prepare = permissions.has(request.user, PREPARE)
    return {
        "pick_list": pick_list,
        "rows": [
            {
                "line": line,
                "error": errors.get(f"lines.{line.pk}", ""),
                "value": request.POST.get(f"picked-{line.pk}", plain(line.picked_quantity))
                if request.method == "POST"
                else plain(line.picked_quantity),
            }
            for line in lines
        ],
        "editable": may_prepare and pick_list.status == PickListStatus.OPEN,
        "entries": audit.entries_for(pick_list)[:50],
    }


@require_POST
def record_picked(request: HttpRequest, pick_list_id: int) -> HttpResponse:
    pick_list = pick_list_or_404(request.user, pick_list_id)
    quantities = {
        key.removeprefix("picked-"): (request.POST.get(key) or "").strip()
        for key in request.POST
        if key.startswith("picked-")
    }
    fully = "all" in request.POST
    if fully:
        quantities = {str(line.pk): f"{line.quantity:f}" for line in pick_list.lines.all()}
    try:
        saved = services.record_picked(pick_list, quantities, by=request.user)
    except DomainError as error:
        forbid(error)
        context = detail_context(request, pick_list, error.fields)
        context["error"] = error
        return render(request, "preparation/detail.html", context, status=error.status)
    if saved.status == PickListStatus.PICKED:
        messages.success(
            request, _("Pick list {number} is fully picked.").format(number=saved.number)
        )
    else:
        messages.success(request, _("Picked quantities saved."))
    return htmx.redirect(request, reverse("preparation:detail", args=[pick_list.pk]))


@require_POST
def cancel(request: HttpRequest, pick_list_id: int) -> HttpResponse:
    pick_list = pick_list_or_404(request.user, pick_list_id)
    try:
        services.cancel_pick_list(pick_list, request.POST.get("reason", ""), by=request.user)
    except DomainError as error:
        forbid(error)
        htmx.flash_error(request, error)
    else:
        messages.success(
            request, _("Pick list {number} cancelled.").format(number=pick_list.number)
        )
    return htmx.redirect(request, reverse("preparation:detail", args=[pick_list.pk]))


@require_POST
def create_for_order(request: HttpRequest, order_id: int) -> HttpResponse:
    try:
        order = order_for(request.user, order_id)
    except NotFound as error:
        raise Http404 from error
    target = reverse("orders:detail", args=[order.pk]) + "#preparation"
    try:
        created = services.create_pick_lists(order, by=request.user)
    except DomainError as error:
        forbid(error)
        htmx.flash_error(request, error)
        return htmx.redirect(request, target)
    messages.success(
        request,
        _("Pick lists created: {numbers}.").format(
            numbers=", ".join(each.number for each in created)
        ),
    )
    if len(created) == 1:
        return htmx.redirect(request, reverse("preparation:detail", args=[created[0].pk]))
    return htmx.redirect(request, target)


def panel_context(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    """The order page panel "备货": prepared per line and overall, the order's pick lists and
    the button to create pick lists for those who may (the service checks again)."""
    pick_lists = list(selectors.pick_lists_of(order))
    preparable = order.status in services.PREPARABLE
    if not pick_lists and not preparable:
        return None
    return {
        "order": order,
        "status": selectors.preparation_status(order),
        "pick_lists": pick_lists,
        "can_create": preparable and permissions.has(request.user, PREPARE),
    }


urlpatterns: list[URLPattern] = [
    path("", pick_list_index, name="list"),
    path("<int:pick_list_id>/", pick_list_detail, name="detail"),
    path("<int:pick_list_id>/picked", record_picked, name="picked"),
    path("<int:pick_list_id>/cancel", cancel, name="cancel"),
    path("orders/<int:order_id>/create", create_for_order, name="create"),
]

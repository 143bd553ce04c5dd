"""After-sales case pages (售后工单): the list, the case page with its actions and photos,
and the order page panel. Views parse input and call one service; refusals come back as
messages on the page they were made on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from orderdesk.core import audit, htmx, permissions, workcalendar
from orderdesk.core.errors import DomainError, NotFound
from orderdesk.core.forms import forbid
from orderdesk.core.paging import page_of
from orderdesk.core.worklist import working_time_label
from orderdesk.orders.models import Order

from .. import selectors, services
from ..models import ACTIVE, Case, CaseKind, CaseStatus

HANDLE = services.HANDLE


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *CaseStatus.choices],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Any kind")), *CaseKind.choices],
    )
    mine = forms.BooleanField(label=gettext_lazy("Mine only"), required=False)


def handlers() -> Any:
    """Active users who may own a case (the assign form's choices)."""
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    return [
        user
        for user in users.filter(groups__permissions__codename="handle_cases").distinct()
        if permissions.has(user, HANDLE)
    ]


VIEWERS = ("orders.view_all_orders", "orders.view_team_orders", "orders.enter_orders")


def require_access(user: Any) -> None:
    """Users who see no orders (and handle no cases) get a 403, not an empty list."""
    wanted = (*VIEWERS, HANDLE, services.REPORT)
    if not any(permissions.has(user, permission) for permission in wanted):
        raise PermissionDenied


def case_or_404(user: Any, case_id: int) -> Case:
    try:
        return selectors.case_for(user, case_id)
    except NotFound as error:
        raise Http404 from error


def time_left(case: Case) -> str:
    if case.status not in ACTIVE:
        return ""
    span = workcalendar.working_hours_between(timezone.now(), case.due_at)
    return working_time_label(span, overdue=case.due_at < timezone.now())


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    require_access(request.user)
    form = CaseFilterForm(request.GET)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "status": form.cleaned_data["status"] or None,
            "kind": form.cleaned_data["kind"] or None,
            "owner_id": request.user.pk if form.cleaned_data["mine"] else None,
        }
    cases = selectors.search_cases(request.user, **filters)
    page, query = page_of(request, cases)
    return render(
        request,
        "aftersales/list.html",
        {
            "form": form,
            "page": page,
            "cases": list(page.object_list),
            "query": query,
            "filtered": any(filters.values()),
            "now": timezone.now(),
        },
    )


@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request.user, case_id)
    may_handle = services.may_handle(request.user)
    return render(
        request,
        "aftersales/detail.html",
        {
            "case": case,
            "photos": list(case.photos.all()),
            "time_left": time_left(case),
            "overdue": case.status in ACTIVE and case.due_at < timezone.now(),
            "entries": audit.entries_for(case)[:100],
            "may_handle": may_handle,
            "handlers": handlers() if may_handle and case.status in ACTIVE else [],
            "next_statuses": [
                (value, CaseStatus(value).label)
                for value in CaseStatus.values
                if value in services.TRANSITIONS[case.status]
            ]
            if may_handle
            else [],
        },
    )


def back_to(case: Case) -> str:
    return reverse("aftersales:detail", args=[case.pk])


@require_POST
def assign(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request.user, case_id)
    owner = None
    raw = request.POST.get("owner", "").strip()
    if raw:
        owner = get_user_model().objects.filter(pk=raw if raw.isdigit() else 0).first()
        if owner is None:
            messages.error(request, _("Choose a colleague from the list."))
            return htmx.redirect(request, back_to(case))
    try:
        services.assign(case, owner, by=request.user)
    except DomainError as error:
        forbid(error)
        htmx.flash_error(request, error)
    else:
        messages.success(request, _("Case {number} assigned.").format(number=case.number))
    return htmx.redirect(request, back_to(case))


@require_POST
def change_status(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request.user, case_id)
    try:
        services.set_status(
            case, request.POST.get("status", ""), request.POST.get("note", ""), by=request.user
        )
    except DomainError as error:
        forbid(error)
        htmx.flash_error(request, error)
    else:
        messages.success(request, _("Case {number} updated.").format(number=case.number))
    return htmx.redirect(request, back_to(case))


@require_POST
def add_photo(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request.user, case_id)
    try:
        services.add_photo(case, request.FILES.get("file"), by=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        forbid(error)
        htmx.flash_error(request, error)
    else:
        messages.success(request, _("Photo added."))
    return htmx.redirect(request, back_to(case) + "#case-photos")


@require_GET
def photo(request: HttpRequest, case_id: int, photo_id: int) -> FileResponse:
    """A case's photo, only for users who may see the case's order."""
    case = case_or_404(request.user, case_id)
    stored = case.photos.filter(pk=photo_id).first()
    if stored is None:
        raise Http404
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    return FileResponse(handle, filename=stored.filename)


def panel_context(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    """The order page panel: the order's cases (hidden while it has none)."""
    cases = list(selectors.cases_of_order(order))
    if not cases:
        return None
    return {"order": order, "cases": cases, "now": timezone.now()}


urlpatterns: list[URLPattern] = [
    path("", case_list, name="list"),
    path("<int:case_id>/", case_detail, name="detail"),
    path("<int:case_id>/assign", assign, name="assign"),
    path("<int:case_id>/status", change_status, name="status"),
    path("<int:case_id>/photos/add", add_photo, name="add_photo"),
    path("<int:case_id>/photos/<int:photo_id>", photo, name="photo"),
]

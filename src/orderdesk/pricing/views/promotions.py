"""Promotion pages: the list with filters, the create and edit form, and the promotion page
with its targets and history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from orderdesk.core import htmx
from orderdesk.core.errors import DomainError
from orderdesk.core.forms import place_errors
from orderdesk.core.money import yuan
from orderdesk.core.paging import page_of

from .. import selectors, services
from ..forms import PromotionFilterForm, PromotionForm
from ..models import Promotion, PromotionKind
from .base import fetch_or_404, require_staff_page

MANAGE = selectors.MANAGE
HISTORY_LIMIT = 100


def describe(promotion: Promotion) -> str:
    """What the promotion gives, in one line: "10 % off from 5", "¥100.00 off from ¥1,000.00"."""
    percent = selectors.plain(promotion.percent_off) if promotion.percent_off is not None else ""
    if promotion.kind == PromotionKind.PERCENT:
        return _("%(percent)s %% off") % {"percent": percent}
    if promotion.kind == PromotionKind.AMOUNT_OFF:
        return _("%(amount)s off per unit") % {"amount": yuan(promotion.amount_off or 0)}
    if promotion.kind == PromotionKind.QUANTITY_BREAK:
        quantity = selectors.plain(promotion.min_quantity) if promotion.min_quantity else ""
        return _("%(percent)s %% off from a quantity of %(quantity)s") % {
            "percent": percent,
            "quantity": quantity,
        }
    return _("%(amount)s off an order from %(threshold)s") % {
        "amount": yuan(promotion.amount_off or 0),
        "threshold": yuan(promotion.threshold_amount or 0),
    }


@require_GET
def promotion_list(request: HttpRequest) -> HttpResponse:
    require_staff_page(request.user)
    form = PromotionFilterForm(request.GET)
    filters = form.filters()
    today = timezone.localdate()
    on = today if filters.get("valid_today") else None
    found = selectors.promotions(kind=filters.get("kind", ""), on=on, active=filters.get("active"))
    page, query = page_of(request, found)
    return render(
        request,
        "pricing/promotion_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(promotion, describe(promotion)) for promotion in page.object_list],
            "query": query,
            "filtered": bool(filters),
            "today": today,
            "can_manage": selectors.can_manage(request.user),
        },
    )


@require_GET
def promotion(request: HttpRequest, promotion_id: int) -> HttpResponse:
    current = fetch_or_404(selectors.promotion_for, request.user, promotion_id)
    return render(
        request,
        "pricing/promotion_detail.html",
        {
            "promotion": current,
            "summary": describe(current),
            "today": timezone.localdate(),
            "entries": selectors.history(current, limit=HISTORY_LIMIT),
            "can_manage": selectors.can_manage(request.user),
        },
    )


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def create_promotion(request: HttpRequest) -> HttpResponse:
    form = PromotionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_promotion(form.values(), by=request.user)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Promotion %(code)s created.") % {"code": created.code})
            return htmx.redirect(request, reverse("pricing:promotion", args=[created.pk]))
    return render(request, "pricing/promotion_form.html", form_context(form, None))


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def edit_promotion(request: HttpRequest, promotion_id: int) -> HttpResponse:
    current = fetch_or_404(selectors.promotion_for, request.user, promotion_id)
    form = PromotionForm(
        request.POST or None, user=request.user, initial=PromotionForm.initial_for(current)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_promotion(current, form.values(), by=request.user)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Promotion %(code)s saved.") % {"code": current.code})
            return htmx.redirect(request, reverse("pricing:promotion", args=[current.pk]))
    return render(request, "pricing/promotion_form.html", form_context(form, current))


def form_context(form: PromotionForm, current: Promotion | None) -> dict[str, Any]:
    """The form in groups: what it is, what it gives, when, and for whom."""
    groups = (
        (_("Promotion"), ("code", "name", "kind", "stackable", "active")),
        (_("Values"), ("percent_off", "amount_off", "threshold_amount", "min_quantity")),
        (_("Validity"), ("valid_from", "valid_until")),
        (_("For (empty = everyone)"), ("products", "categories", "customers", "grades")),
    )
    return {
        "form": form,
        "promotion": current,
        "groups": [(label, [form[name] for name in names]) for label, names in groups],
    }

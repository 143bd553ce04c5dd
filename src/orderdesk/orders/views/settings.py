"""The review settings page (审核设置), for ``orders.manage_order_settings``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from orderdesk.core import audit, htmx
from orderdesk.core.errors import DomainError
from orderdesk.core.forms import ServiceValidatedForm, place_errors, reason_field

from .. import selectors
from ..models import ReviewSettings
from ..services.settings import FIELDS, MANAGE, update_review_settings


class ReviewSettingsForm(ServiceValidatedForm):
    reason = reason_field()

    class Meta:
        model = ReviewSettings
        fields = FIELDS

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FIELDS}


@permission_required(MANAGE, raise_exception=True)
def review_settings(request: HttpRequest) -> HttpResponse:
    current = selectors.review_settings()
    form = ReviewSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            update_review_settings(
                form.values(), by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Review settings saved."))
            return htmx.redirect(request, reverse("orders:settings"))
    entries = audit.entries_for(current).order_by("-at", "-id")[:50]
    return render(request, "orders/settings.html", {"form": form, "entries": entries})


urlpatterns = [path("settings/", review_settings, name="settings")]

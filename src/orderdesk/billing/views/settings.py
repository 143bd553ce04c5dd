"""The billing settings page (开票与催收设置): invoicing per order or per shipment, default
payment days, and the collection intervals — one form, saved in one transaction through
``services.update_settings`` and ``collection.update_collection_settings`` (audited with the
reason), for ``billing.manage_billing_settings``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orderdesk.core import audit, htmx
from orderdesk.core.errors import DomainError
from orderdesk.core.forms import place_errors, reason_field

from .. import collection, selectors, services
from ..models import InvoicePer

MANAGE = services.SETTINGS


class BillingSettingsForm(forms.Form):
    invoice_per = forms.ChoiceField(label=gettext_lazy("Invoice per"), choices=InvoicePer.choices)
    default_due_days = forms.IntegerField(
        label=gettext_lazy("Days to pay an invoice (when the grade has no terms)")
    )
    first_reminder_days_overdue = forms.IntegerField(
        label=gettext_lazy("First reminder: days overdue")
    )
    second_reminder_after_days = forms.IntegerField(
        label=gettext_lazy("Second reminder: days after the first")
    )
    notice_after_days = forms.IntegerField(
        label=gettext_lazy("Collection notice: days after the second reminder")
    )
    escalate_after_days = forms.IntegerField(
        label=gettext_lazy("Escalation to the manager: days after the notice")
    )
    reason = reason_field()


def initial() -> dict[str, Any]:
    billing = selectors.billing_settings()
    chasing = collection.collection_settings()
    return {
        "invoice_per": billing.invoice_per,
        "default_due_days": billing.default_due_days,
        **{name: getattr(chasing, name) for name in collection.SETTING_FIELDS},
    }


@permission_required(MANAGE, raise_exception=True)
def billing_settings(request: HttpRequest) -> HttpResponse:
    form = BillingSettingsForm(request.POST or None, initial=initial())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # both settings rows or neither
                services.update_settings(
                    by=request.user,
                    invoice_per=data["invoice_per"],
                    default_due_days=data["default_due_days"],
                )
                collection.update_collection_settings(
                    by=request.user,
                    reason=data["reason"],
                    **{name: data[name] for name in collection.SETTING_FIELDS},
                )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Billing settings saved."))
            return htmx.redirect(request, reverse("billing:settings"))
    entries = [
        *audit.entries_for(selectors.billing_settings()),
        *audit.entries_for(collection.collection_settings()),
    ]
    entries.sort(key=lambda entry: (entry.at, entry.pk), reverse=True)
    return render(request, "billing/settings.html", {"form": form, "entries": entries[:50]})


urlpatterns = [path("settings/", billing_settings, name="settings")]

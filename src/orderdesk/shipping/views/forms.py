"""Page forms for shipping: formats only; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orderdesk.aftersales.models import CaseKind
from orderdesk.inventory.selectors import active_warehouses

from ..models import Carrier, ShipmentStatus


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def carrier_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [
        (carrier.code, carrier.name) for carrier in Carrier.objects.filter(active=True)
    ]


class ShipmentForm(forms.Form):
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)
    carrier = forms.ChoiceField(label=_("Carrier"))
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        required=False,
        max_length=60,
        help_text=_("May be added later; checked against the carrier's format."),
    )
    packages = forms.IntegerField(label=_("Packages"), min_value=1, initial=1)
    ship_date = forms.DateField(
        label=_("Ship date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    consignee = forms.CharField(label=_("Consignee"), max_length=50, required=False)
    consignee_phone = forms.CharField(label=_("Consignee phone"), max_length=30, required=False)
    province = forms.CharField(label=_("Province"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=30, required=False)
    district = forms.CharField(label=_("District"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    difference_reason = forms.CharField(
        label=_("Reason for a consignee or address other than the order's"),
        max_length=500,
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = carrier_choices()  # type: ignore[attr-defined]
        self.fields["warehouse"].choices = [("", _("Where the stock is reserved"))] + [  # type: ignore[attr-defined]
            (str(place.pk), str(place)) for place in active_warehouses()
        ]


class TrackingForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = carrier_choices()  # type: ignore[attr-defined]


class DeliveryForm(forms.Form):
    signer = forms.CharField(
        label=_("Signed by"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    delivered_on = forms.DateField(
        label=_("Delivered on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    proof = forms.FileField(
        label=_("Photo or scan of the signed delivery note"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf", "capture": "environment"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExceptionForm(forms.Form):
    kind = forms.ChoiceField(label=_("What went wrong"), choices=CaseKind.choices)
    description = forms.CharField(
        label=_("Description"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = MultipleFileField(label=_("Photos"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PaperworkForm(forms.Form):
    note = forms.CharField(
        label=_("Paperwork received"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ShipmentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *ShipmentStatus.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue arrivals only"), required=False)


class CarrierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    transit_working_days = forms.IntegerField(label=_("Transit time (working days)"), min_value=0)
    active = forms.BooleanField(label=_("Active"), required=False)


class SettingsForm(forms.Form):
    over_shipment_percent = forms.DecimalField(
        label=_("Over-shipment tolerance %"), max_digits=5, decimal_places=2, min_value=0
    )

"""Page forms for stock: format checks only; the services hold the rules (a reason for
adjustments, positive quantities, open warehouses, who may move stock)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Warehouse


def quantity_field(label: Any, **options: Any) -> forms.DecimalField:
    """A quantity box with the three decimals every stock quantity has."""
    return forms.DecimalField(label=label, max_digits=14, decimal_places=3, **options)


class StockFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("SKU, name, spec, model or pinyin")}
        ),
    )
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.order_by("code"),
        required=False,
        empty_label=_("All warehouses"),
    )

    def filters(self) -> dict[str, Any]:
        """The chosen filters, for ``selectors.stock_levels``; bad input filters nothing."""
        if not self.is_valid():
            return {}
        chosen: dict[str, Any] = {}
        if self.cleaned_data["q"].strip():
            chosen["q"] = self.cleaned_data["q"]
        if self.cleaned_data["warehouse"] is not None:
            chosen["warehouse"] = self.cleaned_data["warehouse"]
        return chosen


class LowStockFilterForm(forms.Form):
    threshold = quantity_field(
        _("Available at or below"),
        required=False,
        min_value=Decimal(0),
        help_text=_("0 lists what is sold out or fully reserved."),
    )
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label=_("All warehouses"),
    )

    def filters(self) -> tuple[Decimal, list[Warehouse] | None]:
        """``(threshold, warehouses)`` for ``selectors.low_stock``; zero and all warehouses
        when nothing (or nothing valid) is chosen."""
        if not self.is_valid():
            return Decimal(0), None
        threshold = self.cleaned_data["threshold"]
        warehouse = self.cleaned_data["warehouse"]
        return (
            Decimal(0) if threshold is None else threshold,
            None if warehouse is None else [warehouse],
        )


class StockChangeForm(forms.Form):
    """What receipts and adjustments share: the product by SKU and an open warehouse."""

    product = forms.CharField(
        label=_("Product (SKU)"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=selectors.active_warehouses(), empty_label=None
    )


class AdjustmentForm(StockChangeForm):
    new_on_hand = quantity_field(
        _("Counted quantity"),
        required=False,
        help_text=_("What the count found; on hand is set to this."),
    )
    delta = quantity_field(
        _("or change by"),
        required=False,
        help_text=_("e.g. -2 for two broken pieces. Fill in one of the two."),
    )
    reason = forms.CharField(
        label=_("Reason (required)"),
        required=False,  # the service refuses a missing reason, with its own message
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. stocktaking 2024-06, breakage")}),
    )

    def values(self) -> dict[str, Any]:
        """The service's keyword arguments: an empty box is ``None`` (not given)."""
        data = self.cleaned_data
        return {
            "new_on_hand": data["new_on_hand"],
            "delta": None if data["delta"] is None else str(data["delta"]),
            "reason": data["reason"],
        }


class ReceiptForm(StockChangeForm):
    quantity = quantity_field(_("Quantity received"))
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=100,
        help_text=_("e.g. the supplier's delivery note or the production order."),
    )
    reason = forms.CharField(label=_("Note"), required=False, max_length=500)


class WarehouseForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("e.g. SH01"))
    name = forms.CharField(label=_("Name"), max_length=100)
    province = forms.CharField(label=_("Province"), max_length=30, required=False)
    city = forms.CharField(label=_("City"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class LocationForm(forms.Form):
    code = forms.CharField(label=_("Location code"), max_length=30, help_text=_("e.g. A-01-03"))
    name = forms.CharField(label=_("Name"), max_length=100, required=False)

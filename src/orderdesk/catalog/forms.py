"""Page forms for products: format checks only; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orderdesk.core.forms import SpreadsheetField, reason_field

from .models import Category, Product, SalesKind, Supply, TaxRate


class ProductFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("SKU, name, spec, model or pinyin")}
        ),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    sales_kind = forms.ChoiceField(
        label=_("Sales kind"), choices=[("", _("All")), *SalesKind.choices], required=False
    )
    active = forms.ChoiceField(
        label=_("Active"),
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))],
        required=False,
    )

    def filters(self) -> dict[str, Any]:
        """The chosen filters, for ``selectors.search``; bad input filters nothing."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        chosen: dict[str, Any] = {}
        if data["q"].strip():
            chosen["q"] = data["q"]
        if data["category"] is not None:
            chosen["category"] = data["category"]
        if data["sales_kind"]:
            chosen["sales_kind"] = data["sales_kind"]
        if data["active"]:
            chosen["active"] = data["active"] == "1"
        return chosen


class ProductForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=120)
    spec = forms.CharField(label=_("specification"), max_length=200, required=False)
    model_number = forms.CharField(label=_("model"), max_length=100, required=False)
    category = forms.ModelChoiceField(label=_("category"), queryset=Category.objects.all())
    unit = forms.CharField(label=_("unit"), max_length=10)
    tax_rate = forms.ChoiceField(label=_("VAT rate"), choices=TaxRate.choices)
    lead_time_days = forms.IntegerField(label=_("standard lead time (working days)"))
    sales_kind = forms.ChoiceField(label=_("sales kind"), choices=SalesKind.choices)
    supply = forms.ChoiceField(label=_("supply"), choices=Supply.choices)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    weight_kg = forms.DecimalField(
        label=_("weight (kg)"), required=False, max_digits=10, decimal_places=3
    )
    description = forms.CharField(
        label=_("description"), required=False, max_length=4000, widget=forms.Textarea
    )

    @classmethod
    def initial_for(cls, product: Product) -> dict[str, Any]:
        names = [name for name in cls.base_fields if name not in ("category", "tax_rate")]
        return {
            **{name: getattr(product, name) for name in names},
            "category": product.category_id,
            "tax_rate": str(product.tax_rate),
        }

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}


class ProductChangeForm(ProductForm):
    reason = reason_field()

    def values(self) -> dict[str, Any]:
        """Only what changed, so the audit entry names only that."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "reason"}


class ProductImportForm(forms.Form):
    file = SpreadsheetField(
        help_text=_(
            "An .xlsx or .csv file with one product per row (first row: column names). "
            "A known SKU updates that product; a new SKU creates one."
        )
    )


class CategoryForm(forms.Form):
    code = forms.CharField(
        label=_("code"), max_length=30, help_text=_("Letters, digits, - and _; e.g. pumps.")
    )
    name = forms.CharField(label=_("name"), max_length=60)
    parent = forms.ModelChoiceField(
        label=_("parent category"),
        queryset=Category.objects.order_by("code"),
        required=False,
        empty_label=_("(none: a top category)"),
    )

    @classmethod
    def initial_for(cls, category: Category) -> dict[str, Any]:
        return {"code": category.code, "name": category.name, "parent": category.parent_id}

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}


class CategoryChangeForm(CategoryForm):
    reason = reason_field()

    def values(self) -> dict[str, Any]:
        """Only what changed, so the audit entry names only that."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "reason"}

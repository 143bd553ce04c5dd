"""Page forms for price lists, prices and promotions: format checks and look-ups only
(a SKU or customer code becomes the row it names); the services hold the rules."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orderdesk.catalog.selectors import categories
from orderdesk.core.forms import SpreadsheetField
from orderdesk.customers.models import Grade

from . import selectors
from .models import PriceList, PriceListKind, Promotion, PromotionKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACTIVE_CHOICES = [("", _("All")), ("1", _("Active")), ("0", _("Inactive"))]
# SKUs and customer codes may be pasted one per line, or separated by commas or spaces.
SEPARATORS = re.compile(r"[\s,;，；、]+")


def keys(text: str) -> list[str]:
    """The SKUs or codes in ``text``, in order, without repeats."""
    return list(dict.fromkeys(key for key in SEPARATORS.split(text or "") if key))


def money_field(label: Any, **options: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=14, decimal_places=2, **options)


def quantity_field(label: Any, **options: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=12, decimal_places=3, **options)


class FilterForm(forms.Form):
    """Shared by both list pages: kind, valid today, active."""

    valid_today = forms.BooleanField(label=_("Valid today"), required=False)
    active = forms.ChoiceField(label=_("Active"), choices=ACTIVE_CHOICES, required=False)

    def filters(self) -> dict[str, Any]:
        """The chosen filters (``on`` is filled in by the view); bad input filters nothing."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        chosen: dict[str, Any] = {}
        if data["kind"]:
            chosen["kind"] = data["kind"]
        if data["valid_today"]:
            chosen["valid_today"] = True
        if data["active"]:
            chosen["active"] = data["active"] == "1"
        return chosen


class PriceListFilterForm(FilterForm):
    kind = forms.ChoiceField(
        label=_("Scope"), choices=[("", _("All")), *PriceListKind.choices], required=False
    )
    field_order = ("kind", "valid_today", "active")


class PromotionFilterForm(FilterForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *PromotionKind.choices], required=False
    )
    field_order = ("kind", "valid_today", "active")


class PriceListForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30, help_text=_("e.g. std-2026"))
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Scope"), choices=PriceListKind.choices)
    grade = forms.ChoiceField(
        label=_("Credit grade"),
        choices=[("", "—"), *Grade.choices],
        required=False,
        help_text=_("Grade price lists only."),
    )
    customer = forms.CharField(
        label=_("Customer code"),
        max_length=40,
        required=False,
        help_text=_("Customer price lists only."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE,
        help_text=_("Inclusive; leave empty for an open end."),
    )
    prices_include_tax = forms.BooleanField(
        label=_("Prices include VAT"), required=False, initial=True
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    @classmethod
    def initial_for(cls, price_list: PriceList) -> dict[str, Any]:
        names = [name for name in cls.base_fields if name != "customer"]
        return {
            **{name: getattr(price_list, name) for name in names},
            "customer": price_list.customer.code if price_list.customer else "",
        }

    def clean_customer(self) -> Any:
        code = self.cleaned_data["customer"].strip()
        if not code:
            return None
        customer = selectors.customers_by_code(self.user, [code]).get(code.upper())
        if customer is None:
            raise forms.ValidationError(
                _("No customer with code %(code)s among the customers you may see."),
                params={"code": code},
            )
        return customer

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


PRICE_FIELDS = ("min_quantity", "unit_price", "floor_price")


class PriceForm(forms.Form):
    """One price (quantity break): creates it, or changes the one with the same product and
    from-quantity."""

    product = forms.CharField(label=_("SKU"), max_length=40)
    min_quantity = quantity_field(_("From quantity"), initial=1)
    unit_price = money_field(_("Price"))
    floor_price = money_field(
        _("Minimum price"), required=False, help_text=_("Optional; never above the price.")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_product(self) -> Any:
        sku = self.cleaned_data["product"].strip()
        product = selectors.products_by_sku(self.user, [sku]).get(sku.upper())
        if product is None:
            raise forms.ValidationError(_("Unknown SKU %(sku)s."), params={"sku": sku})
        return product

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PRICE_FIELDS}


class PromotionForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=PromotionKind.choices)
    percent_off = forms.DecimalField(
        label=_("Percentage off"),
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_("Percentage off and percentage off from a quantity."),
    )
    amount_off = money_field(
        _("Amount off"),
        required=False,
        help_text=_("Per unit; for spend X, get Y off: off the order."),
    )
    threshold_amount = money_field(
        _("Order amount from"), required=False, help_text=_("Spend X, get Y off only.")
    )
    min_quantity = quantity_field(
        _("From quantity"), required=False, help_text=_("Percentage off from a quantity only.")
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE,
        help_text=_("Inclusive; leave empty for an open end."),
    )
    stackable = forms.BooleanField(
        label=_("Combines with other promotions"),
        required=False,
        help_text=_("Otherwise only the best single promotion applies."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    products = forms.CharField(
        label=_("Products (SKUs)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line or separated by commas; empty = all products."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=categories(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen = all categories."),
    )
    customers = forms.CharField(
        label=_("Customers (codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line or separated by commas; empty = all customers."),
    )
    grades = forms.MultipleChoiceField(
        label=_("Customer grades"),
        choices=Grade.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen = all grades."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    @classmethod
    def initial_for(cls, promotion: Promotion) -> dict[str, Any]:
        names = [name for name in cls.base_fields if name not in ("products", "customers")]
        initial = {name: getattr(promotion, name) for name in names}
        initial["categories"] = [category.pk for category in promotion.categories.all()]
        initial["products"] = "\n".join(product.sku for product in promotion.products.all())
        initial["customers"] = "\n".join(customer.code for customer in promotion.customers.all())
        return initial

    def clean_products(self) -> list[Any]:
        skus = keys(self.cleaned_data["products"])
        found = selectors.products_by_sku(self.user, skus)
        unknown = [sku for sku in skus if sku.upper() not in found]
        if unknown:
            raise forms.ValidationError(
                _("Unknown SKUs: %(skus)s."), params={"skus": ", ".join(unknown)}
            )
        return [found[sku.upper()] for sku in skus]

    def clean_customers(self) -> list[Any]:
        codes = keys(self.cleaned_data["customers"])
        found = selectors.customers_by_code(self.user, codes)
        unknown = [code for code in codes if code.upper() not in found]
        if unknown:
            raise forms.ValidationError(
                _("No customers with these codes among the customers you may see: %(codes)s."),
                params={"codes": ", ".join(unknown)},
            )
        return [found[code.upper()] for code in codes]

    def values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        values["categories"] = list(values["categories"])
        values["grades"] = sorted(values["grades"])
        return values


class PriceImportForm(forms.Form):
    file = SpreadsheetField(
        help_text=_(
            "An .xlsx or .csv file with one price per row (first row: column names). The same "
            "SKU and from quantity as a price of the list changes it; another adds a quantity "
            "break."
        )
    )

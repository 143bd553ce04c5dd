"""Page forms for the order list, the order page's dialogs and saved filters.

Format checks only: a reason is not required here, the service refuses an empty one with
its own message (the same on the page, in the API and on the command line). The entry
form lives in ``entry_forms.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Channel, OrderStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrderFilterForm(forms.Form):
    """The order list's filters; :meth:`filters` gives ``selectors.search_orders`` keywords."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Order number, customer, pinyin")}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *OrderStatus.choices]
    )
    salesperson = forms.TypedChoiceField(
        label=_("Salesperson"), required=False, coerce=int, empty_value=None
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices]
    )
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DATE)
    received_until = forms.DateField(label=_("Received until"), required=False, widget=DATE)
    overdue_review = forms.BooleanField(label=_("Overdue review"), required=False)
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, salespeople: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if salespeople is None:
            # A salesperson sees their own orders only: nothing to choose.
            del self.fields["salesperson"]
        else:
            field = cast(forms.TypedChoiceField, self.fields["salesperson"])
            field.choices = [
                ("", _("All")),
                *((person.pk, person.get_full_name() or person.username) for person in salespeople),
            ]

    def filters(self) -> dict[str, Any]:
        """The valid, non-empty filters (an invalid one is ignored, and shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        found: dict[str, Any] = {}
        for name in self.fields:
            value = data.get(name)
            if value in (None, "", False):
                continue
            found[name] = value
        start, end = found.get("received_from"), found.get("received_until")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            found["received_from"], found["received_until"] = end, start
        return found


class SaveFilterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60, required=False)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    """Cancel, hold, resume and reject: the reason is kept in the order's history."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApproveForm(forms.Form):
    """Approving a review step. Production enters the earliest completion date (a date, not
    free text); finance approving a credit-blocked order gives the reason for the exception."""

    reason = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    earliest_completion = forms.DateField(
        label=_("Earliest completion date"), required=False, widget=DATE
    )

    def __init__(
        self, *args: Any, step: str = "", credit_blocked: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if step != "production":
            del self.fields["earliest_completion"]
        if credit_blocked:
            reason = self.fields["reason"]
            reason.label = _("Reason for the credit exception")
            reason.help_text = _("The order exceeds the customer's credit; say why it may pass.")

    def decision(self) -> dict[str, Any]:
        day = self.cleaned_data.get("earliest_completion")
        return {"earliest_completion": day.isoformat()} if day else {}

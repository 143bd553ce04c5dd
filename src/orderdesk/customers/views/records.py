"""Creating, editing and merging customer records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orderdesk.core import htmx
from orderdesk.core.errors import DomainError

from .. import selectors, services
from ..errors import DuplicateUscc, PossibleDuplicate
from ..forms import AddressForm, ContactForm, CustomerForm, MergeForm
from ..models import Customer
from .base import CREATE, MERGE, customer_or_404, owner_choices, place_errors

CONTACT_ROWS = 3
MATCH_REASONS = {
    "same_name": gettext_lazy("same name"),
    "same_mobile": gettext_lazy("same contact mobile"),
}
COMPARED_FIELDS = (
    "code",
    "name",
    "short_name",
    "uscc",
    "province",
    "city",
    "address",
    "phone",
    "owner",
    "status",
    "created_at",
)


@permission_required(CREATE, raise_exception=True)
def create(request: HttpRequest) -> HttpResponse:
    """New customer (新客户建档) with up to three contacts and a delivery address; empty
    contact rows are ignored. A possible duplicate must be confirmed."""
    data = request.POST if request.method == "POST" else None
    form = CustomerForm(
        data, owners=owner_choices(request.user), initial={"owner": request.user.pk}
    )
    contact_forms = [ContactForm(data, prefix=f"contact-{index}") for index in range(CONTACT_ROWS)]
    address_form = AddressForm(data, prefix="address")
    duplicates: list[dict[str, Any]] = []
    duplicate_message = ""
    existing = None
    # Validate every form, so each shows its errors at once.
    valid = [each.is_valid() for each in (form, *contact_forms, address_form)]
    if data is not None and all(valid):
        filled = [row for row in contact_forms if row.has_changed()]
        addresses = [address_form] if address_form.has_changed() else []
        try:
            customer = services.create_customer(
                form.values(),
                contacts=[row.values() for row in filled],
                addresses=[row.cleaned_data for row in addresses],
                by=request.user,
                confirm_duplicates=form.cleaned_data["confirm_duplicates"],
            )
        except PossibleDuplicate as error:
            duplicates = visible_matches(request.user, error.matches)
            duplicate_message = str(error.message)
        except DomainError as error:
            if isinstance(error, DuplicateUscc):
                existing = (
                    selectors.customers_visible_to(request.user)
                    .filter(uscc=form.cleaned_data["uscc"].strip().upper())
                    .first()
                )
            place_errors(error, form, {"contacts": filled, "addresses": addresses})
        else:
            messages.success(request, _("Customer %(code)s created.") % {"code": customer.code})
            return htmx.redirect(request, customer.get_absolute_url())
    return render(
        request,
        "customers/form.html",
        {
            "form": form,
            "contact_forms": contact_forms,
            "address_form": address_form,
            "duplicates": duplicates,
            "duplicate_message": duplicate_message,
            "existing": existing,
            "more_contacts_open": any(opened(row) for row in contact_forms[1:]),
            "address_open": opened(address_form),
            "show_confirm": bool(duplicates) or form["confirm_duplicates"].value(),
        },
    )


def opened(form: forms.BaseForm) -> bool:
    """A filled or refused optional section stays open when the form comes back."""
    return form.is_bound and (form.has_changed() or bool(form.errors))


def visible_matches(user: Any, matches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The possible duplicates, linked where the user may open them."""
    ids = [match.get("id") for match in matches]
    visible = set(
        selectors.customers_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    return [
        {
            **match,
            "visible": match.get("id") in visible,
            "reason_label": MATCH_REASONS.get(match.get("reason", ""), match.get("reason", "")),
        }
        for match in matches
    ]


def edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Change the record; the reason is mandatory and shown in the history."""
    customer = customer_or_404(request.user, customer_id)
    if not selectors.can_edit(request.user, customer):
        raise PermissionDenied
    [customer] = selectors.mask_or_log([customer], request.user, channel="html")
    form = CustomerForm(
        request.POST if request.method == "POST" else None,
        instance=customer,
        owners=owner_choices(request.user),
        personal_data=selectors.can_see_personal_data(request.user),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_customer(
                customer, form.values(), by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Customer %(code)s saved.") % {"code": customer.code})
            return htmx.redirect(request, customer.get_absolute_url())
    return render(request, "customers/form.html", {"form": form, "customer": customer})


@permission_required(MERGE, raise_exception=True)
def merge(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Merge a duplicate into this customer (客户合并): find it, compare, give a reason."""
    survivor = customer_or_404(request.user, customer_id)
    form = MergeForm(request.POST or None, initial={"merged": request.GET.get("merged")})
    merged: Customer | None = None
    if request.method == "POST":
        if form.is_valid():
            merged = customer_or_404(request.user, form.cleaned_data["merged"])
            try:
                services.merge_customers(
                    survivor, merged, by=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                place_errors(error, form)
            else:
                messages.success(
                    request,
                    _("%(merged)s was merged into %(survivor)s.")
                    % {"merged": merged.code, "survivor": survivor.code},
                )
                return htmx.redirect(request, survivor.get_absolute_url())
    elif request.GET.get("merged"):
        merged = customer_or_404(request.user, request.GET["merged"])
    q = request.GET.get("q", "").strip()[:100]
    candidates = list(selectors.search(request.user, q=q).exclude(pk=survivor.pk)[:10]) if q else []
    shown = selectors.mask_or_log(
        [survivor, *([merged] if merged else []), *candidates], request.user, channel="html"
    )
    return render(
        request,
        "customers/merge.html",
        {
            "survivor": shown[0],
            "merged": shown[1] if merged else None,
            "candidates": shown[2:] if merged else shown[1:],
            "q": q,
            "form": form,
            "comparison": compare(shown[0], shown[1]) if merged else [],
        },
    )


def compare(survivor: Customer, merged: Customer) -> list[tuple[Any, Any, Any]]:
    """Field label, survivor's value, merged customer's value: the side-by-side view."""
    rows: list[tuple[Any, Any, Any]] = []
    for name in COMPARED_FIELDS:
        label = getattr(Customer._meta.get_field(name), "verbose_name", name)
        rows.append((label, display(survivor, name), display(merged, name)))
    rows.append(
        (
            _("contacts"),
            ", ".join(contact.name for contact in survivor.contacts.all()),
            ", ".join(contact.name for contact in merged.contacts.all()),
        )
    )
    return rows


def display(customer: Customer, name: str) -> Any:
    getter = getattr(customer, f"get_{name}_display", None)
    value = getter() if getter else getattr(customer, name)
    if name == "created_at":
        return f"{value:%Y-%m-%d}"
    return value

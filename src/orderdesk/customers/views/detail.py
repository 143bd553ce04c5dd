"""The customer page (header and tabs: contacts, credit, needs, interactions, history) and
the actions its tabs post to. A refused action shows the page again with the form's errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from orderdesk.core import htmx, panels, permissions
from orderdesk.core.errors import DomainError
from orderdesk.core.forms import forbid

from .. import selectors, services
from ..forms import (
    ContactAddForm,
    ContactEditForm,
    ContactLeftForm,
    CreditForm,
    InteractionForm,
    NeedForm,
    ReasonForm,
)
from ..models import Attachment, Contact, Customer
from .base import MANAGE_CREDIT, MERGE, customer_or_404, place_errors

TABS = (
    ("contacts", gettext_lazy("Contacts")),
    ("credit", gettext_lazy("Credit")),
    ("needs", gettext_lazy("Needs")),
    ("interactions", gettext_lazy("Interactions")),
    ("history", gettext_lazy("History")),
)
HISTORY_LIMIT = 200
CUSTOMER_PAGE = "customers.customer"  # the core.panels slot of this page


@require_GET
def detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_or_404(request.user, customer_id)
    return render_page(request, customer, request.GET.get("tab", "contacts"))


def render_page(
    request: HttpRequest, customer: Customer, tab: str, **forms_: forms.BaseForm
) -> HttpResponse:
    """The page with one tab open; ``forms_`` replace the tab's empty forms (to show errors).
    With htmx, only the tabs are rendered."""
    user = request.user
    tabs = [(name, label) for name, label in TABS if name != "credit" or can_see_credit(user)]
    if tab not in dict(tabs):
        tab = "contacts"
    [customer] = selectors.mask_or_log([customer], user, channel="html")
    # The header shows grade and limit on every tab (each view is logged by the selector).
    credit = (
        selectors.credit_file_for(user, customer, channel="html") if can_see_credit(user) else None
    )
    context: dict[str, Any] = {
        "customer": customer,
        "credit": credit,
        "tab": tab,
        "tabs": tabs,
        "can_edit": selectors.can_edit(user, customer),
        "can_merge": permissions.has(user, MERGE),
        "can_manage_credit": permissions.has(user, MANAGE_CREDIT),
        "personal_data": selectors.can_see_personal_data(user),
        # Panels the apps above add (orders: the customer's recent orders), see core.panels.
        "panels": []
        if request.htmx  # type: ignore[attr-defined]
        else panels.render(request, CUSTOMER_PAGE, customer),
        **tab_context(request, customer, tab, credit, forms_),
    }
    template = "customers/partials/_tabs.html" if request.htmx else "customers/detail.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def can_see_credit(user: Any) -> bool:
    return selectors.can_see_credit(user)


def credit_file(customer: Customer) -> Any:
    try:
        return customer.credit
    except ObjectDoesNotExist:
        return None


def tab_context(
    request: HttpRequest,
    customer: Customer,
    tab: str,
    credit: Any,
    forms_: dict[str, forms.BaseForm],
) -> dict[str, Any]:
    """Only the open tab's rows are read."""
    if tab == "contacts":
        return {
            "addresses": customer.addresses.all(),
            "contact_form": forms_.get("contact_form")
            or ContactAddForm(
                prefix="contact", personal_data=selectors.can_see_personal_data(request.user)
            ),
        }
    if tab == "credit":
        return {
            "credit_form": forms_.get("credit_form")
            or CreditForm(
                prefix="credit",
                initial={"grade": getattr(credit, "grade", ""), "reason": ""},
            ),
            "apply_form": forms_.get("apply_form") or ReasonForm(prefix="apply"),
            "evaluation_parts": evaluation_parts(credit),
        }
    if tab == "needs":
        return {
            "needs": customer.needs.select_related("recorded_by"),
            "need_form": forms_.get("need_form") or NeedForm(prefix="need"),
        }
    if tab == "interactions":
        return {
            "interactions": customer.interactions.select_related(
                "contact", "recorded_by"
            ).prefetch_related("attachments"),
            "interaction_form": forms_.get("interaction_form")
            or InteractionForm(prefix="interaction", contacts=customer.contacts.all()),
        }
    return {
        "entries": selectors.history_for(
            request.user, customer, channel="html", limit=HISTORY_LIMIT
        )
    }


def evaluation_parts(credit: Any) -> list[tuple[str, Any]]:
    parts = (getattr(credit, "evaluation", None) or {}).get("parts") or {}
    labels = {
        "timeliness": _("On-time payment"),
        "order_count": _("Number of orders"),
        "order_amount": _("Order amount"),
    }
    return [(labels.get(name, name), value) for name, value in parts.items()]


def tab_url(customer: Customer, tab: str) -> str:
    return f"{reverse('customers:detail', args=[customer.pk])}?tab={tab}"


# --- contacts ------------------------------------------------------------------------------


@require_POST
def add_contact(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_or_404(request.user, customer_id)
    form = ContactAddForm(
        request.POST,
        prefix="contact",
        personal_data=selectors.can_see_personal_data(request.user),
    )
    if form.is_valid():
        try:
            contact = services.add_contact(
                customer, form.values(), by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Contact %(name)s added.") % {"name": contact.name})
            return htmx.redirect(request, tab_url(customer, "contacts"))
    return render_page(request, customer, "contacts", contact_form=form)


def contact_of(customer: Customer, contact_id: int) -> Contact:
    contact = Contact.objects.filter(customer=customer, pk=contact_id).first()
    if contact is None:
        raise Http404
    return contact


def edit_contact(request: HttpRequest, customer_id: int, contact_id: int) -> HttpResponse:
    """Change a contact's details, with a reason (kept in the history)."""
    customer = customer_or_404(request.user, customer_id)
    if not selectors.can_edit(request.user, customer):
        raise PermissionDenied
    [customer] = selectors.mask_or_log([customer], request.user, channel="html")
    contact = next((c for c in customer.contacts.all() if c.pk == int(contact_id)), None)
    if contact is None:
        raise Http404
    form = ContactEditForm(
        request.POST if request.method == "POST" else None,
        instance=contact,
        personal_data=selectors.can_see_personal_data(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact(
                contact, form.values(), by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Contact %(name)s saved.") % {"name": contact.name})
            return htmx.redirect(request, tab_url(customer, "contacts"))
    return render(
        request,
        "customers/contact_form.html",
        {"form": form, "customer": customer, "contact": contact, "action": "edit"},
    )


def mark_contact_left(request: HttpRequest, customer_id: int, contact_id: int) -> HttpResponse:
    """Mark that a contact left (联系人离职), naming the successor if they were primary."""
    customer = customer_or_404(request.user, customer_id)
    if not selectors.can_edit(request.user, customer):
        raise PermissionDenied
    contact = contact_of(customer, contact_id)
    successors = customer.contacts.filter(left_on__isnull=True).exclude(pk=contact.pk)
    form = ContactLeftForm(
        request.POST if request.method == "POST" else None, successors=successors
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_contact_left(
                contact,
                by=request.user,
                reason=form.cleaned_data["reason"],
                left_on=form.cleaned_data["left_on"],
                new_primary=form.cleaned_data["new_primary"],
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request, _("%(name)s is marked as having left.") % {"name": contact.name}
            )
            return htmx.redirect(request, tab_url(customer, "contacts"))
    return render(
        request,
        "customers/contact_form.html",
        {"form": form, "customer": customer, "contact": contact, "action": "left"},
    )


@require_POST
def set_primary_contact(request: HttpRequest, customer_id: int, contact_id: int) -> HttpResponse:
    customer = customer_or_404(request.user, customer_id)
    contact = contact_of(customer, contact_id)
    form = ReasonForm(request.POST, prefix=f"primary-{contact.pk}")
    form.is_valid()
    try:
        services.set_primary_contact(
            contact, by=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except DomainError as error:
        forbid(error)
        htmx.flash_error(request, error)
    else:
        messages.success(
            request, _("%(name)s is now the primary contact.") % {"name": contact.name}
        )
    return htmx.redirect(request, tab_url(customer, "contacts"))


# --- needs and interactions ----------------------------------------------------------------


@require_POST
def add_need(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_or_404(request.user, customer_id)
    form = NeedForm(request.POST, prefix="need")
    if form.is_valid():
        try:
            services.record_need(customer, form.cleaned_data["text"], by=request.user)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Need recorded."))
            return htmx.redirect(request, tab_url(customer, "needs"))
    return render_page(request, customer, "needs", need_form=form)


@require_POST
def add_interaction(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_or_404(request.user, customer_id)
    form = InteractionForm(
        request.POST, request.FILES, prefix="interaction", contacts=customer.contacts.all()
    )
    if form.is_valid():
        try:
            services.record_interaction(
                customer, form.values(), by=request.user, files=form.cleaned_data["files"]
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Interaction recorded."))
            return htmx.redirect(request, tab_url(customer, "interactions"))
    return render_page(request, customer, "interactions", interaction_form=form)


@require_GET
def attachment(request: HttpRequest, customer_id: int, attachment_id: int) -> FileResponse:
    """An interaction's file, only for users who may see the customer."""
    customer = customer_or_404(request.user, customer_id)
    stored = (
        Attachment.objects.filter(pk=attachment_id, interaction__customer=customer)
        .only("file", "name", "content_type")
        .first()
    )
    if stored is None:
        raise Http404
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=stored.name,
        content_type=stored.content_type or "application/octet-stream",
    )


# --- credit ----------------------------------------------------------------------------------


@require_POST
def evaluate_credit(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_or_404(request.user, customer_id)
    try:
        credit = services.evaluate_credit(customer, by=request.user)
    except DomainError as error:
        forbid(error)
        htmx.flash_error(request, error)
    else:
        messages.success(
            request,
            _("Evaluated: score %(score)s, proposed grade %(grade)s.")
            % {"score": credit.proposed_score, "grade": credit.proposed_grade},
        )
    return htmx.redirect(request, tab_url(customer, "credit"))


@require_POST
def apply_credit_proposal(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_or_404(request.user, customer_id)
    form = ReasonForm(request.POST, prefix="apply")
    if form.is_valid():
        try:
            credit = services.apply_credit_proposal(
                customer, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Grade %(grade)s applied.") % {"grade": credit.grade})
            return htmx.redirect(request, tab_url(customer, "credit"))
    return render_page(request, customer, "credit", apply_form=form)


@require_POST
def set_credit(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Set the grade by hand (人工调整信用等级); empty limit or terms take the grade's."""
    customer = customer_or_404(request.user, customer_id)
    form = CreditForm(request.POST, prefix="credit")
    if form.is_valid():
        data = form.cleaned_data
        try:
            credit = services.set_credit(
                customer,
                grade=data["grade"],
                credit_limit=data["credit_limit"],
                payment_terms=data["payment_terms"] or None,
                by=request.user,
                reason=data["reason"],
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Grade %(grade)s set.") % {"grade": credit.grade})
            return htmx.redirect(request, tab_url(customer, "credit"))
    return render_page(request, customer, "credit", credit_form=form)

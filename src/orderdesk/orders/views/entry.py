"""The order entry form (订单录入): new order, edit a draft or returned order, and the htmx
endpoints behind it — customer lookup (with grade and credit for those who may see them),
product lookup (price for the customer and availability), and the live quote that reprices
every line on the server as the order is typed and lists what submitting would still miss.

Saving calls ``services.create_order`` / ``update_order`` (with the version the form was
loaded at, so a stale edit is refused); "Save and submit" then calls ``services.submit``: an
incomplete order stays a saved draft and comes back with its checklist.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orderdesk.catalog import selectors as catalog_selectors
from orderdesk.core import htmx, permissions
from orderdesk.core.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from orderdesk.core.regions import normalize_province
from orderdesk.customers import selectors as customer_selectors
from orderdesk.customers.models import Customer, CustomerStatus

from .. import checks, lifecycle, selectors, services
from ..entry_forms import (
    LineFormSet,
    OrderEntryForm,
    checklist,
    draft_order,
    header_initial,
    line_initial,
    product_offers,
    quote_rows,
)
from ..models import Order, OrderStatus
from ..services.drafts import grade_defaults

ENTER = "orders.enter_orders"
LINES_PREFIX = "lines"
NEW_ORDER_ROWS = 3
LOOKUP_LIMIT = 8


def require_enter(user: Any) -> None:
    if not permissions.has(user, ENTER):
        raise PermissionDenied(_("Entering orders needs the sales or customer service role."))


def order_or_404(user: Any, order_id: int) -> Order:
    try:
        return selectors.order_for(user, order_id)
    except NotFound as error:
        raise Http404(str(error.message)) from error


def order_url(order: Order) -> str:
    return reverse("orders:detail", args=[order.pk])


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """A new order: saved as a draft, or saved and submitted for review."""
    require_enter(request.user)
    return entry(request, None)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, order_id: int) -> HttpResponse:
    """Change a draft or returned order; later changes go through a change request."""
    require_enter(request.user)
    order = order_or_404(request.user, order_id)
    try:
        lifecycle.require_editable(order)
    except InvalidTransition as error:
        messages.error(request, str(error.message))
        return htmx.redirect(request, order_url(order))
    return entry(request, order)


def entry(request: HttpRequest, order: Order | None) -> HttpResponse:
    user = request.user
    status = 200
    if request.method != "POST":
        form = OrderEntryForm(initial=header_initial(order))
        formset = LineFormSet(
            prefix=LINES_PREFIX, initial=line_initial(order) if order is not None else []
        )
        formset.extra = 1 if order is not None else NEW_ORDER_ROWS
        return render_entry(request, order, form, formset)

    data = request.POST.copy()
    action = data.get("action", "save")
    if pick := data.get("customer_pick", ""):
        data["customer_id"] = pick
        data.pop("contact_id", None)
        action = "quote"
    form = OrderEntryForm(data)
    formset = LineFormSet(data, prefix=LINES_PREFIX)
    valid = form.is_valid() & formset.is_valid()
    save_errors: dict[str, str] = {}
    if action in ("save", "submit") and valid:
        filled = [row for row in formset.forms if not row.is_blank()]
        values = form.values(new=order is None) | {"lines": [row.raw() for row in filled]}
        try:
            if order is None:
                saved = services.create_order(values, by=user)
            else:
                saved = services.update_order(
                    order, values, by=user, version=form.cleaned_data["version"]
                )
        except Conflict as error:
            form.add_error(None, str(error.message))
            status = 409
        except InvalidTransition as error:
            messages.error(request, str(error.message))
            return htmx.redirect(request, order_url(order) if order else reverse("orders:create"))
        except DomainError as error:
            if isinstance(error, NotAllowed) and not error.fields:
                raise PermissionDenied(str(error.message)) from error
            form.add_error(None, str(error.message))
            for key, message in error.fields.items():
                if key in form.fields and key not in form.errors:
                    form.add_error(key, message)
                elif key.startswith("lines"):
                    save_errors[key] = message
                else:
                    form.add_error(None, message)
        else:
            return after_save(request, saved, submit=action == "submit", new=order is None)
    elif action in ("save", "submit"):
        form.add_error(None, _("Correct the highlighted fields."))
        if formset.non_form_errors():
            save_errors["lines"] = " ".join(str(error) for error in formset.non_form_errors())
    results = None
    if action == "find_customer":
        results = find_customers(user, data.get("customer_q", ""))
    return render_entry(
        request,
        order,
        form,
        formset,
        save_errors=save_errors,
        customer_results=results,
        status=status,
    )


def after_save(request: HttpRequest, order: Order, *, submit: bool, new: bool) -> HttpResponse:
    if not submit:
        messages.success(request, _("Draft order {number} saved.").format(number=order.number))
        return htmx.redirect(request, order_url(order))
    try:
        services.submit(order, by=request.user)
    except DomainError as error:
        if isinstance(error, ValidationFailed) and error.code == "order_incomplete":
            messages.warning(
                request,
                _(
                    "Draft order {number} is saved but not submitted: {problem} The checklist "
                    "shows every missing item."
                ).format(number=order.number, problem=error.message),
            )
        else:
            messages.error(
                request,
                _("Draft order {number} is saved but not submitted: {problem}").format(
                    number=order.number, problem=error.message
                ),
            )
        return htmx.redirect(request, reverse("orders:edit", args=[order.pk]))
    messages.success(request, _("Order {number} submitted for review.").format(number=order.number))
    return htmx.redirect(request, order_url(order))


def render_entry(
    request: HttpRequest,
    order: Order | None,
    form: OrderEntryForm,
    formset: Any,
    *,
    save_errors: dict[str, str] | None = None,
    customer_results: list[Customer] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    customer = visible_customer(user, form.current("customer_id"))
    quote = quote_rows(customer, formset.forms, by=user)
    quote.add_errors(save_errors or {})
    if order is not None and not form.is_bound:
        items = checklist(order, quote)
    else:
        items = checklist(
            draft_order(form, customer, quote), quote, has_customer=customer is not None
        )
    context = {
        "order": order,
        "form": form,
        "formset": formset,
        "rows": list(zip(formset.forms, quote.rows, strict=True)),
        "quote": quote,
        "checklist": items,
        "customer_results": customer_results,
        "customer_q": form.data.get("customer_q", "") if form.is_bound else "",
        "returned": order is not None and order.status == OrderStatus.RETURNED,
        **customer_context(user, customer, form),
    }
    return render(request, "orders/entry.html", context, status=status)


def visible_customer(user: Any, key: Any) -> Customer | None:
    try:
        customer_id = int(key)
    except (TypeError, ValueError):
        return None
    return (
        customer_selectors.customers_visible_to(user)
        .select_related("credit", "owner")
        .filter(pk=customer_id)
        .first()
    )


def customer_context(
    user: Any, customer: Customer | None, form: OrderEntryForm | None = None
) -> dict[str, Any]:
    """The customer panel: contacts to choose from, the default delivery address, and for
    those who may see credit the grade, limit, terms and open exposure (each view logged)."""
    errors = []
    if form is not None and form.is_bound:
        errors = [*form.errors.get("customer_id", []), *form.errors.get("contact_id", [])]
    context: dict[str, Any] = {"customer": customer, "customer_errors": errors}
    if customer is None:
        return context
    [customer] = customer_selectors.mask_or_log([customer], user, channel="html")
    contacts = [contact for contact in customer.contacts.all() if contact.left_on is None]
    address = customer.addresses.order_by("-is_default", "id").first()
    credit = None
    position = None
    see_credit = customer_selectors.can_see_credit(user)
    if see_credit:
        try:
            credit = customer_selectors.credit_file_for(user, customer, channel="html")
        except NotFound:
            credit = None
        position = checks.credit_position(Order(customer=customer), selectors.review_settings())
        position["available"] = Decimal(position["allowed"]) - Decimal(position["exposure"])
    primary = next((contact for contact in contacts if contact.is_primary), None)
    primary = primary or (contacts[0] if contacts else None)
    masked = getattr(customer, "_masked", False)
    defaults: dict[str, Any] = {}
    if primary is not None:
        defaults |= {
            "contact_id": str(primary.pk),
            "contact_name": primary.name,
            "contact_phone": primary.phone if masked else (primary.mobile or primary.phone),
        }
    if address is not None:
        defaults |= {
            "delivery_province": normalize_province(address.province) or "",
            "delivery_city": address.city,
            "delivery_district": address.district,
            "delivery_address": address.detail,
            "consignee": address.receiver,
            "consignee_phone": address.receiver_phone,
        }
    if see_credit:
        deposit, terms = grade_defaults(customer)
        defaults |= {"payment_terms": terms, "deposit_percent": str(deposit)}
    selected = form.current("contact_id") if form is not None else None
    return context | {
        "customer": customer,
        "contacts": [
            {
                "pk": contact.pk,
                "name": contact.name,
                "title": contact.title,
                "phone": contact.phone if masked else (contact.mobile or contact.phone),
                "shown_phone": contact.mobile or contact.phone,
                "selected": str(contact.pk) == str(selected),
            }
            for contact in contacts
        ],
        "address": address,
        "see_credit": see_credit,
        "credit": credit,
        "position": position,
        "blacklisted": customer.status == CustomerStatus.BLACKLISTED,
        "defaults": {key: value for key, value in defaults.items() if value},
    }


def find_customers(user: Any, q: str) -> list[Customer]:
    q = (q or "").strip()
    if not q:
        return []
    found = list(customer_selectors.search(user, q=q[:100])[:LOOKUP_LIMIT])
    customer_selectors.log_credit_views(found, user, channel="html")
    return found


# --- htmx endpoints ------------------------------------------------------------------------


@require_GET
def customer_lookup(request: HttpRequest) -> HttpResponse:
    """Customers this user may see, by name, code or pinyin initials."""
    require_enter(request.user)
    q = request.GET.get("customer_q") or request.GET.get("q") or ""
    return render(
        request,
        "orders/partials/entry_customer_results.html",
        {
            "customer_results": find_customers(request.user, q),
            "customer_q": q,
            "see_credit": customer_selectors.can_see_credit(request.user),
        },
    )


@require_GET
def customer_panel(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The chosen customer's panel (replaces the form's customer section)."""
    require_enter(request.user)
    customer = visible_customer(request.user, customer_id)
    if customer is None:
        raise Http404(_("No such customer."))
    return render(
        request,
        "orders/partials/entry_customer.html",
        customer_context(request.user, customer),
    )


@require_GET
def product_lookup(request: HttpRequest) -> HttpResponse:
    """Active products by SKU, name, spec or pinyin initials, with the price for the chosen
    customer and the quantity available."""
    require_enter(request.user)
    q = (request.GET.get("q") or "").strip()[:100]
    products = (
        list(catalog_selectors.search(request.user, q=q, active=True)[:LOOKUP_LIMIT]) if q else []
    )
    customer = visible_customer(request.user, request.GET.get("customer_id"))
    return render(
        request,
        "orders/partials/entry_product_results.html",
        {
            "offers": product_offers(customer, products, by=request.user),
            "customer": customer,
            "q": q,
        },
    )


@require_POST
def quote(request: HttpRequest) -> HttpResponse:
    """The form as typed, priced: each row's figures and messages, the totals and the
    checklist (htmx out-of-band swaps; nothing is saved)."""
    require_enter(request.user)
    form, formset = bound_forms(request.POST)
    customer = visible_customer(request.user, form.current("customer_id"))
    priced = quote_rows(customer, formset.forms, by=request.user)
    return render(
        request,
        "orders/partials/entry_quote.html",
        {
            "quote": priced,
            "rows": list(zip(formset.forms, priced.rows, strict=True)),
            "checklist": checklist(
                draft_order(form, customer, priced), priced, has_customer=customer is not None
            ),
        },
    )


def bound_forms(data: QueryDict) -> tuple[OrderEntryForm, Any]:
    form = OrderEntryForm(data)
    form.is_valid()
    formset = LineFormSet(data, prefix=LINES_PREFIX)
    return form, formset


urlpatterns: list[URLPattern] = [
    path("new/", create, name="create"),
    path("<int:order_id>/edit/", edit, name="edit"),
    path("entry/quote/", quote, name="entry_quote"),
    path("entry/customer-lookup/", customer_lookup, name="entry_customer_lookup"),
    path("entry/customers/<int:customer_id>/", customer_panel, name="entry_customer"),
    path("entry/product-lookup/", product_lookup, name="entry_product_lookup"),
]

"""Shipping pages: shipment entry from an order, the shipment page (tracking, notice,
delivery confirmation, exceptions), the shipment and in-transit lists, carriers and
settings, the release-to-ship actions, the order page panel, and the public delivery
confirmation page reached by the link in the shipping notice (no login, phone-sized).

Each action posts to one service; a refusal comes back on the form, or as a message on the
page for one-button actions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orderdesk.core import htmx, permissions
from orderdesk.core.errors import Conflict, DomainError, NotAllowed, NotFound
from orderdesk.core.forms import place_errors
from orderdesk.core.models import CompanyProfile
from orderdesk.core.paging import page_of
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.documents import plain_number
from orderdesk.orders.models import Order
from orderdesk.orders.services.releasing import credit_grade

from .. import selectors, services
from ..documents import notice_pdf
from ..models import SENT, Carrier, ClearanceKind, Shipment, ShipmentStatus
from ..services import clearance as clearance_service
from ..services import shipments as shipment_service
from . import forms

SHIP = "shipping.ship_orders"
CLEAR = "shipping.clear_shipments"
URGENT = "shipping.approve_urgent_shipments"
CONFIRM = "shipping.confirm_deliveries"
REPORT = "shipping.report_delivery_exceptions"
CARRIERS = "shipping.manage_carriers"
BEFORE_APPROVAL = frozenset({"draft", "in_review", "returned", "cancelled"})


# --- helpers --------------------------------------------------------------------------------


def order_or_404(user: Any, order_id: Any) -> Order:
    try:
        return order_selectors.order_for(user, int(order_id))
    except (NotFound, TypeError, ValueError) as error:
        raise Http404 from error


def shipment_or_404(user: Any, shipment_id: Any) -> Shipment:
    try:
        return selectors.shipment_for(user, shipment_id)
    except NotFound as error:
        raise Http404 from error


def refuse_or_flash(request: HttpRequest, error: DomainError) -> None:
    if isinstance(error, NotAllowed) and not error.fields:
        raise PermissionDenied(str(error.message)) from error
    details = "; ".join(error.fields.values())
    text = str(error.message)
    messages.error(
        request, f"{text} {details}".strip() if details and details not in text else text
    )


def shipment_url(shipment: Shipment, anchor: str = "") -> str:
    return reverse("shipping:detail", args=[shipment.pk]) + (f"#{anchor}" if anchor else "")


def order_url(order_id: int) -> str:
    return reverse("orders:detail", args=[order_id]) + "#shipping"


def pdf_response(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


def line_rows(shipment: Shipment) -> list[dict[str, Any]]:
    return [
        {
            "id": row.pk,
            "line_no": row.order_line.line_no,
            "sku": row.order_line.sku,
            "name": row.order_line.name,
            "spec": row.order_line.spec,
            "unit": row.order_line.unit,
            "ordered": plain_number(row.order_line.quantity),
            "quantity": plain_number(row.quantity),
            "delivered": plain_number(row.delivered_quantity),
        }
        for row in shipment.lines.select_related("order_line").order_by("order_line__line_no")
    ]


def fulfilment_rows(order: Order) -> list[dict[str, Any]]:
    return [
        {
            **row,
            **{
                k: plain_number(row[k])
                for k in ("ordered", "prepared", "shipped", "delivered", "remaining")
            },
        }
        for row in selectors.fulfilment(order)
    ]


# --- lists --------------------------------------------------------------------------------------


def may_view_lists(user: Any) -> bool:
    return any(
        permissions.has(user, name)
        for name in (SHIP, CONFIRM, "orders.view_all_orders", "orders.view_team_orders")
    )


@require_GET
def shipment_list(request: HttpRequest) -> HttpResponse:
    if not may_view_lists(request.user):
        raise PermissionDenied
    form = forms.ShipmentFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "q": form.cleaned_data["q"],
            "status": form.cleaned_data["status"],
            "overdue": form.cleaned_data["overdue"],
        }
    shipments = selectors.search_shipments(request.user, **filters)
    page, query = page_of(request, shipments)
    return render(
        request,
        "shipping/list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "filtered": any(filters.values()),
            "today": timezone.localdate(),
        },
    )


@require_GET
def in_transit(request: HttpRequest) -> HttpResponse:
    if not may_view_lists(request.user):
        raise PermissionDenied
    shipments = selectors.search_shipments(request.user, in_transit=True)
    page, query = page_of(request, shipments, 50)
    today = timezone.localdate()
    return render(
        request,
        "shipping/in_transit.html",
        {
            "page": page,
            "query": query,
            "today": today,
            "overdue_count": shipments.filter(expected_arrival__lt=today).count(),
        },
    )


# --- entry ----------------------------------------------------------------------------------


def new_shipment(request: HttpRequest, order_id: int) -> HttpResponse:
    """The shipment entry from an order, pre-filled with what is still to ship."""
    order = order_or_404(request.user, order_id)
    if not permissions.has(request.user, SHIP):
        raise PermissionDenied
    remaining = shipment_service.remaining(order)
    lines = list(order.lines.order_by("line_no"))
    defaults = shipment_service.order_defaults(order)
    initial = {**defaults, "ship_date": timezone.localdate(), "packages": 1}
    form = forms.ShipmentForm(request.POST if request.method == "POST" else None, initial=initial)
    quantities = {
        line.pk: (
            request.POST.get(f"qty-{line.pk}", "")
            if request.method == "POST"
            else plain_number(remaining.get(line.pk, Decimal(0)))
        )
        for line in lines
    }
    line_errors: dict[int, str] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shipment = services.create_shipment(
                order,
                by=request.user,
                lines=[
                    {"order_line_id": line.pk, "quantity": quantities[line.pk] or "0"}
                    for line in lines
                ],
                warehouse=data["warehouse"] or None,
                carrier=data["carrier"],
                tracking_number=data["tracking_number"],
                packages=data["packages"],
                ship_date=data["ship_date"],
                address={name: data[name] for name in shipment_service.ADDRESS_FIELDS},
                difference_reason=data["difference_reason"],
                note=data["note"],
            )
            if "confirm" in request.POST:
                try:
                    services.confirm_shipment(shipment, by=request.user)
                except DomainError as error:
                    refuse_or_flash(request, error)
                    return htmx.redirect(request, shipment_url(shipment))
                messages.success(
                    request,
                    _("Shipment %(number)s confirmed; the shipping notice goes to the customer.")
                    % {"number": shipment.number},
                )
            else:
                messages.success(
                    request, _("Shipment %(number)s saved as draft.") % {"number": shipment.number}
                )
            return htmx.redirect(request, shipment_url(shipment))
        except DomainError as error:
            by_no = {line.line_no: line.pk for line in lines}
            by_index = [line.pk for line in lines]
            for name, message in error.fields.items():
                if name.startswith("line_") and name.split(".")[0][5:].isdigit():
                    line_errors[by_no.get(int(name.split(".")[0][5:]), 0)] = message
                elif name.startswith("lines.") and name.split(".")[1].isdigit():
                    index = int(name.split(".")[1])
                    if index < len(by_index):
                        line_errors[by_index[index]] = message
            place_errors(error, form)
    rows = [
        {
            "line": line,
            "ordered": plain_number(line.quantity),
            "remaining": plain_number(remaining.get(line.pk, Decimal(0))),
            "value": quantities[line.pk],
            "error": line_errors.get(line.pk, ""),
        }
        for line in lines
    ]
    return render(
        request,
        "shipping/new.html",
        {
            "order": order,
            "form": form,
            "rows": rows,
            "blocked": shipment_blockers(order),
            "defaults": defaults,
        },
    )


def shipment_blockers(order: Order) -> list[str]:
    blockers = []
    try:
        shipment_service.require_shippable(order)
    except DomainError as error:
        blockers.append(str(error.message))
    if missing := clearance_service.missing_clearance(order):
        blockers.append(missing)
    return blockers


# --- the shipment page ----------------------------------------------------------------------


def detail(request: HttpRequest, shipment_id: int, *, delivery_form: Any = None) -> HttpResponse:
    shipment = shipment_or_404(request.user, shipment_id)
    user = request.user
    sent = shipment.status in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)
    changed = shipment_service.differences(shipment, shipment.order)
    return render(
        request,
        "shipping/detail.html",
        {
            "shipment": shipment,
            "order": shipment.order,
            "lines": line_rows(shipment),
            "notices": list(shipment.notices.select_related("sent_by")),
            "exceptions": list(shipment.exceptions.select_related("reported_by")),
            "changed": changed,
            "defaults": shipment_service.order_defaults(shipment.order),
            "tracking_form": forms.TrackingForm(
                initial={
                    "carrier": shipment.carrier.code,
                    "tracking_number": shipment.tracking_number,
                }
            ),
            "delivery_form": delivery_form
            or forms.DeliveryForm(initial={"delivered_on": timezone.localdate()}),
            "overdue": shipment.status == ShipmentStatus.SHIPPED
            and shipment.expected_arrival < timezone.localdate(),
            "can": {
                "ship": permissions.has(user, SHIP) and shipment.status == ShipmentStatus.DRAFT,
                "tracking": permissions.has(user, SHIP)
                and shipment.status in (ShipmentStatus.DRAFT, ShipmentStatus.SHIPPED),
                "notice": sent,
                "resend": sent and permissions.has(user, SHIP),
                "deliver": permissions.has(user, CONFIRM)
                and shipment.status == ShipmentStatus.SHIPPED,
                "report": permissions.has(user, REPORT) and sent,
            },
        },
    )


@require_POST
def confirm(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = shipment_or_404(request.user, shipment_id)
    try:
        services.confirm_shipment(
            shipment, by=request.user, difference_reason=request.POST.get("difference_reason")
        )
    except DomainError as error:
        refuse_or_flash(request, error)
    else:
        messages.success(
            request,
            _("Shipment %(number)s confirmed; the shipping notice goes to the customer.")
            % {"number": shipment.number},
        )
    return htmx.redirect(request, shipment_url(shipment))


@require_POST
def cancel(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = shipment_or_404(request.user, shipment_id)
    try:
        services.cancel_shipment(shipment, by=request.user, reason=request.POST.get("reason", ""))
    except DomainError as error:
        refuse_or_flash(request, error)
    else:
        messages.success(request, _("Draft shipment cancelled."))
    return htmx.redirect(request, shipment_url(shipment))


@require_POST
def tracking(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = shipment_or_404(request.user, shipment_id)
    try:
        services.set_tracking(
            shipment,
            by=request.user,
            carrier=request.POST.get("carrier", ""),
            tracking_number=request.POST.get("tracking_number", ""),
        )
    except DomainError as error:
        refuse_or_flash(request, error)
    else:
        messages.success(request, _("Tracking number saved."))
    return htmx.redirect(request, shipment_url(shipment))


@require_GET
def notice(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = shipment_or_404(request.user, shipment_id)
    if shipment.status not in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED):
        raise Http404
    return pdf_response(notice_pdf(shipment), shipment.number)


@require_POST
def send_notice(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = shipment_or_404(request.user, shipment_id)
    try:
        sent = services.send_notice(shipment, by=request.user)
    except DomainError as error:
        refuse_or_flash(request, error)
    else:
        if sent.ok:
            messages.success(request, _("Shipping notice sent to %(to)s.") % {"to": sent.sent_to})
        else:
            messages.error(
                request, _("The notice could not be sent: %(error)s") % {"error": sent.error}
            )
    return htmx.redirect(request, shipment_url(shipment, "notices"))


@require_POST
def deliver(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = shipment_or_404(request.user, shipment_id)
    if not permissions.has(request.user, CONFIRM):
        raise PermissionDenied
    form = forms.DeliveryForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.confirm_delivery(
                shipment,
                signer=form.cleaned_data["signer"],
                delivered_on=form.cleaned_data["delivered_on"],
                proof=form.cleaned_data["proof"] or None,
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Delivery confirmed."))
            return htmx.redirect(request, shipment_url(shipment))
    return detail(request, shipment_id, delivery_form=form)


def report_exception(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = shipment_or_404(request.user, shipment_id)
    if not permissions.has(request.user, REPORT):
        raise PermissionDenied
    form = forms.ExceptionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    rows = line_rows(shipment)
    values = {row["id"]: request.POST.get(f"qty-{row['id']}", "") for row in rows}
    if request.method == "POST" and form.is_valid():
        try:
            found = services.report_exception(
                shipment,
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                lines=[
                    {"shipment_line_id": pk, "quantity": value}
                    for pk, value in values.items()
                    if value.strip() and value.strip() != "0"
                ],
                photos=form.cleaned_data["photos"],
                by=request.user,
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request,
                _("Exception recorded; after-sales case %(case)s opened and customer service told.")
                % {"case": found.case_number},
            )
            return htmx.redirect(request, shipment_url(shipment, "exceptions"))
    for row in rows:
        row["value"] = values[row["id"]]
    return render(
        request,
        "shipping/exception.html",
        {"shipment": shipment, "order": shipment.order, "form": form, "rows": rows},
    )


@require_GET
def proof(request: HttpRequest, shipment_id: int) -> FileResponse:
    shipment = shipment_or_404(request.user, shipment_id)
    if not shipment.delivery_proof:
        raise Http404
    try:
        handle = shipment.delivery_proof.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    return FileResponse(
        handle, as_attachment=True, filename=shipment.delivery_proof.name.rsplit("/", 1)[-1]
    )


# --- release to ship ------------------------------------------------------------------------

CLEARANCE_ACTIONS = {
    "urgent": (URGENT, forms.ReasonForm),
    "paperwork": (CLEAR, forms.PaperworkForm),
}


def clearance_action(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    if action in ("terms", "payment"):  # one-button actions
        if request.method != "POST":
            raise Http404
        try:
            if action == "terms":
                clearance_service.clear_per_terms(order, by=request.user)
            else:
                clearance_service.clear_on_payments(order, by=request.user)
        except DomainError as error:
            refuse_or_flash(request, error)
        else:
            messages.success(request, _("Released to ship."))
        return htmx.redirect(request, order_url(order.pk))
    if action not in CLEARANCE_ACTIONS:
        raise Http404
    permission, form_class = CLEARANCE_ACTIONS[action]
    if not permissions.has(request.user, permission):
        raise PermissionDenied
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "urgent":
                clearance_service.approve_urgent(order, reason=data["reason"], by=request.user)
            else:
                clearance_service.complete_paperwork(order, note=data["note"], by=request.user)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Release to ship recorded."))
            return htmx.redirect(request, order_url(order.pk))
    titles = {
        "urgent": _("Approve an urgent shipment"),
        "paperwork": _("Complete the paperwork"),
    }
    return render(
        request,
        "shipping/clearance_form.html",
        {"order": order, "form": form, "title": titles[action], "action": action},
    )


# --- carriers and settings ------------------------------------------------------------------


def carriers(request: HttpRequest) -> HttpResponse:
    if not permissions.has(request.user, CARRIERS):
        raise PermissionDenied
    row = selectors.shipping_settings()
    settings_form = forms.SettingsForm(
        request.POST if request.method == "POST" and "settings" in request.POST else None,
        initial={"over_shipment_percent": row.over_shipment_percent},
    )
    if request.method == "POST" and "settings" in request.POST and settings_form.is_valid():
        try:
            services.update_settings(
                over_shipment_percent=settings_form.cleaned_data["over_shipment_percent"],
                by=request.user,
            )
        except DomainError as error:
            place_errors(error, settings_form)
        else:
            messages.success(request, _("Shipping settings saved."))
            return htmx.redirect(request, reverse("shipping:carriers"))
    edit_errors: dict[int, str] = {}
    if request.method == "POST" and "carrier" in request.POST:
        found = (
            Carrier.objects.filter(pk=request.POST.get("carrier") or 0).first()
            if str(request.POST.get("carrier", "")).isdigit()
            else None
        )
        if found is None:
            raise Http404
        form = forms.CarrierForm(request.POST)
        if form.is_valid():
            try:
                services.update_carrier(found, by=request.user, **form.cleaned_data)
            except DomainError as error:
                refuse_or_flash(request, error)
            else:
                messages.success(
                    request, _("Carrier %(name)s saved.") % {"name": form.cleaned_data["name"]}
                )
                return htmx.redirect(request, reverse("shipping:carriers"))
        else:
            edit_errors[found.pk] = "; ".join(
                f"{form.fields[name].label}: {' '.join(str(e) for e in errs)}"
                for name, errs in form.errors.items()
            )
    return render(
        request,
        "shipping/carriers.html",
        {
            "carriers": list(Carrier.objects.all()),
            "settings_form": settings_form,
            "edit_errors": edit_errors,
        },
    )


# --- the customer's delivery confirmation page (public) ---------------------------------------


@login_not_required
def deliver_public(request: HttpRequest, token: str) -> HttpResponse:
    """The page the shipping notice links to: for the customer or the person delivering, on
    a phone: the items, and a form for signer, date and a photo of the signed note."""
    try:
        shipment = selectors.shipment_for_token(token)
    except NotFound as error:
        raise Http404(str(error.message)) from error
    form = forms.DeliveryForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"delivered_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_delivery_by_token(
                token,
                signer=form.cleaned_data["signer"],
                delivered_on=form.cleaned_data["delivered_on"],
                proof=form.cleaned_data["proof"] or None,
                note=form.cleaned_data["note"],
            )
        except Conflict:
            pass  # confirmed meanwhile: the page says so
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Thank you: the delivery is confirmed."))
            return htmx.redirect(request, reverse("shipping:deliver_public", args=[token]))
        shipment.refresh_from_db()
    return render(
        request,
        "shipping/deliver_public.html",
        {
            "shipment": shipment,
            "order": shipment.order,
            "token": token,
            "company": CompanyProfile.objects.filter(pk=1).first(),
            "lines": line_rows(shipment),
            "delivered": shipment.status == ShipmentStatus.DELIVERED,
            "form": form,
        },
    )


@login_not_required
@require_GET
def deliver_public_pdf(request: HttpRequest, token: str) -> HttpResponse:
    try:
        shipment = selectors.shipment_for_token(token)
    except NotFound as error:
        raise Http404 from error
    return pdf_response(notice_pdf(shipment), shipment.number)


# --- the panel on the order page --------------------------------------------------------------


def customer_panel_context(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    """The customer's own order page (the confirmation link, no login): per line how much is
    prepared, shipped and delivered, and the shipments sent with their tracking numbers —
    nothing internal (no clearance, no drafts)."""
    if order.status in BEFORE_APPROVAL:
        return None
    sent = list(
        Shipment.objects.filter(order=order, status__in=SENT)
        .select_related("carrier")
        .order_by("ship_date", "id")
    )
    return {"order": order, "fulfilment": fulfilment_rows(order), "shipments": sent}


def panel_context(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    user = request.user
    if order.status in BEFORE_APPROVAL and not Shipment.objects.filter(order=order).exists():
        return None
    found = selectors.clearance_of(order)
    per_terms = clearance_service.ships_per_terms(order)
    shipments = list(Shipment.objects.filter(order=order).select_related("carrier").order_by("-id"))
    open_lines = any(row["remaining"] > 0 for row in selectors.fulfilment(order))
    shippable = order.status in shipment_service.SHIPPABLE
    clearable = order.status in clearance_service.CLEARABLE
    paid = None if per_terms or found else clearance_service.balance_paid(order)
    return {
        "order": order,
        "grade": credit_grade(order),
        "clearance": found,
        "per_terms": per_terms,
        "kinds": ClearanceKind,
        "paid": paid,
        "balance_due": clearance_service.balance_due(order),
        "paid_in_full": paid is not None and paid.amount >= clearance_service.balance_due(order),
        "fulfilment": fulfilment_rows(order),
        "shipments": shipments,
        "today": timezone.localdate(),
        "can": {
            "ship": permissions.has(user, SHIP) and shippable and open_lines,
            "clear": permissions.has(user, CLEAR) and clearable and found is None and not per_terms,
            "terms": permissions.has(user, CLEAR) and clearable and found is None and per_terms,
            "urgent": permissions.has(user, URGENT) and clearable and found is None,
            "paperwork": permissions.has(user, CLEAR)
            and found is not None
            and found.paperwork_open,
        },
    }

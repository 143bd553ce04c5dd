"""Pages of an order's revisions (订单版本): one revision (its header, lines, what changed
against the one before and the effect on price and date, the customer's acknowledgement with
the forms to send it or record it), the differences between any two revisions, the PDF, and
the customer's public page behind the e-mailed link (no login), where they acknowledge it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from orderdesk.core import htmx, permissions
from orderdesk.core.errors import Conflict, DomainError, NotAllowed, NotFound
from orderdesk.core.forms import CustomerReplyForm, place_errors
from orderdesk.core.models import CompanyProfile
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.documents import plain_number
from orderdesk.orders.models import Order, OrderStatus, PaymentMethod
from orderdesk.orders.services.confirmation import recipients

from .. import revisions
from ..documents import revision_pdf
from ..models import AcknowledgementStatus, OrderRevision

ENTER = revisions.SEND


# --- forms ----------------------------------------------------------------------------------


class AcknowledgeForm(CustomerReplyForm):
    """The customer's acknowledgement on the public page."""

    name_help = gettext_lazy("The person acknowledging the revised order for your company.")


class RecordAcknowledgementForm(forms.Form):
    """Staff note an acknowledgement received by phone or otherwise."""

    name = forms.CharField(
        label=gettext_lazy("Acknowledged by"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Who acknowledged for the customer; empty: the order's contact."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("How and when, e.g. “by phone, 24 Nov”."),
    )


# --- helpers --------------------------------------------------------------------------------


def order_or_404(user: Any, order_id: Any) -> Order:
    try:
        return order_selectors.order_for(user, int(order_id))
    except (NotFound, TypeError, ValueError) as error:
        raise Http404(str(getattr(error, "message", ""))) from error


def revision_or_404(order: Order, number: Any) -> OrderRevision:
    try:
        return OrderRevision.objects.select_related("change_request", "created_by").get(
            order=order, number=int(number)
        )
    except (OrderRevision.DoesNotExist, TypeError, ValueError) as error:
        raise Http404(_("No such revision.")) from error


def revision_url(revision: OrderRevision, anchor: str = "") -> str:
    url = reverse("changes:revision", args=[revision.order_id, revision.number])
    return url + (f"#{anchor}" if anchor else "")


def flash(request: HttpRequest, error: DomainError) -> None:
    if isinstance(error, NotAllowed) and not error.fields:
        raise PermissionDenied(str(error.message)) from error
    details = "; ".join(str(value) for value in error.fields.values())
    text = str(error.message)
    messages.error(request, f"{text} {details}".strip() if details else text)


def shown_snapshot(shot: dict[str, Any], changed: set[Any] | None = None) -> dict[str, Any]:
    """A snapshot as the pages show it: header values readable, lines with amounts in yuan;
    ``changed`` marks the lines this revision changed or added."""
    header = shot.get("header") or {}
    method = header.get("payment_method") or ""
    address = "".join(
        header.get(field) or ""
        for field in ("delivery_province", "delivery_city", "delivery_district", "delivery_address")
    )
    totals = shot.get("totals") or {}
    return {
        "status": revisions.status_label(shot.get("status")),
        "status_code": shot.get("status"),
        "version": shot.get("version"),
        "requested_date": header.get("requested_date") or "—",
        "promised_date": header.get("promised_date") or "—",
        "address": address or "—",
        "consignee": " ".join(
            part for part in (header.get("consignee"), header.get("consignee_phone")) if part
        )
        or "—",
        "payment_method": str(PaymentMethod(method).label)
        if method in PaymentMethod.values
        else method or "—",
        "payment_terms": header.get("payment_terms") or "—",
        "totals": {key: revisions.money(totals.get(key)) for key in ("net", "tax", "gross")},
        "lines": [
            {
                "line_id": line["line_id"],
                "line_no": line["line_no"],
                "sku": line["sku"],
                "name": line["name"],
                "spec": line.get("spec", ""),
                "quantity": plain_number(Decimal(line["quantity"])),
                "unit": line["unit"],
                "unit_price": revisions.money(line["unit_price"]),
                "discount": plain_number(Decimal(line.get("discount_percent") or 0)),
                "tax_rate": plain_number(Decimal(line["tax_rate"]) * 100),
                "line_total": revisions.money(line["line_total"]),
                "changed": line["line_id"] in (changed or set()),
            }
            for line in shot.get("lines") or []
        ],
    }


def acknowledgement_actions(user: Any, revision: OrderRevision, latest: bool) -> dict[str, bool]:
    """What the revision page offers; the services check again."""
    open_ = (
        latest and revision.number > 1 and revision.ack_status != AcknowledgementStatus.ACKNOWLEDGED
    )
    may = open_ and permissions.has(user, ENTER)
    return {
        "send": may,
        "resend": may and revision.ack_status == AcknowledgementStatus.SENT,
        "record": may,
    }


# --- staff pages ------------------------------------------------------------------------------


@require_GET
def revision_detail(request: HttpRequest, order_id: int, number: int) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    revision = revision_or_404(order, number)
    return render_revision(request, order, revision)


def render_revision(
    request: HttpRequest,
    order: Order,
    revision: OrderRevision,
    *,
    record_form: RecordAcknowledgementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    all_revisions = revisions.revisions_of(order)
    latest = all_revisions[-1].number == revision.number if all_revisions else True
    items, change = revisions.changes_since_previous(revision)
    changed = {item["line_id"] for item in items if item["where"] == "line"}
    return render(
        request,
        "changes/revision.html",
        {
            "order": order,
            "revision": revision,
            "revisions": all_revisions,
            "latest": latest,
            "shot": shown_snapshot(revision.snapshot, changed),
            "items": items,
            "effect": change,
            "can": acknowledgement_actions(request.user, revision, latest),
            "recipients": recipients(order),
            "record_form": record_form or RecordAcknowledgementForm(),
        },
        status=status,
    )


@require_GET
def revision_document(request: HttpRequest, order_id: int, number: int) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    revision = revision_or_404(order, number)
    return pdf_response(revision_pdf(revision), order, revision)


def pdf_response(pdf: bytes, order: Order, revision: OrderRevision) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}-v{revision.number}.pdf"'
    return response


@require_GET
def revision_diff(request: HttpRequest, order_id: int) -> HttpResponse:
    """The differences between two revisions (``?from=&to=``; by default the last change)."""
    order = order_or_404(request.user, order_id)
    all_revisions = revisions.revisions_of(order)
    if not all_revisions:
        messages.info(
            request, _("Order %(number)s has no revisions yet.") % {"number": order.number}
        )
        return htmx.redirect(request, reverse("orders:detail", args=[order.pk]))
    by_number = {revision.number: revision for revision in all_revisions}
    last = all_revisions[-1].number
    error = ""
    first, second = number_of(request.GET.get("from")), number_of(request.GET.get("to"))
    if (first is not None and first not in by_number) or (
        second is not None and second not in by_number
    ):
        error = _("Order %(number)s has revisions 1 to %(last)s; showing the last change.") % {
            "number": order.number,
            "last": last,
        }
        first = second = None
    second = second if second is not None else last
    first = first if first is not None else max(second - 1, 1)
    before, after = by_number[first], by_number[second]
    items = revisions.diff(before.snapshot, after.snapshot)
    return render(
        request,
        "changes/revision_diff.html",
        {
            "order": order,
            "revisions": all_revisions,
            "before": before,
            "after": after,
            "items": items,
            "effect": revisions.effect(before.snapshot, after.snapshot),
            "error": error,
            "same": first == second,
        },
    )


def number_of(value: Any) -> int | None:
    text = str(value or "").strip().lstrip("vV")
    return int(text) if text.isdigit() and len(text) < 9 else None


@require_POST
def send_acknowledgement(request: HttpRequest, order_id: int, number: int) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    revision = revision_or_404(order, number)
    try:
        sent = revisions.send_acknowledgement(revision, by=request.user)
    except DomainError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            _("Revision %(revision)s sent to %(to)s for the customer's acknowledgement.")
            % {"revision": sent.number, "to": ", ".join(recipients(order))},
        )
    return htmx.redirect(request, revision_url(revision, "acknowledgement"))


@require_POST
def record_acknowledgement(request: HttpRequest, order_id: int, number: int) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    revision = revision_or_404(order, number)
    form = RecordAcknowledgementForm(request.POST)
    if form.is_valid():
        try:
            revisions.record_acknowledgement(
                revision,
                by=request.user,
                name=form.cleaned_data["name"],
                note=form.cleaned_data["note"],
            )
        except Conflict as error:
            flash(request, error)  # acknowledged meanwhile, or superseded: the page says so
            return htmx.redirect(request, revision_url(revision, "acknowledgement"))
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request,
                _("Revision %(revision)s is acknowledged by the customer.")
                % {"revision": revision.number},
            )
            return htmx.redirect(request, revision_url(revision, "acknowledgement"))
    revision.refresh_from_db()
    return render_revision(request, order, revision, record_form=form, status=422)


# --- the customer's page (public) -------------------------------------------------------------


@login_not_required
def acknowledge_public(request: HttpRequest, token: str) -> HttpResponse:
    """The page the e-mailed link opens: the revised order, what changed and the effect on
    price and date, and a form to acknowledge it."""
    try:
        revision = revisions.revision_for_token(token)
    except NotFound as error:
        raise Http404(str(error.message)) from error
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            revisions.acknowledge_by_token(
                token, name=form.cleaned_data["name"], note=form.cleaned_data["note"]
            )
        except Conflict as error:
            if error.code != "already_acknowledged":
                form.add_error(None, str(error.message))
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request,
                _("Thank you: revision %(revision)s of order %(number)s is acknowledged.")
                % {"revision": revision.number, "number": revision.order.number},
            )
            return htmx.redirect(request, reverse("changes:acknowledge_public", args=[token]))
        revision.refresh_from_db()
    items, change = revisions.changes_since_previous(revision)
    changed = {item["line_id"] for item in items if item["where"] == "line"}
    latest = revisions.is_latest(revision)
    return render(
        request,
        "changes/acknowledge_public.html",
        {
            "order": revision.order,
            "revision": revision,
            "token": token,
            "company": CompanyProfile.objects.filter(pk=1).first(),
            "shot": shown_snapshot(revision.snapshot, changed),
            "items": items,
            "effect": change,
            "acknowledged": revision.ack_status == AcknowledgementStatus.ACKNOWLEDGED,
            "superseded": not latest,
            "cancelled": revision.snapshot.get("status") == OrderStatus.CANCELLED,
            "form": form,
        },
    )


@login_not_required
@require_GET
def acknowledge_public_pdf(request: HttpRequest, token: str) -> HttpResponse:
    try:
        revision = revisions.revision_for_token(token)
    except NotFound as error:
        raise Http404(str(error.message)) from error
    return pdf_response(revision_pdf(revision), revision.order, revision)


urlpatterns: list[URLPattern] = [
    path("orders/<int:order_id>/revisions/diff", revision_diff, name="diff"),
    path("orders/<int:order_id>/revisions/<int:number>/", revision_detail, name="revision"),
    path(
        "orders/<int:order_id>/revisions/<int:number>.pdf",
        revision_document,
        name="revision_pdf",
    ),
    path(
        "orders/<int:order_id>/revisions/<int:number>/send",
        send_acknowledgement,
        name="send_acknowledgement",
    ),
    path(
        "orders/<int:order_id>/revisions/<int:number>/record",
        record_acknowledgement,
        name="record_acknowledgement",
    ),
    path("ack/<str:token>/", acknowledge_public, name="acknowledge_public"),
    path("ack/<str:token>/revision.pdf", acknowledge_public_pdf, name="acknowledge_public_pdf"),
]

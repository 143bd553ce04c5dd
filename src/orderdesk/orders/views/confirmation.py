"""Order pages for the customer confirmation, release, follow-ups and attachments.

- The public confirmation page (``confirm/<token>/``, no login): the customer reads the
  order and confirms it with their name; the token in the e-mailed link is the key.
- For staff: send the confirmation, record the customer's confirmation or upload the signed
  copy, release (the deposit is received in billing), log and resolve follow-ups, attach files.
  Each posts to one service; a refusal comes back on the form (or as a message on the order
  page for the one-button actions).
- :func:`panel_context` feeds the panel ``orders/confirmation_panel.html`` on the order
  page (slot ``"orders.order"``), which offers these actions to whoever may take them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from orderdesk.core import htmx, panels, permissions
from orderdesk.core.errors import Conflict, DomainError, NotAllowed, NotFound
from orderdesk.core.forms import CustomerReplyForm, place_errors
from orderdesk.core.models import CompanyProfile
from orderdesk.core.money import yuan

from .. import checks, lifecycle, selectors
from ..documents import plain_number
from ..models import AttachmentKind, ConfirmationStatus, Order, OrderStatus
from ..services import attachments, confirmation, followups, releasing

ENTER = "orders.enter_orders"
CUSTOMER_VIEW = "orders.customer_view"  # core.panels slot of the customer's own order page
RELEASE = "orders.release_orders"


# --- forms ----------------------------------------------------------------------------------


class PublicConfirmForm(CustomerReplyForm):
    name_help = gettext_lazy("The person confirming the order for your company.")


class RecordConfirmationForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Signed copy"),
        required=False,
        help_text=gettext_lazy(
            "The confirmation signed and stamped by the customer (PDF or a scan, up to 20 MB). "
            "Leave empty when the customer confirmed another way and describe it below."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("How and when the customer confirmed, e.g. “by e-mail, 24 Nov”."),
    )


class FollowUpForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=gettext_lazy("Asked the customer for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other = forms.CharField(
        label=gettext_lazy("Something else"),
        required=False,
        max_length=200,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, missing: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = cast(forms.MultipleChoiceField, self.fields["items"])
        items.choices = [(str(label), str(label)) for label in missing.values()]

    def values(self) -> tuple[list[str], str]:
        items = list(self.cleaned_data["items"])
        if other := self.cleaned_data["other"].strip():
            items.append(other)
        return items, self.cleaned_data["note"]


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What is it?"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, images, Office documents or saved e-mails (.eml), 20 MB."),
    )


# --- helpers --------------------------------------------------------------------------------


def order_or_404(user: Any, order_id: Any) -> Order:
    try:
        return selectors.order_for(user, int(order_id))
    except (NotFound, TypeError, ValueError) as error:
        raise Http404(str(getattr(error, "message", ""))) from error


def order_url(order: Order, anchor: str = "") -> str:
    return confirmation.order_page(order.pk) + (f"#{anchor}" if anchor else "")


def refuse_or_flash(request: HttpRequest, error: DomainError) -> None:
    if isinstance(error, NotAllowed) and not error.fields:
        raise PermissionDenied(str(error.message)) from error
    messages.error(request, str(error.message))


def pdf_response(pdf: bytes, order: Order) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


def line_rows(order: Order) -> list[dict[str, Any]]:
    return [
        {
            "line_no": line.line_no,
            "sku": line.sku,
            "name": line.name,
            "spec": line.spec,
            "quantity": plain_number(line.quantity),
            "unit": line.unit,
            "unit_price": yuan(line.unit_price),
            "line_total": yuan(line.line_total),
        }
        for line in order.lines.order_by("line_no")
    ]


# --- the customer's page (public) -------------------------------------------------------------


@login_not_required
def confirm_public(request: HttpRequest, token: str) -> HttpResponse:
    """The page the e-mailed link opens: the order as confirmed, and a form to confirm it."""
    try:
        order = confirmation.order_for_token(token)
    except NotFound as error:
        raise Http404(str(error.message)) from error
    form = PublicConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmation.confirm_by_token(
                token, name=form.cleaned_data["name"], note=form.cleaned_data["note"]
            )
        except Conflict:
            pass  # confirmed meanwhile (a second click): the page below says so
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request, _("Thank you: order %(number)s is confirmed.") % {"number": order.number}
            )
            return htmx.redirect(request, reverse("orders:confirm_public", args=[token]))
        order.refresh_from_db()
    return render(
        request,
        "orders/confirmation_public.html",
        {
            "order": order,
            "token": token,
            "company": CompanyProfile.objects.filter(pk=1).first(),
            "lines": line_rows(order),
            "totals": {
                "net": yuan(order.net_amount),
                "tax": yuan(order.tax_amount),
                "total": yuan(order.total_amount),
                "deposit": yuan(releasing.deposit_required(order)),
            },
            "has_deposit": releasing.deposit_required(order) > 0,
            # What the apps above show the customer (shipping: preparation and shipments).
            "panels": panels.render(request, CUSTOMER_VIEW, order),
            "confirmed": order.confirmation_status == ConfirmationStatus.CONFIRMED,
            "cancelled": order.status == OrderStatus.CANCELLED,
            "form": form,
        },
    )


@login_not_required
@require_GET
def confirm_public_pdf(request: HttpRequest, token: str) -> HttpResponse:
    try:
        order = confirmation.order_for_token(token)
        pdf = confirmation.confirmation_document(order)
    except DomainError as error:
        raise Http404(str(error.message)) from error
    return pdf_response(pdf, order)


# --- staff pages --------------------------------------------------------------------------------


@require_GET
def confirmation_pdf(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    try:
        pdf = confirmation.confirmation_document(order)
    except DomainError as error:
        refuse_or_flash(request, error)
        return htmx.redirect(request, order_url(order))
    return pdf_response(pdf, order)


@require_POST
def send_confirmation(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    try:
        sent = confirmation.send_confirmation(order, by=request.user)
    except DomainError as error:
        refuse_or_flash(request, error)
    else:
        messages.success(
            request,
            _("Order confirmation sent to %(to)s; the answer is due %(due)s.")
            % {
                "to": ", ".join(confirmation.recipients(sent)),
                "due": sent.confirmation_due_on.isoformat() if sent.confirmation_due_on else "",
            },
        )
    return htmx.redirect(request, order_url(order, "release"))


def record_confirmation(request: HttpRequest, order_id: int) -> HttpResponse:
    """Customer service records the customer's answer: the signed copy, or a note."""
    order = order_or_404(request.user, order_id)
    if not permissions.has(request.user, ENTER):
        raise PermissionDenied
    form = RecordConfirmationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        upload, note = form.cleaned_data["file"], form.cleaned_data["note"]
        try:
            if upload:
                confirmation.record_signed_copy(order, file=upload, by=request.user, note=note)
            else:
                confirmation.record_confirmation(order, by=request.user, note=note)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request,
                _("Order %(number)s is confirmed by the customer.") % {"number": order.number},
            )
            return htmx.redirect(request, order_url(order, "release"))
    return render(request, "orders/confirmation_record.html", {"order": order, "form": form})


@require_POST
def release_order(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    try:
        releasing.release(order, by=request.user)
    except DomainError as error:
        refuse_or_flash(request, error)
    else:
        messages.success(request, _("Order %(number)s released.") % {"number": order.number})
    return htmx.redirect(request, order_url(order, "release"))


def add_follow_up(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    if not permissions.has(request.user, ENTER):
        raise PermissionDenied
    missing = checks.missing_items(order, list(order.lines.all()))
    form = FollowUpForm(request.POST if request.method == "POST" else None, missing=missing)
    if request.method == "POST" and form.is_valid():
        items, note = form.values()
        try:
            follow_up = followups.log_follow_up(order, items=items, note=note, by=request.user)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request,
                _("Follow-up logged; the answer is due %(due)s.")
                % {"due": follow_up.due_on.isoformat()},
            )
            return htmx.redirect(request, order_url(order, "order-follow-ups"))
    return render(request, "orders/followup_form.html", {"order": order, "form": form})


@require_POST
def resolve_follow_up(request: HttpRequest, order_id: int, follow_up_id: int) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    try:
        follow_up = followups.follow_up_for(request.user, order, follow_up_id)
        followups.resolve_follow_up(follow_up, by=request.user, note=request.POST.get("note", ""))
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        refuse_or_flash(request, error)
    else:
        messages.success(request, _("Follow-up resolved."))
    return htmx.redirect(request, order_url(order, "order-follow-ups"))


def add_attachment(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    if not attachments.may_attach(request.user):
        raise PermissionDenied
    form = AttachmentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            attachments.add_attachment(
                order,
                file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                by=request.user,
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("File attached."))
            return htmx.redirect(request, order_url(order, "order-attachments"))
    return render(request, "orders/attachment_form.html", {"order": order, "form": form})


@require_GET
def attachment(request: HttpRequest, order_id: int, attachment_id: int) -> FileResponse:
    """An order's file, only for users who may see the order."""
    order = order_or_404(request.user, order_id)
    stored = order.attachments.filter(pk=attachment_id).first()
    if stored is None:
        raise Http404
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=stored.filename)


# --- the panel on the order page --------------------------------------------------------------


def panel_context(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    """What ``orders/confirmation_panel.html`` shows on the order page; the actions are
    offered to those who may take them (the services check again)."""
    user = request.user
    status = order.status
    approved_or_later = status not in confirmation.BEFORE_APPROVAL
    may_enter = permissions.has(user, ENTER)
    releasable = lifecycle.allowed(status, OrderStatus.RELEASED) and status in (
        OrderStatus.APPROVED,
        OrderStatus.AWAITING_CONFIRMATION,
    )
    blockers = releasing.release_blockers(order) if releasable else {}
    open_confirmation = order.confirmation_status == ConfirmationStatus.SENT
    deposit = releasing.deposit_required(order)
    received = releasing.deposit_received(order) if deposit > 0 else Decimal(0)
    return {
        "order": order,
        "grade": releasing.credit_grade(order),
        "approved_or_later": approved_or_later,
        "deposit_required": yuan(deposit),
        "has_deposit": deposit > 0,
        "deposit_received": yuan(received),
        "deposit_short": deposit > 0 and received < deposit,
        "blockers": [message for _code, message in blockers.values()],
        "recipients": confirmation.recipients(order) if approved_or_later else [],
        "can": {
            "send": may_enter
            and order.confirmation_status != ConfirmationStatus.CONFIRMED
            and (status == OrderStatus.APPROVED or (open_confirmation and status != "cancelled")),
            "resend": open_confirmation,
            "record": may_enter
            and approved_or_later
            and order.confirmation_status != ConfirmationStatus.CONFIRMED,
            "upload_signed": may_enter and approved_or_later,
            "release": permissions.has(user, RELEASE) and releasable,
            "follow_up": may_enter and status not in followups.CLOSED,
            "attach": attachments.may_attach(user) and status != OrderStatus.CANCELLED,
            "pdf": approved_or_later,
        },
        "follow_ups": list(
            order.follow_ups.select_related("created_by", "resolved_by").order_by(
                "resolved_at", "due_on"
            )
        ),
        "attachments": list(order.attachments.select_related("uploaded_by")),
        "today": timezone.localdate(),
    }


urlpatterns: list[URLPattern] = [
    path("confirm/<str:token>/", confirm_public, name="confirm_public"),
    path("confirm/<str:token>/confirmation.pdf", confirm_public_pdf, name="confirm_public_pdf"),
    path("<int:order_id>/confirmation.pdf", confirmation_pdf, name="confirmation_pdf"),
    path("<int:order_id>/confirmation/send", send_confirmation, name="send_confirmation"),
    path("<int:order_id>/confirmation/record", record_confirmation, name="record_confirmation"),
    path("<int:order_id>/release", release_order, name="release"),
    path("<int:order_id>/follow-ups/add", add_follow_up, name="add_follow_up"),
    path(
        "<int:order_id>/follow-ups/<int:follow_up_id>/resolve",
        resolve_follow_up,
        name="resolve_follow_up",
    ),
    path("<int:order_id>/attachments/add", add_attachment, name="add_attachment"),
    path("<int:order_id>/attachments/<int:attachment_id>", attachment, name="attachment"),
]

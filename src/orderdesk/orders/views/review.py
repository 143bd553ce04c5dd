"""What the order page's buttons post to: approve or reject a review step, submit, cancel,
hold and resume.

Each dialog also works as a small page of its own (GET shows the form, POST acts), so it
needs no JavaScript and "My tasks" can link straight to it. A refusal of the service is
shown on the form (or, for submit, on the order page with every missing item); a hidden or
missing order is a 404, never a 500.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from orderdesk.core import htmx
from orderdesk.core.errors import DomainError, NotFound, ValidationFailed

from .. import services
from ..forms import ApproveForm, ReasonForm
from ..models import Order, ReviewStep, Step, StepStatus
from .detail import order_or_404, render_page

CREDIT_EXCEPTION_INTRO = gettext_lazy(
    "The order exceeds the customer's credit: approving it is an exception and needs a reason."
)


def order_url(order: Order) -> str:
    return reverse("orders:detail", args=[order.pk])


def back_to(request: HttpRequest, order: Order) -> str:
    """Where to go after acting: the safe ``next`` (e.g. My tasks), else the order page."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return order_url(order)


def place_error(form: forms.BaseForm, error: DomainError) -> None:
    """The service's message on top, and each field's on the field it names."""
    if isinstance(error, NotFound):
        raise Http404(str(error.message)) from error
    form.add_error(None, str(error.message))
    for name, message in error.fields.items():
        if name in form.fields:
            form.add_error(name, message)
        elif name != "step":
            form.add_error(None, message)


def error_status(error: DomainError) -> int:
    """A form shown again for bad input is a normal page; a refusal keeps its status."""
    return 200 if isinstance(error, ValidationFailed) else error.status


def dialog(
    request: HttpRequest,
    order: Order,
    form: forms.BaseForm,
    *,
    title: str,
    action: str,
    button: str,
    danger: bool = False,
    intro: Any = "",
    step: ReviewStep | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "orders/action_dialog.html",
        {
            "order": order,
            "form": form,
            "title": title,
            "action": action,
            "button": button,
            "danger": danger,
            "intro": intro,
            "step": step,
            "row": {"step": step},
            "next": back_to(request, order),
        },
        status=status,
    )


# --- review decisions ---------------------------------------------------------------------


def step_of(order: Order, step_name: str) -> ReviewStep:
    """The step of the order's current round (404 for a name the order does not have)."""
    if step_name not in Step.values:
        raise Http404
    step = order.reviews.filter(round=order.review_round, step=step_name).first()
    if step is None:
        raise Http404
    return step


def is_credit_blocked(step: ReviewStep) -> bool:
    return step.step == Step.FINANCE and bool(
        (step.findings or {}).get("credit", {}).get("blocked")
    )


@require_http_methods(["GET", "POST"])
def approve(request: HttpRequest, order_id: int, step: str) -> HttpResponse:
    """Approve a review step: production enters the earliest completion date, finance a
    reason when it lets a credit-blocked order pass."""
    order = order_or_404(request.user, order_id)
    review = step_of(order, step)
    blocked = is_credit_blocked(review)
    form = ApproveForm(
        request.POST if request.method == "POST" else None, step=step, credit_blocked=blocked
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.decide(
                order,
                step,
                approve=True,
                by=request.user,
                comment=form.cleaned_data["reason"],
                decision=form.decision(),
            )
        except DomainError as error:
            place_error(form, error)
            status = error_status(error)
        else:
            review.refresh_from_db()
            if review.status == StepStatus.APPROVED:
                messages.success(
                    request,
                    _("{step} of order {number} approved.").format(
                        step=Step(step).label, number=order.number
                    ),
                )
            else:
                messages.success(
                    request,
                    _(
                        "The credit exception of order {number} needs the general manager's "
                        "approval; it is now in their queue."
                    ).format(number=order.number),
                )
            return htmx.redirect(request, back_to(request, order))
    return dialog(
        request,
        order,
        form,
        title=_("Approve the {step}").format(step=Step(step).label),
        action=reverse("orders:approve", args=[order.pk, step]),
        button=_("Approve"),
        intro=CREDIT_EXCEPTION_INTRO if blocked else "",
        step=review,
        status=status,
    )


@require_http_methods(["GET", "POST"])
def reject(request: HttpRequest, order_id: int, step: str) -> HttpResponse:
    """Reject a review step with a reason: the order goes back to sales with it."""
    order = order_or_404(request.user, order_id)
    review = step_of(order, step)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.decide(
                order, step, approve=False, by=request.user, comment=form.cleaned_data["reason"]
            )
        except DomainError as error:
            place_error(form, error)
            status = error_status(error)
        else:
            messages.success(
                request,
                _("Order {number} was returned to sales.").format(number=order.number),
            )
            return htmx.redirect(request, back_to(request, order))
    return dialog(
        request,
        order,
        form,
        title=_("Reject the {step}").format(step=Step(step).label),
        action=reverse("orders:reject", args=[order.pk, step]),
        button=_("Reject"),
        danger=True,
        intro=_("The order goes back to sales with your reason."),
        step=review,
        status=status,
    )


# --- status changes -----------------------------------------------------------------------


@require_POST
def submit(request: HttpRequest, order_id: int) -> HttpResponse:
    """Send the order to review; a refusal lists every missing item on the order page."""
    order = order_or_404(request.user, order_id)
    try:
        services.submit(order, by=request.user)
    except DomainError as error:
        if isinstance(error, NotFound):
            raise Http404 from error
        return render_page(request, order, submit_error=error, status=error_status(error))
    messages.success(
        request, _("Order {number} was submitted for review.").format(number=order.number)
    )
    return htmx.redirect(request, order_url(order))


def status_change(
    request: HttpRequest,
    order_id: int,
    *,
    act: Any,
    name: str,
    title: str,
    button: str,
    done: str,
    danger: bool = False,
    intro: str = "",
) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            act(order, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            place_error(form, error)
            status = error_status(error)
        else:
            messages.success(request, done.format(number=order.number))
            return htmx.redirect(request, back_to(request, order))
    return dialog(
        request,
        order,
        form,
        title=title,
        action=reverse(name, args=[order.pk]),
        button=button,
        danger=danger,
        intro=intro,
        status=status,
    )


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    return status_change(
        request,
        order_id,
        act=services.cancel,
        name="orders:cancel",
        title=_("Cancel the order"),
        button=_("Cancel the order"),
        done=_("Order {number} was cancelled."),
        danger=True,
        intro=_("Stock held for the order is released. This cannot be undone."),
    )


@require_http_methods(["GET", "POST"])
def hold(request: HttpRequest, order_id: int) -> HttpResponse:
    return status_change(
        request,
        order_id,
        act=services.hold,
        name="orders:hold",
        title=_("Put the order on hold"),
        button=_("Put on hold"),
        done=_("Order {number} is on hold."),
        intro=_("Review steps keep their state; resume the order to continue."),
    )


@require_http_methods(["GET", "POST"])
def resume(request: HttpRequest, order_id: int) -> HttpResponse:
    return status_change(
        request,
        order_id,
        act=services.resume,
        name="orders:resume",
        title=_("Resume the order"),
        button=_("Resume"),
        done=_("Order {number} was resumed."),
    )


urlpatterns = [
    path("<int:order_id>/reviews/<str:step>/approve", approve, name="approve"),
    path("<int:order_id>/reviews/<str:step>/reject", reject, name="reject"),
    path("<int:order_id>/submit", submit, name="submit"),
    path("<int:order_id>/cancel", cancel, name="cancel"),
    path("<int:order_id>/hold", hold, name="hold"),
    path("<int:order_id>/resume", resume, name="resume"),
]

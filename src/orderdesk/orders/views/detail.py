"""The order page (订单详情): header with status and this user's next action, the
missing-information checklist of a draft, lines, the review steps of the current round with
who/when/time left and findings, confirmation status, follow-ups, attachments and history.

Other apps (and the confirmation pages) add sections through the panel slot
``"orders.order"`` (``core.panels``); when a panel is registered it replaces the page's own
read-only confirmation, follow-up and attachment lists (the confirmation panel shows them
with their actions). The review, submit, cancel, hold and resume forms post to
``views/review.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from orderdesk.core import audit, panels, permissions, workcalendar, worklist
from orderdesk.core.errors import DomainError, NotFound

from .. import checks, lifecycle, selectors
from ..forms import ApproveForm, ReasonForm
from ..models import Order, OrderLine, OrderStatus, ReviewStep, Step, StepStatus
from ..services.review import may_decide

ENTER, CANCEL = "orders.enter_orders", "orders.cancel_orders"
TIMELINE_LIMIT = 200
PANEL_SLOT = "orders.order"


def order_or_404(user: Any, order_id: Any) -> Order:
    """The order if this user may see it; missing and hidden are the same 404."""
    try:
        return selectors.order_for(user, int(order_id))
    except (NotFound, TypeError, ValueError) as error:
        raise Http404(str(getattr(error, "message", ""))) from error


@dataclass
class StepRow:
    """One review step as the page shows it."""

    step: ReviewStep
    label: str
    time_left: str
    overdue: bool
    can_decide: bool
    credit_blocked: bool
    approve_form: ApproveForm | None = None
    reject_form: ReasonForm | None = None


def step_rows(user: Any, steps: list[ReviewStep]) -> list[StepRow]:
    calendar = workcalendar.current() if any(step.due_at for step in steps) else None
    now = timezone.now()
    rows = []
    for step in steps:
        pending = step.status == StepStatus.PENDING
        time_left, overdue = "", False
        if pending and step.due_at is not None and calendar is not None:
            overdue = step.due_at < now
            span = calendar.working_hours_between(now, step.due_at)
            time_left = worklist.working_time_label(span, overdue=overdue)
        can_decide = pending and may_decide(user, step)
        blocked = step.step == Step.FINANCE and bool(
            (step.findings or {}).get("credit", {}).get("blocked")
        )
        row = StepRow(
            step=step,
            label=str(Step(step.step).label),
            time_left=time_left,
            overdue=overdue,
            can_decide=can_decide,
            credit_blocked=blocked,
        )
        if can_decide:
            row.approve_form = ApproveForm(
                step=step.step, credit_blocked=blocked, auto_id=f"id_{step.step}_approve_%s"
            )
            row.reject_form = ReasonForm(auto_id=f"id_{step.step}_reject_%s")
        rows.append(row)
    return rows


def actions_for(user: Any, order: Order) -> dict[str, bool]:
    """What the buttons offer; the services check again (and decide)."""
    status = order.status
    may_enter = permissions.has(user, ENTER)
    may_cancel = permissions.has(user, CANCEL)
    return {
        "edit": may_enter and status in lifecycle.EDITABLE,
        "submit": may_enter and status in lifecycle.EDITABLE,
        "cancel": may_cancel and lifecycle.allowed(status, OrderStatus.CANCELLED),
        "hold": may_cancel and lifecycle.allowed(status, OrderStatus.ON_HOLD),
        "resume": may_cancel and status == OrderStatus.ON_HOLD,
    }


def next_action(
    order: Order, actions: dict[str, bool], rows: list[StepRow], missing: dict[str, str]
) -> str:
    """One sentence: what this user should do next with the order, or whom it waits for."""
    status = order.status
    if decide := [row.label for row in rows if row.can_decide]:
        return _("Decide the {step}: approve or reject it.").format(step=", ".join(decide))
    if actions["submit"]:
        if missing:
            return _("Complete the missing information, then submit the order for review.")
        if status == OrderStatus.RETURNED:
            return _("Amend the order as the reviewer asked, then submit it again.")
        return _("Submit the order for review.")
    if status in lifecycle.EDITABLE:
        return _("Waiting for the salesperson to complete and submit the order.")
    if status == OrderStatus.IN_REVIEW:
        waiting = [row.label for row in rows if row.step.status == StepStatus.PENDING]
        return _("Waiting for: {steps}.").format(steps=", ".join(waiting) or "—")
    if status == OrderStatus.APPROVED:
        return _("Approved; next the customer confirmation and the release.")
    if status == OrderStatus.AWAITING_CONFIRMATION:
        return _("Waiting for the customer's confirmation.")
    if status == OrderStatus.ON_HOLD:
        return (
            _("On hold; resume the order when it may continue.")
            if actions["resume"]
            else _("On hold.")
        )
    if status == OrderStatus.CANCELLED:
        return _("Cancelled; nothing more to do.")
    if status == OrderStatus.COMPLETED:
        return _("Completed.")
    return str(OrderStatus(status).label)


def page_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    user = request.user
    lines: list[OrderLine] = list(order.lines.select_related("product").order_by("line_no"))
    steps = selectors.current_steps(order)
    rows = step_rows(user, steps)
    missing = checks.missing_items(order, lines) if order.status in lifecycle.EDITABLE else {}
    actions = actions_for(user, order)
    rejected = next((row for row in rows if row.step.status == StepStatus.REJECTED), None)
    return {
        "order": order,
        "lines": lines,
        "steps": rows,
        "missing": missing,
        "actions": actions,
        "next_action": next_action(order, actions, rows, missing),
        "rejected": rejected,
        "editable": order.status in lifecycle.EDITABLE,
        "entries": audit.entries_for(order)[:TIMELINE_LIMIT],
        "panels": panels.render(request, PANEL_SLOT, order),
        "reason_form": ReasonForm(auto_id="id_status_%s"),
    }


def render_page(
    request: HttpRequest,
    order: Order,
    *,
    submit_error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    """The order page; ``submit_error`` lists what a refused submission lacked."""
    context = page_context(request, order)
    if submit_error is not None:
        context["submit_error"] = submit_error
        context["submit_problems"] = list(submit_error.fields.values())
    return render(request, "orders/detail.html", context, status=status)


@require_GET
def detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    return render_page(request, order)


urlpatterns = [
    path("<int:order_id>/", detail, name="detail"),
]

"""Submitting an order and its multi-department review (订单审核).

``submit`` checks completeness (every missing item listed), prices and products, then
creates the review steps the order needs: sales first, then price approval (when a price
needs authority), finance, warehouse and production/technical (when a line is
make-to-order, custom, short of stock or wanted before its lead time) — in parallel or in
sequence per the company setting. Each step is due a number of working hours after it
starts. ``decide`` approves or rejects one step, exactly once (the order row is locked);
a rejection returns the order to sales with the reason. A resubmission carries over the
approvals whose inputs did not change. ``escalate_overdue`` (a background job) tells the
supervisors of the approvers about late steps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from orderdesk.accounts.selectors import role_names
from orderdesk.core import audit, permissions, workcalendar
from orderdesk.core.errors import Conflict, NotAllowed, ValidationFailed
from orderdesk.core.reasons import require_reason
from orderdesk.inventory import services as stock
from orderdesk.inventory.errors import InsufficientStock

from .. import checks, lifecycle, selectors
from ..models import Order, OrderLine, OrderStatus, ReviewStep, Step, StepStatus
from .drafts import ENTER, system_or

STEP_PERMISSION: dict[str, str] = {
    Step.SALES: "orders.review_sales",
    Step.FINANCE: "orders.review_finance",
    Step.WAREHOUSE: "orders.review_warehouse",
    Step.PRODUCTION: "orders.review_production",
}
STEP_ROLE: dict[str, str] = {
    Step.SALES: "sales_manager",
    Step.FINANCE: "finance",
    Step.WAREHOUSE: "warehouse",
    Step.PRODUCTION: "production",
}
CREDIT_EXCESS = "orders.approve_credit_excess"
GENERAL_MANAGER = "general_manager"
SEQUENCE = (Step.PRICING, Step.FINANCE, Step.WAREHOUSE, Step.PRODUCTION)


def lines_of(order: Order) -> list[OrderLine]:
    return list(order.lines.select_related("product").order_by("line_no"))


def submit(order: Order | int, *, by: Any) -> Order:
    """Send a draft or returned order (or the order with that id) to review; refuses with
    every missing item listed. The order is locked and its visibility checked in one read,
    so callers need not load it first."""
    permissions.require(by, ENTER)
    settings = selectors.review_settings()
    with transaction.atomic():
        locked = selectors.lock_visible_order(by, order if isinstance(order, int) else order.pk)
        if not lifecycle.allowed(locked.status, OrderStatus.IN_REVIEW):
            lifecycle.move(locked, OrderStatus.IN_REVIEW, by=by)  # raises the clear 409
        lines = lines_of(locked)
        check_submittable(locked, lines)
        found = checks.findings(locked, lines, settings)
        previous = (
            {step.step: step for step in selectors.current_steps(locked)}
            if locked.review_round
            else {}
        )
        locked.review_round += 1
        lifecycle.move(
            locked, OrderStatus.IN_REVIEW, by=by, action="order_submitted", also=["review_round"]
        )
        steps = create_steps(locked, lines, found, previous, settings)
        if all(step.status == StepStatus.APPROVED for step in steps):
            approve_order(locked, steps, by=by)
    return locked


def check_submittable(order: Order, lines: list[OrderLine]) -> None:
    missing = checks.missing_items(order, lines)
    problems = {field: _("Missing: {item}").format(item=item) for field, item in missing.items()}
    today = timezone.localdate()
    if order.requested_date and order.requested_date < today:
        problems["requested_date"] = _("The requested date is in the past.")
    for line in lines:
        if not line.product.orderable:
            problems[f"lines.{line.line_no - 1}.sku"] = _(
                "{sku} cannot be ordered (inactive or prohibited)."
            ).format(sku=line.sku)
    if problems:
        raise ValidationFailed(
            _("The order is incomplete; ask the customer for the missing items."),
            code="order_incomplete",
            fields=problems,
        )


def create_steps(
    order: Order,
    lines: list[OrderLine],
    found: checks.Findings,
    previous: Mapping[str, ReviewStep],
    settings: Any,
) -> list[ReviewStep]:
    now = timezone.now()
    steps = []
    for step in found.steps(settings):
        if step == Step.SALES:
            stage = 0 if settings.sales_first else 1
        elif settings.parallel:
            stage = 1
        else:
            stage = 1 + SEQUENCE.index(step)
        checked = checks.digest(order, lines, step)
        role = found.price_role if step == Step.PRICING else STEP_ROLE[step]
        before = previous.get(step)
        carried = (
            before is not None
            and before.status == StepStatus.APPROVED
            and before.checked == checked
            and before.role == role
        )
        steps.append(
            ReviewStep(
                order=order,
                round=order.review_round,
                step=step,
                stage=stage,
                role=role,
                checked=checked,
                findings=step_findings(step, found),
                status=StepStatus.APPROVED if carried else StepStatus.WAITING,
                carried_over=carried,
                decided_at=before.decided_at if carried and before else None,
                decided_by=before.decided_by if carried and before else None,
                decision=before.decision if carried and before else {},
                comment=before.comment if carried and before else "",
                started_at=now if carried else None,
            )
        )
    start_next_stage(steps)
    ReviewStep.objects.bulk_create(steps)  # the first stage's steps already started
    return steps


def step_findings(step: str, found: checks.Findings) -> dict[str, Any]:
    if step == Step.FINANCE:
        return {"credit": found.credit}
    if step == Step.WAREHOUSE:
        return {"short": found.short_lines}
    if step == Step.PRODUCTION:
        return {
            "late": found.late_lines,
            "short": found.short_lines,
            "custom": found.custom_lines,
            "make_to_order": found.made_to_order,
        }
    if step == Step.PRICING:
        return {"role": found.price_role}
    return {}


def advance(order: Order, *, by: Any) -> None:
    """Start the next stage when the current one has passed; approve the order when all
    steps have."""
    steps = selectors.current_steps(order)
    if all(step.status == StepStatus.APPROVED for step in steps):
        approve_order(order, steps, by=by)
        return
    for step in start_next_stage(steps):
        step.save(update_fields=["status", "started_at", "due_at"])


def start_next_stage(steps: list[ReviewStep]) -> list[ReviewStep]:
    """Mark the waiting steps of the first stage not yet passed as pending, due a number of
    working hours from now (unsaved); returns them."""
    open_stages = [step.stage for step in steps if step.status != StepStatus.APPROVED]
    if not open_stages:
        return []
    stage = min(open_stages)
    settings = selectors.review_settings()
    now = timezone.now()
    started = [step for step in steps if step.stage == stage and step.status == StepStatus.WAITING]
    for step in started:
        step.status = StepStatus.PENDING
        step.started_at = now
        step.due_at = workcalendar.add_working_hours(now, settings.hours_for(step.step))
    return started


def approve_order(order: Order, steps: list[ReviewStep], *, by: Any) -> None:
    lines = lines_of(order)
    if not any(step.step == Step.WAREHOUSE for step in steps):
        # Without a warehouse step (company setting) stock is held when the order passes.
        audit.record(
            order,
            "stock_reserved_on_approval",
            by=by,
            changes={"reservations": (None, reserve_lines(order, by=by))},
        )
    production = next((step for step in steps if step.step == Step.PRODUCTION), None)
    completion = None
    if production is not None and production.decision.get("earliest_completion"):
        completion = parse_date(production.decision["earliest_completion"])
    before = order.promised_date
    order.promised_date = checks.earliest_promise(order, lines, completion)
    order.save(update_fields=["promised_date"])
    sales = next((step for step in steps if step.step == Step.SALES), None)
    lifecycle.move(
        order,
        OrderStatus.APPROVED,
        by=by,
        action="order_approved",
        reason=_("Signed off by {name}").format(name=audit.actor_label(sales.decided_by))
        if sales is not None and sales.decided_by
        else "",
    )
    if before != order.promised_date:
        audit.record(
            order,
            "promised_date_set",
            by=by,
            changes={"promised_date": (before, order.promised_date)},
        )


def may_decide(user: Any, step: ReviewStep) -> bool:
    if step.step == Step.PRICING or step.role == GENERAL_MANAGER:
        if getattr(user, "is_system", False):
            return True
        names = set(role_names(user))
        return step.role in names or GENERAL_MANAGER in names
    return permissions.has(user, STEP_PERMISSION[step.step])


def decide(
    order: Order,
    step_name: str,
    *,
    approve: bool,
    by: Any,
    comment: str = "",
    decision: Mapping[str, Any] | None = None,
) -> ReviewStep:
    """Approve or reject the pending ``step_name`` of ``order`` — once.

    ``decision`` carries what the department enters: ``earliest_completion`` (a date;
    required to approve the production step) and, for a credit-blocked finance step,
    ``credit_exception`` with ``comment`` as its reason.
    """
    decision = dict(decision or {})
    if step_name not in Step.values:
        raise ValidationFailed(
            _("Unknown review step."), code="unknown_step", fields={"step": step_name}
        )
    with transaction.atomic():
        locked = selectors.lock_order(order.pk)
        if locked.status != OrderStatus.IN_REVIEW:
            raise Conflict(
                _("The order is {status}, not in review.").format(
                    status=OrderStatus(locked.status).label
                ),
                code="not_in_review",
            )
        step = (
            ReviewStep.objects.select_for_update()
            .filter(order=locked, round=locked.review_round, step=step_name)
            .first()
        )
        if step is None:
            raise ValidationFailed(
                _("This order has no {step}.").format(step=Step(step_name).label),
                code="unknown_step",
                fields={"step": step_name},
            )
        if step.status != StepStatus.PENDING:
            raise Conflict(
                _("The {step} is already {status}.").format(
                    step=Step(step_name).label, status=StepStatus(step.status).label
                )
                if step.status != StepStatus.WAITING
                else _("The {step} waits for an earlier step.").format(step=Step(step_name).label),
                code="step_already_decided"
                if step.status != StepStatus.WAITING
                else "step_waiting",
            )
        if not may_decide(by, step):
            raise NotAllowed(
                _("Only {role} may decide the {step}.").format(
                    role=step.role, step=Step(step_name).label
                ),
                code="permission_denied",
            )
        if approve:
            finished = approve_step(locked, step, by=by, comment=comment, decision=decision)
        else:
            reject_step(locked, step, by=by, reason=comment)
            finished = True
        if finished and approve:
            advance(locked, by=by)
    return step


def approve_step(
    order: Order, step: ReviewStep, *, by: Any, comment: str, decision: dict[str, Any]
) -> bool:
    """Record the approval; ``False`` when the step still needs a second approver."""
    recorded: dict[str, Any] = {}
    if step.step == Step.PRODUCTION:
        day = decision.get("earliest_completion")
        parsed = day if isinstance(day, dt.date) else parse_date(str(day or ""))
        if parsed is None:
            raise ValidationFailed(
                _("Enter the earliest completion date (a date, not free text)."),
                code="completion_date_required",
                fields={"earliest_completion": _("Required, e.g. 2026-12-31.")},
            )
        if parsed < timezone.localdate():
            raise ValidationFailed(
                _("The completion date is in the past."),
                fields={"earliest_completion": _("Enter today or a later date.")},
            )
        recorded["earliest_completion"] = parsed.isoformat()
    if step.step == Step.FINANCE and step.findings.get("credit", {}).get("blocked"):
        credit = step.findings["credit"]
        reason = require_reason(comment)
        excess = Decimal(credit["excess"])
        settings = selectors.review_settings()
        if (
            step.role != GENERAL_MANAGER
            and excess > settings.gm_credit_excess
            and not permissions.has(by, CREDIT_EXCESS)
        ):
            # A first approver cannot carry an order that needs a second: hand it up.
            step.decision = {"finance_exception_by": by.pk, "finance_reason": reason}
            step.role = GENERAL_MANAGER
            step.save(update_fields=["decision", "role"])
            audit.record(
                order,
                "credit_exception_escalated",
                by=by,
                changes={"step": (None, step.step), "excess": (None, credit["excess"])},
                reason=reason,
            )
            return False
        recorded["credit_exception"] = True
    if step.step == Step.WAREHOUSE:
        recorded["reservations"] = reserve_lines(order, by=by)
    step.status = StepStatus.APPROVED
    step.decided_by = by
    step.decided_at = timezone.now()
    step.comment = (comment or "").strip()[:1000]
    step.decision = {**step.decision, **recorded}
    step.save(update_fields=["status", "decided_by", "decided_at", "comment", "decision"])
    audit.record(
        order,
        f"review_{step.step}_approved",
        by=by,
        changes={"step": (None, step.step), **{k: (None, v) for k, v in recorded.items()}},
        reason=step.comment,
    )
    return True


def reserve_lines(order: Order, *, by: Any) -> list[dict[str, Any]]:
    """The warehouse's approval holds stock for every stock line it can; a shortfall is
    recorded with the restock date (production or purchasing covers it). All lines in one
    go (``stock.reserve_many``): a 1,000-line order costs a few queries, not a few each."""
    lines = [line for line in lines_of(order) if line.product.supply != "make_to_order"]
    outcomes = stock.reserve_many(
        [stock.Wanted(line.product, line.quantity, line.reference, source=line) for line in lines],
        by=system_or(by),
    )
    results = []
    for line, outcome in zip(lines, outcomes, strict=True):
        if isinstance(outcome, InsufficientStock):
            results.append(
                {
                    "line": line.line_no,
                    "short": str(line.quantity),
                    "available": str(outcome.available),
                    "restock_on": str(outcome.restock_on),
                }
            )
        elif isinstance(outcome, Conflict):
            results.append({"line": line.line_no, "reserved": "already"})
        else:
            results.append({"line": line.line_no, "reserved": str(line.quantity)})
    return results


def reject_step(order: Order, step: ReviewStep, *, by: Any, reason: str) -> None:
    reason = require_reason(reason)
    now = timezone.now()
    step.status = StepStatus.REJECTED
    step.decided_by = by
    step.decided_at = now
    step.comment = reason
    step.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    ReviewStep.objects.filter(
        order=order, round=order.review_round, status__in=(StepStatus.WAITING, StepStatus.PENDING)
    ).update(status=StepStatus.SUPERSEDED)
    lifecycle.move(
        order, OrderStatus.RETURNED, by=by, reason=reason, action=f"review_{step.step}_rejected"
    )


def escalate_overdue(*, now: dt.datetime | None = None, by: Any = None) -> int:
    """Tell the supervisors of a late step's approvers (once per step); returns how many."""
    from orderdesk.accounts.selectors import system_user

    now = now or timezone.now()
    by = by or system_user()
    user_model = get_user_model()
    count = 0
    late = selectors.pending_steps().filter(due_at__lt=now, escalated_at__isnull=True)
    for step in late:
        approvers = user_model.objects.filter(groups__name=step.role, is_active=True)
        supervisors = list(
            user_model.objects.filter(
                pk__in=approvers.exclude(supervisor=None).values("supervisor"), is_active=True
            ).order_by("pk")
        )
        if not supervisors:
            supervisors = list(
                user_model.objects.filter(groups__name=GENERAL_MANAGER, is_active=True).order_by(
                    "pk"
                )
            )
        with transaction.atomic():
            locked = ReviewStep.objects.select_for_update().get(pk=step.pk)
            if locked.status != StepStatus.PENDING or locked.escalated_at is not None:
                continue
            locked.escalated_at = now
            locked.escalated_to = supervisors[0] if supervisors else None
            locked.save(update_fields=["escalated_at", "escalated_to"])
            audit.record(
                step.order,
                "review_escalated",
                by=by,
                changes={
                    "step": (None, step.step),
                    "escalated_to": (None, str(locked.escalated_to or "")),
                },
            )
            recipients = [user.email for user in supervisors if user.email]
            if recipients:
                transaction.on_commit(partial(notify_overdue, step, recipients))
        count += 1
    return count


def notify_overdue(step: ReviewStep, recipients: list[str]) -> None:
    order = step.order
    due = timezone.localtime(step.due_at).strftime("%Y-%m-%d %H:%M") if step.due_at else ""
    send_mail(
        _("Overdue review: order {number}").format(number=order.number),
        _("The {step} of order {number} ({customer}) was due {due} and is still open.").format(
            step=Step(step.step).label, number=order.number, customer=order.customer.name, due=due
        ),
        None,
        recipients,
        fail_silently=True,
    )

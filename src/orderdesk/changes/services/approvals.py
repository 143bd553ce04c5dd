"""The departments' decisions on a change request (变更审批), and the escalation of late ones.

Each department decides once (its approval row is locked; a second decision is a 409
``already_decided``); the last approval makes the request approved, ready to be applied; a
rejection (with a reason) rejects the whole request. A finance approval despite a blocked
credit check needs a reason, as in the order review; above what finance may approve alone
the approval belongs to the general manager. ``escalate_overdue`` (a background job) tells
the supervisors of the approvers of late approvals, once per approval.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.roles import role_label
from orderdesk.core import audit
from orderdesk.core.errors import Conflict, NotAllowed, ValidationFailed
from orderdesk.core.reasons import require_reason
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.services.review import GENERAL_MANAGER

from .. import routing, selectors
from ..models import ApprovalStatus, ChangeApproval, ChangeRequest, ChangeStatus, Department


def approve_change(
    request: ChangeRequest, department: str, *, by: Any, note: str = ""
) -> ChangeRequest:
    """Approve for ``department``; the last approval approves the request."""
    return decide(request, department, approve=True, by=by, note=note)


def reject_change(
    request: ChangeRequest, department: str, *, by: Any, reason: str
) -> ChangeRequest:
    """Reject for ``department`` (reason required): the request is rejected."""
    return decide(request, department, approve=False, by=by, note=reason)


def decide(
    request: ChangeRequest, department: str, *, approve: bool, by: Any, note: str
) -> ChangeRequest:
    if department not in Department.values:
        raise ValidationFailed(
            _("Unknown department."), code="unknown_department", fields={"department": department}
        )
    note = require_reason(note) if not approve else (note or "").strip()[:1000]
    with transaction.atomic():
        order = order_selectors.lock_order(request.order_id)
        locked = selectors.lock_request(request.pk)
        if locked.status != ChangeStatus.OPEN:
            raise Conflict(
                _("Change request {number} is {status}: it is no longer decided.").format(
                    number=locked.number, status=ChangeStatus(locked.status).label
                ),
                code="change_not_open",
            )
        approval = (
            ChangeApproval.objects.select_for_update()
            .filter(request=locked, department=department)
            .first()
        )
        label = Department(department).label
        if approval is None:
            raise ValidationFailed(
                _("Change request {number} needs no approval by {department}.").format(
                    number=locked.number, department=label
                ),
                code="unknown_department",
                fields={"department": department},
            )
        if approval.status != ApprovalStatus.PENDING:
            raise Conflict(
                _("{department} already {status} change request {number}.").format(
                    department=label,
                    status=ApprovalStatus(approval.status).label.lower(),
                    number=locked.number,
                ),
                code="already_decided",
            )
        if not routing.may_decide(by, department, approval.role):
            raise NotAllowed(
                _("Only {role} may decide for {department}.").format(
                    role=role_label(approval.role), department=label
                ),
                code="permission_denied",
            )
        if approve and department == Department.FINANCE and credit_blocked(locked):
            note = require_reason(note)  # the credit exception's reason, as in the review
        now = timezone.now()
        approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
        approval.decided_by = by
        approval.decided_at = now
        approval.note = note
        approval.save(update_fields=["status", "decided_by", "decided_at", "note"])
        before = locked.status
        if not approve:
            locked.status = ChangeStatus.REJECTED
        elif not locked.approvals.exclude(status=ApprovalStatus.APPROVED).exists():
            locked.status = ChangeStatus.APPROVED
        if locked.status != before:
            locked.decided_at = now
            locked.save(update_fields=["status", "decided_at"])
        action = "change_approved" if approve else "change_rejected"
        changes: dict[str, tuple[Any, Any]] = {
            "change_request": (None, locked.number),
            "department": (None, department),
        }
        if locked.status != before:
            changes["status"] = (before, locked.status)
        audit.record(locked, action, by=by, changes=changes, reason=note)
        audit.record(order, action, by=by, changes=changes, reason=note)
    return locked


def credit_blocked(request: ChangeRequest) -> bool:
    return bool(((request.impact or {}).get("credit") or {}).get("blocked"))


def escalate_overdue(*, now: dt.datetime | None = None, by: Any = None) -> int:
    """Tell the supervisors of a late approval's approvers (else the general manager), once
    per approval; returns how many were escalated."""
    from orderdesk.accounts.selectors import system_user

    now = now or timezone.now()
    by = by or system_user()
    user_model = get_user_model()
    count = 0
    late = selectors.pending_approvals().filter(due_at__lt=now, escalated_at__isnull=True)
    for approval in late.order_by("due_at", "id"):
        approvers = user_model.objects.filter(groups__name=approval.role, is_active=True)
        supervisors = list(
            user_model.objects.filter(
                pk__in=approvers.exclude(supervisor=None).values("supervisor"), is_active=True
            ).order_by("pk")
        ) or list(
            user_model.objects.filter(groups__name=GENERAL_MANAGER, is_active=True).order_by("pk")
        )
        with transaction.atomic():
            locked = ChangeApproval.objects.select_for_update().get(pk=approval.pk)
            if locked.status != ApprovalStatus.PENDING or locked.escalated_at is not None:
                continue
            locked.escalated_at = now
            locked.escalated_to = supervisors[0] if supervisors else None
            locked.save(update_fields=["escalated_at", "escalated_to"])
            changes = {
                "change_request": (None, approval.request.number),
                "department": (None, approval.department),
                "escalated_to": (None, str(locked.escalated_to or "")),
            }
            audit.record(approval.request, "change_approval_escalated", by=by, changes=changes)
            audit.record(
                approval.request.order, "change_approval_escalated", by=by, changes=changes
            )
            recipients = [user.email for user in supervisors if user.email]
            if recipients:
                transaction.on_commit(partial(notify_overdue, locked.pk, recipients))
        count += 1
    return count


def notify_overdue(approval_id: int, recipients: list[str]) -> None:
    approval = ChangeApproval.objects.select_related(
        "request", "request__order", "request__order__customer"
    ).get(pk=approval_id)
    request, order = approval.request, approval.request.order
    due = timezone.localtime(approval.due_at).strftime("%Y-%m-%d %H:%M")
    send_mail(
        _("Overdue change approval: {number} (order {order})").format(
            number=request.number, order=order.number
        ),
        _(
            "The {department} approval of change request {number} for order {order} "
            "({customer}) was due {due} and is still open.\n\nWhy it needs {department}: {why}"
        ).format(
            department=Department(approval.department).label,
            number=request.number,
            order=order.number,
            customer=order.customer.name,
            due=due,
            why=approval.why,
        ),
        None,
        recipients,
        fail_silently=True,
    )

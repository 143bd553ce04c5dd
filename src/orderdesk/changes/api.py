"""REST endpoints of order changes, joined to /api/v1/orders (issue 8).

- ``GET /orders/{id}/changes``: the order's change requests, newest first.
- ``POST /orders/{id}/changes`` (``ChangeIn``): ask for a change → 201; 422 naming every
  refused field (``below_shipped``, ``invalid_change`` …); 409 ``order_closed``,
  ``order_fully_shipped``, ``order_not_approved``, ``change_pending``, ``stale_order``.
- ``POST /orders/{id}/changes/assess``: the impact of a proposal, nothing saved
  (``refusals`` lists what would be refused).
- ``GET /orders/{id}/changes/{c}``: one request with impact, approvals and ``actions``.
- ``POST …/{c}/approve`` ``{department, note?}``, ``…/reject`` ``{department, reason}``: one
  department's decision (403 another department; 409 ``already_decided``,
  ``change_not_open``).
- ``POST …/{c}/apply``: carry out an approved request (409 ``change_not_approved``,
  ``already_applied``, ``stale_order``; 422 ``below_shipped``).
- ``POST …/{c}/withdraw`` ``{reason}`` (409 ``change_closed``); ``POST
  …/{c}/invoices-corrected`` ``{note?}`` for finance (409 ``nothing_to_correct``,
  ``already_corrected``).
- ``GET /orders/{id}/revisions``, ``…/revisions/{n}``, ``…/revisions/diff?from=1&to=2``:
  the order's revisions and their differences (404 ``revision_not_found``).

Every endpoint fetches the order through ``orders.selectors.order_for`` (one 404 for missing
and hidden orders), calls one service and renders; errors are ``{"error": {code, message,
fields}}`` (``config/api.py``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from orderdesk.core import audit, workcalendar
from orderdesk.core.errors import NotFound
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.models import Order

from . import impact, revisions, selectors, services
from .models import (
    ApprovalStatus,
    ChangeApproval,
    ChangeRequest,
    ChangeStatus,
    Department,
    OrderRevision,
)
from .schemas import (
    AssessOut,
    ChangeIn,
    ChangeListOut,
    ChangeOut,
    DecisionIn,
    DiffOut,
    DiffQuery,
    NoteIn,
    ProposalIn,
    ReasonIn,
    RejectIn,
    RevisionDetailOut,
    RevisionListOut,
    proposal_of,
)

changes_router = Router(tags=["changes"])


# --- change requests ------------------------------------------------------------------------


@changes_router.get(
    "/{order_id}/changes", response=ChangeListOut, summary="The order's change requests"
)
def list_changes(request: HttpRequest, order_id: int) -> dict[str, Any]:
    order = order_selectors.order_for(request.user, order_id)
    items = [change_out(found, request.user, order) for found in selectors.requests_of(order)]
    return {"count": len(items), "items": items}


@changes_router.post(
    "/{order_id}/changes",
    response={201: ChangeOut},
    summary="Ask for a change of an approved or released order (订单变更申请)",
)
def create_change(request: HttpRequest, order_id: int, payload: ChangeIn) -> Status[dict[str, Any]]:
    order = order_selectors.order_for(request.user, order_id)
    created = services.create_change_request(
        order,
        by=request.user,
        party=payload.party,
        reason=payload.reason,
        reason_category=payload.reason_category,
        proposal=proposal_of(payload.proposal),
        requested_by_name=payload.requested_by_name,
        requested_at=payload.requested_at,
        version=payload.version,
    )
    return Status(201, detail(request.user, order_id, created.pk))


@changes_router.post(
    "/{order_id}/changes/assess",
    response=AssessOut,
    summary="The impact of a proposed change, without saving it",
)
def assess_change(request: HttpRequest, order_id: int, payload: ProposalIn) -> dict[str, Any]:
    order = order_selectors.order_for(request.user, order_id)
    return {"impact": impact.assess(order, proposal_of(payload), by=request.user)}


@changes_router.get(
    "/{order_id}/changes/{change_id}", response=ChangeOut, summary="One change request"
)
def get_change(request: HttpRequest, order_id: int, change_id: int) -> dict[str, Any]:
    return detail(request.user, order_id, change_id)


@changes_router.post(
    "/{order_id}/changes/{change_id}/approve",
    response=ChangeOut,
    summary="Approve for one department",
)
def approve_change(
    request: HttpRequest, order_id: int, change_id: int, payload: DecisionIn
) -> dict[str, Any]:
    found = selectors.request_for(request.user, change_id, order_id=order_id)
    services.approve_change(found, payload.department, by=request.user, note=payload.note)
    return detail(request.user, order_id, change_id)


@changes_router.post(
    "/{order_id}/changes/{change_id}/reject",
    response=ChangeOut,
    summary="Reject for one department (reason): the request is rejected",
)
def reject_change(
    request: HttpRequest, order_id: int, change_id: int, payload: RejectIn
) -> dict[str, Any]:
    found = selectors.request_for(request.user, change_id, order_id=order_id)
    services.reject_change(found, payload.department, by=request.user, reason=payload.reason)
    return detail(request.user, order_id, change_id)


@changes_router.post(
    "/{order_id}/changes/{change_id}/apply",
    response=ChangeOut,
    summary="Carry out an approved change (one transaction)",
)
def apply_change(request: HttpRequest, order_id: int, change_id: int) -> dict[str, Any]:
    found = selectors.request_for(request.user, change_id, order_id=order_id)
    services.apply_change(found, by=request.user)
    return detail(request.user, order_id, change_id)


@changes_router.post(
    "/{order_id}/changes/{change_id}/withdraw",
    response=ChangeOut,
    summary="Withdraw an undecided request (reason)",
)
def withdraw_change(
    request: HttpRequest, order_id: int, change_id: int, payload: ReasonIn
) -> dict[str, Any]:
    found = selectors.request_for(request.user, change_id, order_id=order_id)
    services.withdraw_change(found, by=request.user, reason=payload.reason)
    return detail(request.user, order_id, change_id)


@changes_router.post(
    "/{order_id}/changes/{change_id}/invoices-corrected",
    response=ChangeOut,
    summary="Finance issued the credit notes or extra invoices the change called for",
)
def invoices_corrected(
    request: HttpRequest, order_id: int, change_id: int, payload: NoteIn | None = None
) -> dict[str, Any]:
    found = selectors.request_for(request.user, change_id, order_id=order_id)
    services.mark_invoices_corrected(
        found, by=request.user, note=payload.note if payload is not None else ""
    )
    return detail(request.user, order_id, change_id)


# --- revisions ------------------------------------------------------------------------------


@changes_router.get(
    "/{order_id}/revisions", response=RevisionListOut, summary="The order's revisions (v1, v2 …)"
)
def list_revisions(request: HttpRequest, order_id: int) -> dict[str, Any]:
    order = order_selectors.order_for(request.user, order_id)
    found = revisions.revisions_of(order)
    items = []
    for index, revision in enumerate(found):
        before = found[index - 1].snapshot if index else None
        items.append(revision_out(revision, revisions.effect(before, revision.snapshot)))
    return {"count": len(items), "items": items}


@changes_router.get(
    "/{order_id}/revisions/diff",
    response=DiffOut,
    summary="The differences between two revisions (?from=1&to=2)",
)
def diff_revisions(request: HttpRequest, order_id: int, query: Query[DiffQuery]) -> dict[str, Any]:
    order = order_selectors.order_for(request.user, order_id)
    old, new = revision_of(order, query.from_), revision_of(order, query.to)
    return {
        "order_id": order.pk,
        "from_revision": old.number,
        "to_revision": new.number,
        "items": revisions.diff(old.snapshot, new.snapshot),
        "effect": revisions.effect(old.snapshot, new.snapshot),
    }


@changes_router.get(
    "/{order_id}/revisions/{number}",
    response=RevisionDetailOut,
    summary="One revision: the order as it was, and what changed from the one before",
)
def get_revision(request: HttpRequest, order_id: int, number: int) -> dict[str, Any]:
    order = order_selectors.order_for(request.user, order_id)
    revision = revision_of(order, number)
    items, effect = revisions.changes_since_previous(revision)
    return {**revision_out(revision, effect), "snapshot": revision.snapshot, "changes": items}


def revision_of(order: Order, number: int) -> OrderRevision:
    found = (
        OrderRevision.objects.select_related("change_request", "created_by")
        .filter(order=order, number=number)
        .first()
    )
    if found is None:
        raise NotFound(
            _("Order {order} has no revision {number}.").format(order=order.number, number=number),
            code="revision_not_found",
        )
    return found


def revision_out(revision: OrderRevision, effect: dict[str, Any]) -> dict[str, Any]:
    change = revision.change_request
    return {
        **{
            name: getattr(revision, name)
            for name in (
                "number",
                "created_at",
                "ack_status",
                "sent_at",
                "acknowledged_at",
                "acknowledged_by_name",
                "ack_note",
            )
        },
        "created_by": audit.actor_label(revision.created_by),
        "change_request_id": change.pk if change is not None else None,
        "change_request": change.number if change is not None else None,
        "effect": effect,
    }


# --- rendering ------------------------------------------------------------------------------


def detail(user: Any, order_id: int, change_id: int) -> dict[str, Any]:
    found = selectors.with_approvals(
        selectors.requests_visible_to(user).select_related(
            "order", "created_by", "applied_by", "revision"
        )
    ).filter(order_id=order_id, pk=change_id)
    request = found.first()
    if request is None:
        raise NotFound(_("No such change request."), code="change_not_found")
    return change_out(request, user, request.order)


def change_out(request: ChangeRequest, user: Any, order: Order) -> dict[str, Any]:
    now = timezone.now()
    revision = (
        getattr(request, "revision", None) if request.status == ChangeStatus.APPLIED else None
    )
    return {
        **{
            name: getattr(request, name)
            for name in (
                "id",
                "number",
                "order_id",
                "status",
                "party",
                "requested_by_name",
                "requested_at",
                "reason",
                "reason_category",
                "base_version",
                "proposal",
                "impact",
                "kinds",
                "line_ids",
                "header_fields",
                "created_at",
                "decided_at",
                "applied_at",
                "withdrawn_reason",
                "invoices_to_correct",
                "invoices_corrected_at",
            )
        },
        "order_number": order.number,
        "status_label": str(ChangeStatus(request.status).label),
        "created_by": audit.actor_label(request.created_by),
        "applied_by": audit.actor_label(request.applied_by) if request.applied_by else None,
        "revision": revision.number if revision is not None else None,
        "approvals": [approval_out(approval, now) for approval in request.approvals.all()],
        "actions": selectors.actions_for(user, request),
    }


def approval_out(approval: ChangeApproval, now: Any) -> dict[str, Any]:
    pending = approval.status == ApprovalStatus.PENDING
    return {
        **{
            name: getattr(approval, name)
            for name in ("department", "status", "role", "why", "due_at", "decided_at", "note")
        },
        "escalated_at": approval.escalated_at,
        "label": str(Department(approval.department).label),
        "status_label": str(ApprovalStatus(approval.status).label),
        "time_left_hours": round(
            workcalendar.working_hours_between(now, approval.due_at).total_seconds() / 3600, 1
        )
        if pending
        else None,
        "decided_by": audit.actor_label(approval.decided_by) if approval.decided_by else None,
    }

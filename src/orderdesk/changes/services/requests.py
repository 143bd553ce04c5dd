"""Asking for an order change (订单变更申请表) and withdrawing the request.

A request is made against the order as the requester saw it (``version``: a newer order is
a 409 ``stale_order`` naming what changed since), on an approved or released order that is
not fully shipped (409), and never on lines or fields another undecided request holds (409
``change_pending``: the second waits until the first is decided). Its impact is assessed
at once (``impact.plan``, every refused field named in one 422) and stored with the request,
and the departments whose check it affects get their approval, each due after its working
hours (``routing``). A change no department needs to see is approved at once.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from orderdesk.core import audit, numbering, permissions, workcalendar
from orderdesk.core.errors import Conflict, ValidationFailed
from orderdesk.core.reasons import require_reason
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.models import Order

from .. import impact, revisions, routing, selectors
from ..models import (
    UNDECIDED,
    ChangeApproval,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    Party,
    ReasonCategory,
)

REQUEST = "changes.request_changes"


def create_change_request(
    order: Order,
    *,
    by: Any,
    party: str,
    reason: str,
    reason_category: str,
    proposal: Any,
    requested_by_name: str = "",
    requested_at: Any = None,
    version: int | None = None,
) -> ChangeRequest:
    """Ask for a change of ``order`` (see the module docstring)."""
    permissions.require(by, REQUEST)
    asked = clean_request(
        party=party,
        reason=reason,
        reason_category=reason_category,
        requested_by_name=requested_by_name,
        requested_at=requested_at,
    )
    with transaction.atomic():
        locked = order_selectors.lock_visible_order(by, order.pk)
        if blocked := impact.status_problem(locked):
            raise blocked
        if version is not None and int(version) != locked.version:
            raise stale(locked, int(version))
        plan = impact.plan(locked, proposal, by=by)
        if plan.refusals:
            raise refused(plan)
        require_free(locked, plan)
        now = timezone.now()
        request = ChangeRequest.objects.create(
            number=numbering.next_number("change_request", on=timezone.localdate()),
            order=locked,
            base_version=locked.version,
            proposal=json.loads(json.dumps(proposal, cls=DjangoJSONEncoder)),
            impact=plan.as_dict(),
            kinds=plan.kinds,
            line_ids=plan.line_ids,
            header_fields=plan.header_fields,
            created_by=by,
            **asked,
        )
        settings = order_selectors.review_settings()
        ChangeApproval.objects.bulk_create(
            [
                ChangeApproval(
                    request=request,
                    department=department,
                    why=why,
                    role=routing.approver_role(department, plan.facts),
                    due_at=workcalendar.add_working_hours(
                        now, routing.hours_for(department, settings)
                    ),
                )
                for department, why in plan.departments
            ]
        )
        if not plan.departments:
            request.status = ChangeStatus.APPROVED
            request.decided_at = now
            request.save(update_fields=["status", "decided_at"])
        record = {
            "change_request": (None, request.number),
            "kinds": (None, ", ".join(str(ChangeKind(kind).label) for kind in plan.kinds)),
            "departments": (None, [department for department, _why in plan.departments]),
            "total": (str(locked.total_amount), str(plan.totals["gross"][1])),
        }
        audit.record(request, "change_requested", by=by, changes=record, reason=request.reason)
        audit.record(locked, "change_requested", by=by, changes=record, reason=request.reason)
    return request


def clean_request(
    *,
    party: Any,
    reason: Any,
    reason_category: Any,
    requested_by_name: Any,
    requested_at: Any,
) -> dict[str, Any]:
    """Who asked, when and why — checked; every problem named at once."""
    errors: dict[str, str] = {}
    if party not in Party.values:
        errors["party"] = _("Say who asked: the customer or someone internal.")
    try:
        reason = require_reason(reason)
    except ValidationFailed as error:
        errors.update(error.fields)
    if reason_category not in ReasonCategory.values:
        errors["reason_category"] = _("Choose why the order changes.")
    name = str(requested_by_name or "").strip()
    if len(name) > 100:
        errors["requested_by_name"] = _("Use at most {limit} characters.").format(limit=100)
    moment = requested_at
    if moment in (None, ""):
        moment = timezone.now()
    elif not isinstance(moment, dt.datetime):
        moment = parse_datetime(str(moment))
    if not isinstance(moment, dt.datetime):
        errors["requested_at"] = _("Enter a date and time, e.g. 2026-11-23 09:30.")
    else:
        moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        if moment > timezone.now() + dt.timedelta(minutes=5):
            errors["requested_at"] = _("A change cannot have been asked for in the future.")
    if errors:
        raise ValidationFailed(
            _("Correct the highlighted fields."), code="invalid_change", fields=errors
        )
    return {
        "party": party,
        "reason": reason,
        "reason_category": reason_category,
        "requested_by_name": name,
        "requested_at": moment,
    }


def refused(plan: impact.Plan) -> ValidationFailed:
    """One 422 naming every refused field; its code is the first rule that refused."""
    first = next(iter(plan.refusals.values()))
    return ValidationFailed(
        _("The change cannot be made as asked: {problem}").format(problem=first),
        code=plan.codes[0] if plan.codes else "invalid_change",
        fields=plan.refusals,
    )


def require_free(order: Order, plan: impact.Plan) -> None:
    """A second undecided request on the same lines or fields is refused (409
    ``change_pending``) until the first is applied, rejected or withdrawn; a cancellation
    holds the whole order."""
    mine_lines, mine_fields = set(plan.line_ids), set(plan.header_fields)
    line_nos = {line.pk: line.line_no for line in plan.order_lines}
    clashes: dict[str, str] = {}
    for other in selectors.undecided_requests(order).order_by("created_at", "id"):
        held = _("Change request {number} ({status}) holds it; wait until it is decided.").format(
            number=other.number, status=ChangeStatus(other.status).label
        )
        if plan.cancel or ChangeKind.CANCELLATION in other.kinds:
            clashes.setdefault("order", held)
        for line_id in sorted(mine_lines & set(other.line_ids)):
            clashes.setdefault(f"lines.{line_nos.get(line_id, line_id)}", held)
        for name in sorted(mine_fields & set(other.header_fields)):
            clashes.setdefault(f"header.{name}", held)
    if clashes:
        raise Conflict(
            _(
                "Another change request of order {number} is still open on the same lines or "
                "fields: {held}"
            ).format(number=order.number, held=next(iter(clashes.values()))),
            code="change_pending",
            fields=clashes,
        )


def stale(order: Order, version: int) -> Conflict:
    """409 ``stale_order`` naming what changed since ``version``: the differences between
    the revision recorded at that version and the order now, when there is one."""
    changed: dict[str, str] = {}
    since = next(
        (
            revision
            for revision in revisions.revisions_of(order)
            if (revision.snapshot or {}).get("version") == version
        ),
        None,
    )
    if since is not None:
        for item in revisions.diff(since.snapshot, revisions.snapshot(order)):
            where = (
                f"lines.{item['line_no']}.{item['field']}"
                if item["where"] == "line"
                else f"header.{item['field']}"
            )
            changed[where] = " → ".join(str(part) for part in item["shown"])
    changed["version"] = _("You had version {old}; the order is now at version {new}.").format(
        old=version, new=order.version
    )
    return Conflict(
        _("Order {number} was changed since you loaded it; reload it and try again.").format(
            number=order.number
        ),
        code="stale_order",
        fields=changed,
    )


def withdraw_change(request: ChangeRequest, *, by: Any, reason: str) -> ChangeRequest:
    """Withdraw an undecided request (under approval, or approved and not applied); its
    lines and fields are free again."""
    permissions.require(by, REQUEST)
    reason = require_reason(reason)
    with transaction.atomic():
        order = order_selectors.lock_visible_order(by, request.order_id)
        locked = selectors.lock_request(request.pk)
        if locked.status not in UNDECIDED:
            raise Conflict(
                _("Change request {number} is {status}: it can no longer be withdrawn.").format(
                    number=locked.number, status=ChangeStatus(locked.status).label
                ),
                code="change_closed",
            )
        before = locked.status
        locked.status = ChangeStatus.WITHDRAWN
        locked.withdrawn_reason = reason
        locked.decided_at = locked.decided_at or timezone.now()
        locked.save(update_fields=["status", "withdrawn_reason", "decided_at"])
        changes = {
            "status": (before, locked.status),
            "change_request": (None, locked.number),
        }
        audit.record(locked, "change_withdrawn", by=by, changes=changes, reason=reason)
        audit.record(order, "change_withdrawn", by=by, changes=changes, reason=reason)
    return locked

"""Order changes in the demo (订单变更, issue 8), on released orders nothing has shipped of:

- the customer adds to a line: every department concerned approves, customer service
  applies it (revision 2) and sends the revised confirmation;
- the customer moves the delivery address: waiting for sales and logistics on My tasks;
- sales renegotiates a price down: the pricing authority rejects it.

Through ``changes.services`` as the people who would do it (their group's first member).
"""

from __future__ import annotations

from contextlib import suppress
from decimal import Decimal
from typing import Any

from orderdesk.accounts.models import User
from orderdesk.changes import revisions, services
from orderdesk.changes.models import ChangeRequest, ChangeStatus
from orderdesk.core.errors import DomainError
from orderdesk.orders.models import Order, OrderStatus
from orderdesk.orders.services.releasing import deposit_required

from .cast import acting

REQUEST = "changes.request_changes"
STORIES = ("applied", "pending", "rejected")


def create_changes(*, seed: int) -> dict[str, int]:
    """Create the demo's change requests; returns ``{"changes": count}``."""
    if ChangeRequest.objects.exists():
        return {"changes": 0}  # already loaded
    clerk = acting("cs1", REQUEST)
    orders = (
        Order.objects.filter(status__in=(OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION))
        .exclude(shipments__isnull=False)
        .order_by("pk")
    )
    # An added quantity raises the deposit due: the demo adds to an order that asks none.
    candidates = sorted(orders, key=lambda order: deposit_required(order) > 0)
    count = 0
    for story, order in zip(STORIES, candidates, strict=False):
        try:
            {"applied": applied, "pending": pending, "rejected": rejected}[story](order, clerk)
        except DomainError:
            continue  # the order did not allow this change; the demo goes on without it
        count += 1
    return {"changes": count}


def first_line(order: Order) -> Any:
    return order.lines.order_by("line_no").first()


def applied(order: Order, clerk: Any) -> None:
    line = first_line(order)
    request = services.create_change_request(
        order,
        by=clerk,
        party="customer",
        requested_by_name="采购部 王经理",
        reason="客户项目扩容，追加采购数量",
        reason_category="customer_request",
        proposal={"lines": [{"line_id": line.pk, "quantity": str(line.quantity + 2)}]},
    )
    request = approve_all(request)
    request = services.apply_change(request, by=clerk)
    with suppress(DomainError):  # without a contact e-mail customer service phones instead
        revisions.send_acknowledgement(request.revision, by=clerk)


def pending(order: Order, clerk: Any) -> None:
    services.create_change_request(
        order,
        by=clerk,
        party="customer",
        requested_by_name="收货人 李工",
        reason="客户新仓库启用，改送新地址",
        reason_category="customer_request",
        proposal={
            "header": {"delivery_address": f"{order.delivery_address}（新仓库 B 区 3 号门）"}
        },
    )


def rejected(order: Order, clerk: Any) -> None:
    line = first_line(order)
    price = (line.unit_price * Decimal("0.85")).quantize(Decimal("0.01"))
    request = services.create_change_request(
        order,
        by=clerk,
        party="internal",
        reason="竞品报价更低，销售申请降价保单",
        reason_category="price",
        proposal={"lines": [{"line_id": line.pk, "unit_price": str(price)}]},
    )
    approval = request.approvals.order_by("id").first()
    if approval is None:
        return
    approver = approver_for(approval)
    if approver is not None:
        services.reject_change(
            request, approval.department, by=approver, reason="低于价格底线，不同意降价"
        )


def approve_all(request: ChangeRequest) -> ChangeRequest:
    for approval in request.approvals.order_by("id"):
        approver = approver_for(approval)
        if approver is None:
            raise DomainError("no approver")  # skipped by the caller
        request = services.approve_change(request, approval.department, by=approver, note="同意")
    if request.status != ChangeStatus.APPROVED:
        raise DomainError("not approved")
    return request


def approver_for(approval: Any) -> User | None:
    return User.objects.filter(groups__name=approval.role, is_active=True).order_by("pk").first()

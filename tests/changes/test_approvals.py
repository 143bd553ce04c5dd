"""The departments' decisions on a change request: once each, by the right people, the last
approval approves, a rejection rejects; "My tasks" queues; escalation of late approvals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from orderdesk.changes import services
from orderdesk.changes.models import ApprovalStatus, ChangeStatus
from orderdesk.core import worklist
from orderdesk.core.errors import Conflict, NotAllowed, ValidationFailed
from orderdesk.core.models import AuditEntry
from tests.factories.orders import make_world

from .helpers import ask, decide_all, line, logistics, released_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def order(world):
    return released_order(world)


@pytest.fixture
def request_(world, order):
    """Quantity up and a new address: sales, finance, warehouse and logistics approve."""
    return ask(
        order,
        world.service,
        {
            "lines": [{"line_id": line(order, 1).pk, "quantity": "4"}],
            "header": {"delivery_address": "南山区科技园 8 号"},
        },
    )


def test_the_last_approval_approves_the_request(world, request_):
    services.approve_change(request_, "sales", by=world.manager)
    services.approve_change(request_, "finance", by=world.finance, note="可以")
    services.approve_change(request_, "warehouse", by=world.warehouse)
    request_.refresh_from_db()
    assert request_.status == ChangeStatus.OPEN

    services.approve_change(request_, "logistics", by=logistics())

    request_.refresh_from_db()
    assert request_.status == ChangeStatus.APPROVED
    assert request_.decided_at is not None
    finance = request_.approvals.get(department="finance")
    assert finance.status == ApprovalStatus.APPROVED
    assert finance.decided_by == world.finance
    assert finance.note == "可以"
    assert AuditEntry.objects.filter(action="change_approved").count() == 8  # request + order


def test_a_department_decides_once(world, request_):
    services.approve_change(request_, "sales", by=world.manager)

    with pytest.raises(Conflict) as refused:
        services.approve_change(request_, "sales", by=world.manager)

    assert refused.value.code == "already_decided"


def test_only_the_department_decides_for_itself(world, request_):
    with pytest.raises(NotAllowed):
        services.approve_change(request_, "finance", by=world.warehouse)
    with pytest.raises(NotAllowed):
        services.approve_change(request_, "logistics", by=world.sales)


def test_a_department_the_request_does_not_need_is_refused(world, request_):
    with pytest.raises(ValidationFailed) as refused:
        services.approve_change(request_, "production", by=world.production)
    with pytest.raises(ValidationFailed) as unknown:
        services.approve_change(request_, "marketing", by=world.manager)

    assert refused.value.code == "unknown_department"
    assert unknown.value.code == "unknown_department"


def test_a_rejection_needs_a_reason_and_rejects_the_request(world, request_):
    with pytest.raises(ValidationFailed):
        services.reject_change(request_, "warehouse", by=world.warehouse, reason=" ")

    services.reject_change(request_, "warehouse", by=world.warehouse, reason="库存已分配给其他订单")

    request_.refresh_from_db()
    assert request_.status == ChangeStatus.REJECTED
    assert request_.approvals.get(department="warehouse").note == "库存已分配给其他订单"
    with pytest.raises(Conflict) as closed:
        services.approve_change(request_, "sales", by=world.manager)
    assert closed.value.code == "change_not_open"


def test_the_price_authority_decides_by_role(world, order):
    request = ask(
        order, world.sales, {"lines": [{"line_id": line(order, 1).pk, "unit_price": "100.00"}]}
    )

    with pytest.raises(NotAllowed):
        services.approve_change(request, "pricing", by=world.finance)
    services.approve_change(request, "pricing", by=world.manager)

    assert request.approvals.get(department="pricing").status == ApprovalStatus.APPROVED


def test_the_general_manager_may_decide_any_price(world, order):
    request = ask(
        order, world.service, {"lines": [{"line_id": line(order, 1).pk, "unit_price": "80.00"}]}
    )

    with pytest.raises(NotAllowed):
        services.approve_change(request, "pricing", by=world.manager)
    services.approve_change(request, "pricing", by=world.gm)


def test_finance_approving_despite_the_credit_check_gives_a_reason():
    world = make_world(credit_limit="1000")
    order = released_order(world)
    request = ask(
        order, world.service, {"lines": [{"line_id": line(order, 2).pk, "quantity": "10"}]}
    )

    with pytest.raises(ValidationFailed) as refused:
        services.approve_change(request, "finance", by=world.finance)
    services.approve_change(request, "finance", by=world.finance, note="客户已承诺下周付款")

    assert refused.value.code == "reason_required"


def test_my_tasks_queue_approvals_per_department_then_the_change_to_apply(world, request_):
    kinds = {task.kind for task in worklist.tasks_for(world.finance)}
    assert "Order change: Finance" in kinds
    assert "Order change: Logistics" in {task.kind for task in worklist.tasks_for(logistics())}
    assert not any(task.kind.startswith("Order change") for task in worklist.tasks_for(world.sales))

    decide_all(request_, world)

    assert not any(
        task.kind.startswith("Order change") for task in worklist.tasks_for(world.finance)
    )
    [task] = [
        task
        for task in worklist.tasks_for(world.service)
        if task.kind == "Approved order changes to apply"
    ]
    assert request_.number in task.title


def test_late_approvals_are_escalated_once_to_the_supervisor(
    world, request_, django_capture_on_commit_callbacks
):
    later = timezone.now() + dt.timedelta(days=30)

    with django_capture_on_commit_callbacks(execute=True):
        count = services.escalate_overdue(now=later)
        again = services.escalate_overdue(now=later)

    assert count == 4
    assert again == 0
    sales = request_.approvals.get(department="sales")
    assert sales.escalated_at == later
    assert sales.escalated_to == world.gm  # the sales manager has no supervisor
    subjects = [message.subject for message in mail.outbox]
    assert any(request_.number in subject for subject in subjects)
    assert "gm@example.com" in mail.outbox[0].to
    assert any(task.flag == "Escalated" for task in worklist.tasks_for(world.finance))


def test_nothing_is_escalated_before_it_is_due(world, request_):
    assert services.escalate_overdue(now=timezone.now()) == 0

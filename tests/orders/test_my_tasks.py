"""My tasks: the review queues of each role, with time left and approve / reject links."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from orderdesk.core import worklist
from orderdesk.orders import services
from orderdesk.orders.models import ReviewStep
from tests.factories.orders import make_order, make_world

pytestmark = pytest.mark.django_db

TASKS = reverse("core:my_tasks")


@pytest.fixture
def world(db):
    return make_world()


def test_finance_sees_the_step_after_sales_approval_and_not_before(client, world):
    order = make_order(world)
    services.submit(order, by=world.sales)
    client.force_login(world.finance)

    before = client.get(TASKS).content.decode()
    services.decide(order, "sales", approve=True, by=world.manager)
    after = client.get(TASKS).content.decode()

    assert order.number not in before
    assert "Nothing to do right now" in before
    assert order.number in after
    assert 'data-queue="Finance review"' in after
    assert reverse("orders:approve", args=[order.pk, "finance"]) in after
    assert reverse("orders:reject", args=[order.pk, "finance"]) in after
    assert "left" in after or "overdue" in after


def test_the_sales_manager_queue_and_tasks_leave_once_decided(client, world):
    order = make_order(world)
    services.submit(order, by=world.sales)
    client.force_login(world.manager)

    page = client.get(TASKS).content.decode()
    assert 'data-queue="Sales review"' in page
    assert f"{order.number} {world.customer.name}" in page

    services.decide(order, "sales", approve=True, by=world.manager)
    assert order.number not in client.get(TASKS).content.decode()


def test_tasks_carry_kind_title_due_time_left_and_actions(world):
    order = make_order(world)
    services.submit(order, by=world.sales)

    [task] = [task for task in worklist.tasks_for(world.manager) if order.number in task.title]

    step = ReviewStep.objects.get(order=order, step="sales")
    assert task.kind == "Sales review"
    assert task.title == f"{order.number} {world.customer.name}"
    assert task.due_at == step.due_at
    assert task.time_left is not None
    assert task.time_left > dt.timedelta(0)
    assert "¥791.00" in task.detail
    assert [label for label, _url in task.actions] == ["Approve", "Reject"]
    assert task.actions[0][1].endswith(f"?next={TASKS.replace('/', '%2F')}")


def test_overdue_tasks_are_flagged(client, world):
    order = make_order(world)
    services.submit(order, by=world.sales)
    # The clock cannot be moved: put the deadline in the past instead.
    ReviewStep.objects.filter(order=order, step="sales").update(
        due_at=timezone.now() - dt.timedelta(days=3)
    )
    client.force_login(world.manager)

    page = client.get(TASKS).content.decode()

    assert "overdue" in page
    assert 'class="badge overdue"' in page


def test_credit_figures_in_the_finance_task(db):
    world = make_world(credit_limit="100")
    order = make_order(world, lines=[{"sku": world.products[0].sku, "quantity": "1000"}])
    services.submit(order, by=world.sales)
    services.decide(order, "sales", approve=True, by=world.manager)

    [task] = [task for task in worklist.tasks_for(world.finance) if order.number in task.title]

    assert "credit exceeded" in task.detail
    assert "¥112,900.00" in task.detail


def test_approve_from_my_tasks_returns_to_my_tasks(client, world):
    order = make_order(world)
    services.submit(order, by=world.sales)
    client.force_login(world.manager)
    [task] = [task for task in worklist.tasks_for(world.manager) if order.number in task.title]

    response = client.post(task.actions[0][1], {"reason": "ok", "next": TASKS})

    assert response.status_code == 302
    assert response["Location"] == TASKS
    assert ReviewStep.objects.get(order=order, step="sales").status == "approved"

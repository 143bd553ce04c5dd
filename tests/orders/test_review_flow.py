"""Entering, submitting and reviewing an order through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from orderdesk.core import audit
from orderdesk.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from orderdesk.inventory.models import Reservation
from orderdesk.orders import services
from orderdesk.orders.models import OrderStatus, ReviewStep, StepStatus
from tests.factories.orders import approve_all, make_order, make_world, order_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def test_create_prices_lines_and_numbers_the_order(world):
    order = make_order(world)

    assert order.status == OrderStatus.DRAFT
    assert order.number.startswith("GD001-")
    lines = list(order.lines.order_by("line_no"))
    assert [line.line_total for line in lines] == [Decimal("226.00"), Decimal("565.00")]
    assert order.total_amount == Decimal("791.00")
    assert order.net_amount + order.tax_amount == order.total_amount
    assert audit.entries_for(order).filter(action="order_created").exists()


def test_bad_input_names_every_field_and_writes_nothing(world):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    values = order_values(
        world,
        customer_id=999999,
        requested_date=yesterday,
        lines=[
            {"sku": "NOPE", "quantity": "1"},
            {"sku": world.products[0].sku, "quantity": "0"},
            {"sku": world.products[1].sku, "quantity": "1", "unit_price": "1.234"},
        ],
    )
    with pytest.raises(ValidationFailed) as raised:
        services.create_order(values, by=world.sales)

    fields = raised.value.fields
    assert {"customer_id", "requested_date", "lines.0.sku", "lines.2.unit_price"} <= set(fields)
    assert not world.customer.orders.exists()


def test_incomplete_order_saves_but_cannot_be_submitted(world):
    order = make_order(world, contact_phone="", payment_method="", lines=[])

    with pytest.raises(ValidationFailed) as raised:
        services.submit(order, by=world.sales)

    assert {"contact_phone", "payment_method", "lines"} <= set(raised.value.fields)
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_full_review_approves_reserves_and_records_sign_off(world):
    order = make_order(world)
    services.submit(order, by=world.sales)
    steps = {step.step: step for step in order.reviews.all()}
    assert set(steps) == {"sales", "finance", "warehouse"}
    assert steps["sales"].status == StepStatus.PENDING
    assert steps["finance"].status == StepStatus.WAITING
    assert steps["sales"].due_at is not None

    services.decide(order, "sales", approve=True, by=world.manager)
    services.decide(order, "finance", approve=True, by=world.finance)
    services.decide(order, "warehouse", approve=True, by=world.warehouse)

    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
    assert order.promised_date == order.requested_date
    assert Reservation.objects.filter(status="open").count() == 2
    approved = audit.entries_for(order).get(action="order_approved")
    assert world.manager.username in approved.reason


def test_a_step_is_decided_once_and_only_by_its_department(world):
    order = make_order(world)
    services.submit(order, by=world.sales)

    with pytest.raises(NotAllowed):
        services.decide(order, "sales", approve=True, by=world.finance)
    with pytest.raises(Conflict):
        services.decide(order, "finance", approve=True, by=world.finance)  # still waiting
    services.decide(order, "sales", approve=True, by=world.manager)
    with pytest.raises(Conflict):
        services.decide(order, "sales", approve=True, by=world.manager)


def test_rejection_returns_to_sales_and_resubmission_reruns_only_changed_steps(world):
    order = make_order(world)
    services.submit(order, by=world.sales)
    services.decide(order, "sales", approve=True, by=world.manager)
    services.decide(order, "warehouse", approve=True, by=world.warehouse)
    with pytest.raises(ValidationFailed):
        services.decide(order, "finance", approve=False, by=world.finance, comment="")
    services.decide(order, "finance", approve=False, by=world.finance, comment="付款条件不符")
    order.refresh_from_db()
    assert order.status == OrderStatus.RETURNED
    assert order.status_reason == "付款条件不符"

    services.update_order(order, {"payment_terms": "款到发货"}, by=world.sales)
    services.submit(order, by=world.sales)
    steps = {step.step: step for step in order.reviews.filter(round=2)}
    assert steps["warehouse"].status == StepStatus.APPROVED
    assert steps["warehouse"].carried_over
    assert steps["sales"].status == StepStatus.PENDING  # terms changed: sales checks again
    assert steps["finance"].status == StepStatus.WAITING


def test_credit_excess_needs_finance_reason_and_general_manager_above_threshold(db):
    world = make_world(credit_limit="100")
    order = make_order(world, lines=[{"sku": world.products[0].sku, "quantity": "1000"}])
    services.submit(order, by=world.sales)
    services.decide(order, "sales", approve=True, by=world.manager)
    finance = order.reviews.get(step="finance")
    assert finance.findings["credit"]["blocked"] is True
    assert Decimal(finance.findings["credit"]["excess"]) == Decimal("112900.00")

    with pytest.raises(ValidationFailed):
        services.decide(order, "finance", approve=True, by=world.finance)
    services.decide(order, "finance", approve=True, by=world.finance, comment="老客户，特批")
    finance.refresh_from_db()
    assert finance.status == StepStatus.PENDING
    assert finance.role == "general_manager"
    with pytest.raises(NotAllowed):
        services.decide(order, "finance", approve=True, by=world.finance, comment="again")
    services.decide(order, "finance", approve=True, by=world.gm, comment="同意")
    finance.refresh_from_db()
    assert finance.status == StepStatus.APPROVED


def test_short_stock_and_early_date_need_production_with_a_date(db):
    world = make_world(stock_each=1)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    order = make_order(world, requested_date=tomorrow.isoformat())
    services.submit(order, by=world.sales)
    production = order.reviews.get(step="production")
    assert production.findings["short"]
    assert production.findings["late"]

    services.decide(order, "sales", approve=True, by=world.manager)
    with pytest.raises(ValidationFailed) as raised:
        services.decide(order, "production", approve=True, by=world.production, comment="ok")
    assert "earliest_completion" in raised.value.fields
    completion = timezone.localdate() + dt.timedelta(days=20)
    services.decide(
        order,
        "production",
        approve=True,
        by=world.production,
        decision={"earliest_completion": completion.isoformat()},
    )
    services.decide(order, "finance", approve=True, by=world.finance)
    services.decide(order, "warehouse", approve=True, by=world.warehouse)
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
    assert order.promised_date == completion
    warehouse = order.reviews.get(step="warehouse")
    assert any("short" in item for item in warehouse.decision["reservations"])


def test_discount_beyond_authority_adds_price_approval(world):
    order = make_order(
        world, lines=[{"sku": world.products[0].sku, "quantity": "1", "unit_price": "100.00"}]
    )
    services.submit(order, by=world.sales)
    pricing = order.reviews.get(step="pricing")
    assert pricing.role == "sales_manager"
    approved = approve_all(order, world)
    assert approved.status == OrderStatus.APPROVED


def test_approved_order_cannot_be_edited_and_cancel_releases_stock(world):
    order = approve_all(make_order(world), world)

    with pytest.raises(InvalidTransition):
        services.update_order(order, {"payment_terms": "x"}, by=world.sales)
    services.cancel(order, by=world.sales, reason="客户取消")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert not Reservation.objects.filter(status="open").exists()
    with pytest.raises(InvalidTransition):
        services.submit(order, by=world.sales)


def test_hold_and_resume(world):
    order = make_order(world)
    services.hold(order, by=world.sales, reason="客户要求暂停")
    order.refresh_from_db()
    assert order.status == OrderStatus.ON_HOLD
    services.resume(order, by=world.sales)
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_overdue_steps_escalate_once_to_the_supervisor(world, django_capture_on_commit_callbacks):
    order = make_order(world)
    services.submit(order, by=world.sales)
    later = timezone.now() + dt.timedelta(days=30)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue(now=later) == 1
    assert services.escalate_overdue(now=later) == 0
    step = ReviewStep.objects.get(order=order, step="sales")
    assert step.escalated_at is not None
    # The sales manager approving has no supervisor: the general manager is told.
    assert step.escalated_to == world.gm
    assert [message.to for message in mail.outbox] == [["gm@example.com"]]
    assert order.number in mail.outbox[0].subject


def test_stale_version_is_refused(world):
    order = make_order(world)
    services.update_order(order, {"contact_name": "李"}, by=world.sales, version=1)
    with pytest.raises(Conflict):
        services.update_order(order, {"contact_name": "张"}, by=world.sales, version=1)


def test_a_held_order_can_be_cancelled_and_not_moved_elsewhere(world):
    order = make_order(world)
    services.hold(order, by=world.sales, reason="客户要求暂停")
    order.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.submit(order, by=world.sales)

    services.cancel(order, by=world.sales, reason="客户取消")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.held_from == ""

"""load_demo's sales orders: every status, overdue review steps, a credit-blocked finance
step, reasons on returned, cancelled and held orders — all through the order services."""

import io

import pytest
from django.core import mail
from django.utils import timezone

from orderdesk.accounts.models import User
from orderdesk.core.audit import entries_for
from orderdesk.demo.loader import load_demo
from orderdesk.demo.orders import STORIES
from orderdesk.inventory import selectors as inventory_selectors
from orderdesk.orders import selectors
from orderdesk.orders.models import (
    ConfirmationStatus,
    Order,
    OrderStatus,
    ReviewStep,
    Step,
    StepStatus,
)
from orderdesk.orders.services.releasing import deposit_received, deposit_required

# Big enough for every story (eligible customers, stocked and made-to-order products), small
# enough to load in a few seconds.
CUSTOMERS, PRODUCTS = 40, 80
ORDERS = sum(count for _story, count in STORIES)
# The statuses the order services of issue 5 reach (production, shipping and delivery come
# with later issues).
REACHED = {
    OrderStatus.DRAFT,
    OrderStatus.IN_REVIEW,
    OrderStatus.RETURNED,
    OrderStatus.APPROVED,
    OrderStatus.AWAITING_CONFIRMATION,
    OrderStatus.RELEASED,
    OrderStatus.CANCELLED,
    OrderStatus.ON_HOLD,
}


@pytest.fixture
def demo(db):
    out = io.StringIO()
    result = load_demo(customers=CUSTOMERS, products=PRODUCTS, stdout=out)
    return result, out.getvalue()


def test_the_demo_has_orders_in_every_status_across_customers_and_salespeople(demo):
    result, summary = demo

    orders = list(Order.objects.select_related("salesperson", "customer"))
    assert result.orders.orders_created == len(orders) == ORDERS
    # The orders demo reached these statuses; fulfilment then moved released orders on.
    assert {status for status, count in result.orders.statuses.items() if count} == REACHED
    assert sum(result.orders.statuses.values()) == len(orders)
    fulfilment = {
        OrderStatus.IN_PRODUCTION,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    }
    assert REACHED - {OrderStatus.RELEASED} <= {order.status for order in orders}
    assert {order.status for order in orders} <= REACHED | fulfilment
    assert len({order.salesperson.username for order in orders}) == 3
    assert len({order.customer_id for order in orders}) >= 20
    assert len({order.channel for order in orders}) >= 5
    for order in orders:
        assert entries_for(order).filter(action="order_created").exists()
        assert order.lines.exists()
        assert order.received_at <= timezone.now()
    reviewed = [
        order for order in orders if order.status not in (OrderStatus.DRAFT, OrderStatus.CANCELLED)
    ]
    assert all(order.review_round >= 1 and order.submitted_at for order in reviewed)
    # Warehouse approvals reserved stock through the inventory services: the ledger holds.
    assert inventory_selectors.ledger_mismatches() == []
    assert f"Sales orders created: {ORDERS} in {len(REACHED)} statuses" in summary


def test_some_review_steps_are_overdue(demo):
    result, _summary = demo

    now = timezone.now()
    late = ReviewStep.objects.filter(status=StepStatus.PENDING, due_at__lt=now)
    assert late.count() == result.orders.overdue_steps >= 3
    assert {step.step for step in late} >= {Step.SALES, Step.FINANCE}
    for step in late:
        assert step.started_at < step.due_at < now
        assert step.order.status == OrderStatus.IN_REVIEW
        assert step.order.submitted_at <= step.started_at
    admin = User.objects.get(username="admin")
    listed = selectors.search_orders(admin, overdue_review=True)
    assert set(listed.values_list("pk", flat=True)) == {step.order_id for step in late}
    # Most pending steps are still on time.
    assert ReviewStep.objects.filter(status=StepStatus.PENDING, due_at__gte=now).count() > (
        late.count()
    )


def test_one_order_waits_at_a_finance_step_blocked_by_credit(demo):
    result, _summary = demo

    order = Order.objects.get(number=result.orders.credit_blocked)
    assert order.status == OrderStatus.IN_REVIEW
    finance = ReviewStep.objects.get(order=order, round=order.review_round, step=Step.FINANCE)
    assert finance.status == StepStatus.PENDING
    credit = finance.findings["credit"]
    assert credit["blocked"] is True
    assert float(credit["excess"]) > 0
    assert float(credit["exposure"]) + float(credit["order"]) > float(credit["limit"])
    assert order.customer.credit.credit_limit == float(credit["limit"])
    assert order.customer.credit.credit_limit < 50_000  # finance lowered it
    # The customer's earlier order passed on a credit exception, with finance's reason.
    exceptions = [
        step
        for step in ReviewStep.objects.filter(
            order__customer=order.customer, step=Step.FINANCE, status=StepStatus.APPROVED
        )
        if step.decision.get("credit_exception")
    ]
    assert len(exceptions) == 1
    assert exceptions[0].comment
    blocked = [
        step
        for step in ReviewStep.objects.filter(step=Step.FINANCE, status=StepStatus.PENDING)
        if step.findings["credit"]["blocked"]
    ]
    assert [step.order_id for step in blocked] == [order.pk]


def test_returned_cancelled_and_held_orders_carry_their_reasons(demo):
    returned = Order.objects.filter(status=OrderStatus.RETURNED)
    assert returned.count() >= 3
    for order in returned:
        rejected = ReviewStep.objects.get(
            order=order, round=order.review_round, status=StepStatus.REJECTED
        )
        assert order.status_reason == rejected.comment != ""
        assert rejected.decided_by is not None
    assert {
        step.step
        for step in ReviewStep.objects.filter(order__in=returned, status=StepStatus.REJECTED)
    } == {Step.SALES, Step.FINANCE, Step.PRODUCTION}
    for status in (OrderStatus.CANCELLED, OrderStatus.ON_HOLD):
        orders = Order.objects.filter(status=status)
        assert orders.exists()
        assert all(order.status_reason for order in orders)
    assert Order.objects.filter(status=OrderStatus.ON_HOLD).exclude(held_from="").exists()
    # The amended and resubmitted order kept its sales approval.
    assert ReviewStep.objects.filter(carried_over=True, step=Step.SALES).exists()
    # A discount beyond the salesperson's authority waits for price approval.
    assert ReviewStep.objects.filter(step=Step.PRICING, status=StepStatus.PENDING).exists()


def test_confirmations_are_sent_chased_and_released_orders_met_the_release_rules(demo):
    result, _summary = demo

    awaiting = Order.objects.filter(status=OrderStatus.AWAITING_CONFIRMATION)
    assert awaiting.exists()
    assert all(order.confirmation_status == ConfirmationStatus.SENT for order in awaiting)
    # Late answers moved the promised date, one working day per day late (the daily job).
    late = awaiting.filter(confirmation_delay_days__gt=0)
    assert late.count() == result.orders.late_confirmations >= 1
    for order in late:
        assert order.promised_date > order.requested_date
        assert entries_for(order).filter(action="confirmation_late").exists()
    released = list(Order.objects.filter(status=OrderStatus.RELEASED).select_related("customer"))
    assert released
    for order in released:
        grade = order.customer.credit.grade
        if order.confirmation_status != ConfirmationStatus.CONFIRMED:
            assert grade == "A"  # released before the confirmation returned, still chased
            assert order.confirmation_status == ConfirmationStatus.SENT
        else:
            assert order.confirmed_at is not None
        if grade != "A":
            assert deposit_received(order) >= deposit_required(order) > 0
    assert any(order.confirmation_status == ConfirmationStatus.SENT for order in released)
    assert any(deposit_received(order) > 0 for order in released)
    # Loading sends no e-mail: the demo's confirmations never reach the customers.
    assert mail.outbox == []


def test_loading_again_adds_no_orders(demo):
    count = Order.objects.count()
    again = load_demo(customers=CUSTOMERS, products=PRODUCTS)
    assert again.orders.orders_created == 0
    assert Order.objects.count() == count


def test_a_demo_too_small_for_the_stories_loads_no_orders(db):
    result = load_demo(customers=5, products=5)

    assert result.orders.orders_created == 0
    assert not Order.objects.exists()

"""Billing's figures drive the credit check of the order review and release (orders.checks):
open receivables and approved-but-uninvoiced orders make the exposure, an overdue balance
blocks the finance step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orderdesk.billing import selectors
from orderdesk.billing.models import Invoice
from orderdesk.orders import services as order_services
from orderdesk.orders.models import ReviewStep
from tests.factories.orders import make_order, make_released_order, make_world

from .helpers import issued, shipped


@pytest.fixture
def world(db):
    return make_world(credit_limit="1000000")


def finance_credit(order):
    order.refresh_from_db()
    step = ReviewStep.objects.get(order=order, round=order.review_round, step="finance")
    return step.findings["credit"]


def test_open_receivables_and_other_approved_orders_make_the_exposure(world):
    first = make_released_order(world)
    shipped(first)
    invoice = issued(first, world.finance)
    approved_elsewhere = make_released_order(world)

    order = make_order(world)
    order_services.submit(order, by=world.sales)

    credit = finance_credit(order)
    expected = invoice.gross_amount + approved_elsewhere.total_amount
    assert Decimal(credit["exposure"]) == expected
    assert Decimal(credit["exposure"]) == selectors.exposure(world.customer, excluding=order)
    assert credit["blocked"] is False


def test_an_overdue_invoice_blocks_the_finance_step_with_the_figure(world):
    first = make_released_order(world)
    shipped(first)
    invoice = issued(first, world.finance)
    Invoice.objects.filter(pk=invoice.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=10)
    )

    order = make_order(world)
    order_services.submit(order, by=world.sales)

    credit = finance_credit(order)
    assert Decimal(credit["overdue"]) == invoice.gross_amount
    assert credit["blocked"] is True

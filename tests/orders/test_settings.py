"""The review settings: service rules, the page, and their effect on new review steps."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orderdesk.core import audit
from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.orders import services
from orderdesk.orders.models import ReviewSettings, StepStatus
from orderdesk.orders.services.settings import update_review_settings
from tests.factories.orders import make_order, make_world

URL = reverse("orders:settings")


@pytest.fixture
def world(db):
    return make_world()


def test_update_is_audited_with_the_reason(world):
    update_review_settings(
        {"finance_hours": "6", "parallel": False}, by=world.gm, reason="流程调整"
    )

    row = ReviewSettings.objects.get(pk=1)
    assert row.finance_hours == Decimal("6.0")
    assert row.parallel is False
    entry = audit.entries_for(row).get()
    assert entry.reason == "流程调整"
    assert "finance_hours" in entry.changes


def test_bad_values_are_named_and_nothing_changes(world):
    with pytest.raises(ValidationFailed) as raised:
        update_review_settings(
            {"sales_hours": "0", "credit_tolerance_percent": "150", "confirmation_days": "1.5"},
            by=world.gm,
            reason="x",
        )
    assert set(raised.value.fields) == {
        "sales_hours",
        "credit_tolerance_percent",
        "confirmation_days",
    }
    assert ReviewSettings.objects.get(pk=1).sales_hours == Decimal("4.0")
    with pytest.raises(ValidationFailed):
        update_review_settings({"sales_hours": "5"}, by=world.gm, reason="")
    with pytest.raises(NotAllowed):
        update_review_settings({"sales_hours": "5"}, by=world.sales, reason="x")


def test_sequential_review_starts_one_department_at_a_time(world):
    update_review_settings({"parallel": False}, by=world.gm, reason="逐个审核")
    order = make_order(world)
    services.submit(order, by=world.sales)
    services.decide(order, "sales", approve=True, by=world.manager)

    pending = {step.step for step in order.reviews.filter(status=StepStatus.PENDING)}
    assert pending == {"finance"}
    services.decide(order, "finance", approve=True, by=world.finance)
    pending = {step.step for step in order.reviews.filter(status=StepStatus.PENDING)}
    assert pending == {"warehouse"}


def test_page_saves_and_shows_errors(client, world):
    client.force_login(world.gm)
    page = client.get(URL)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}

    bad = client.post(URL, {**data, "warehouse_hours": "-1", "reason": "x"})
    assert bad.status_code == 200
    assert "warehouse_hours" in bad.context["form"].errors

    good = client.post(URL, {**data, "warehouse_hours": "12", "reason": "仓库人手不足"})
    assert good.status_code == 302
    assert ReviewSettings.objects.get(pk=1).warehouse_hours == Decimal("12.0")


def test_page_needs_the_permission(client, world):
    client.force_login(world.sales)
    assert client.get(URL).status_code == 403


def step_names(order):
    order.refresh_from_db()
    return sorted(order.reviews.filter(round=order.review_round).values_list("step", flat=True))


def test_switched_off_steps_are_not_created_and_stock_is_held_on_approval(world):
    from orderdesk.inventory.selectors import open_reservations

    update_review_settings(
        {"sales_step": False, "warehouse_step": False}, by=world.gm, reason="小公司流程"
    )
    order = make_order(world)
    services.submit(order, by=world.sales)
    assert step_names(order) == ["finance"]

    services.decide(order, "finance", approve=True, by=world.finance, comment="ok")

    order.refresh_from_db()
    assert order.status == "approved"
    references = set(open_reservations().values_list("reference", flat=True))
    assert {line.reference for line in order.lines.all()} <= references
    assert audit.entries_for(order).filter(action="stock_reserved_on_approval").exists()


def test_a_blocked_credit_check_goes_to_finance_even_when_finance_is_switched_off(world):
    from orderdesk.customers.models import CreditFile

    update_review_settings({"finance_step": False}, by=world.gm, reason="只审超额")
    within = make_order(world)
    services.submit(within, by=world.sales)
    assert "finance" not in step_names(within)

    CreditFile.objects.filter(customer=world.customer).update(credit_limit=Decimal(100))
    blocked = make_order(world)
    services.submit(blocked, by=world.sales)
    assert "finance" in step_names(blocked)


def test_production_switched_off_still_reviews_custom_products(world):
    from orderdesk.catalog.models import Product

    update_review_settings({"production_step": False}, by=world.gm, reason="备货型生产")
    made, custom = world.products[0], world.products[1]
    Product.objects.filter(pk=made.pk).update(supply="make_to_order")
    order = make_order(world, lines=[{"sku": made.sku, "quantity": "2"}])
    services.submit(order, by=world.sales)
    assert "production" not in step_names(order)

    Product.objects.filter(pk=custom.pk).update(sales_kind="custom")
    special = make_order(world, lines=[{"sku": custom.sku, "quantity": "1"}])
    services.submit(special, by=world.sales)
    assert "production" in step_names(special)


def test_sales_and_finance_cannot_both_be_switched_off(world):
    with pytest.raises(ValidationFailed) as raised:
        update_review_settings(
            {"sales_step": False, "finance_step": False}, by=world.gm, reason="x"
        )

    assert set(raised.value.fields) == {"sales_step", "finance_step"}
    row = ReviewSettings.objects.get(pk=1)
    assert row.sales_step
    assert row.finance_step

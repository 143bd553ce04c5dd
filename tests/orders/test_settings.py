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

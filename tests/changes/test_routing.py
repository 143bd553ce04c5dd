"""Which departments decide a change: hypothesis walks the facts and the company settings and
checks the routing rules against themselves (routing.departments is pure)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from orderdesk.changes import routing
from orderdesk.changes.models import ChangeKind


@dataclass
class Settings:
    sales_step: bool
    finance_step: bool
    warehouse_step: bool
    production_step: bool


settings_strategy = st.builds(Settings, st.booleans(), st.booleans(), st.booleans(), st.booleans())
facts_strategy = st.builds(
    routing.Facts,
    kinds=st.frozensets(st.sampled_from(ChangeKind.values)),
    price_role=st.sampled_from(["", "sales_manager", "general_manager"]),
    total_increases=st.booleans(),
    credit_blocked=st.booleans(),
    credit_needs_general_manager=st.booleans(),
    invoices_to_correct=st.booleans(),
    stock_to_reserve=st.booleans(),
    prepared_to_return=st.booleans(),
    to_make=st.booleans(),
    custom=st.booleans(),
    production_orders=st.booleans(),
    date_not_met=st.booleans(),
    scheduled_production=st.booleans(),
)
ALL_ON = Settings(True, True, True, True)
ALL_OFF = Settings(False, False, False, False)


@given(facts_strategy, settings_strategy)
def test_each_department_once_in_a_fixed_order_with_a_reason(facts, settings):
    found = routing.departments(facts, settings)

    names = [name for name, _why in found]
    assert names == [name for name in routing.ORDER if name in names]
    assert all(why and len(why) <= 300 for _name, why in found)


@given(facts_strategy, settings_strategy)
def test_the_rules_no_setting_switches_off(facts, settings):
    names = {name for name, _why in routing.departments(facts, settings)}

    assert ("logistics" in names) == (ChangeKind.ADDRESS in facts.kinds)
    assert ("pricing" in names) == bool(facts.price_role)
    if facts.credit_blocked or facts.invoices_to_correct:
        assert "finance" in names
    if facts.prepared_to_return:
        assert "warehouse" in names
    if facts.custom or facts.date_not_met or facts.production_orders:
        assert "production" in names


@given(facts_strategy, settings_strategy)
def test_switching_a_review_step_on_only_adds_departments(facts, settings):
    some = {name for name, _why in routing.departments(facts, settings)}

    assert {name for name, _why in routing.departments(facts, ALL_OFF)} <= some
    assert some <= {name for name, _why in routing.departments(facts, ALL_ON)}


@given(facts_strategy)
def test_the_switched_steps_ask_what_the_review_asks(facts):
    names = {name for name, _why in routing.departments(facts, ALL_ON)}

    assert ("sales" in names) == bool(facts.kinds & routing.TERMS)
    if facts.total_increases or ChangeKind.PRICE in facts.kinds:
        assert "finance" in names
    if facts.stock_to_reserve:
        assert "warehouse" in names
    if facts.to_make:
        assert "production" in names


def test_the_approver_of_each_department():
    facts = routing.Facts(kinds=frozenset(), price_role="sales_manager")
    gm = routing.Facts(kinds=frozenset(), credit_needs_general_manager=True)

    assert routing.approver_role("pricing", facts) == "sales_manager"
    assert routing.approver_role("finance", facts) == "finance"
    assert routing.approver_role("finance", gm) == "general_manager"
    assert routing.approver_role("logistics", facts) == "logistics"
    assert routing.PERMISSION["logistics"] == "changes.approve_logistics_changes"
    assert routing.PERMISSION["warehouse"] == "orders.review_warehouse"

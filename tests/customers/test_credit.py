"""The credit file (信用档案): the score, the proposed grade, applying and overriding it, the
settings behind it, and the monthly evaluation job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from huey.contrib.djhuey import HUEY
from hypothesis import given, settings
from hypothesis import strategies as st

from orderdesk.accounts.selectors import system_user
from orderdesk.core import audit
from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.customers import services
from orderdesk.customers.calculations import NEUTRAL_TIMELINESS, credit_score
from orderdesk.customers.credit_history import CreditHistory, history_for, history_provider
from orderdesk.customers.models import CreditFile, CreditPolicy, GradeTerms
from orderdesk.customers.tasks import evaluate_credit_monthly
from tests.factories.customers import make_customer

DEFAULT_POLICY = {
    "weight_timeliness": Decimal("0.50"),
    "weight_order_count": Decimal("0.20"),
    "weight_order_amount": Decimal("0.30"),
    "full_score_orders": 20,
    "full_score_amount": Decimal("1000000"),
    "grade_a_from": Decimal("80"),
    "grade_b_from": Decimal("50"),
}


def only(part: str, **overrides: object) -> dict[str, object]:
    """A policy that scores one part alone (its weight 1, the others 0)."""
    weights = dict.fromkeys(("weight_timeliness", "weight_order_count", "weight_order_amount"), 0)
    return {**DEFAULT_POLICY, **weights, f"weight_{part}": Decimal(1), **overrides}


# --- the score: pure arithmetic -------------------------------------------------------------


@st.composite
def policies(draw: st.DrawFn) -> dict[str, object]:
    timeliness = draw(st.integers(0, 100))
    order_count = draw(st.integers(0, 100 - timeliness))
    grade_b_from = draw(st.integers(0, 9_998))
    grade_a_from = draw(st.integers(grade_b_from + 1, 10_000))
    return {
        "weight_timeliness": Decimal(timeliness) / 100,
        "weight_order_count": Decimal(order_count) / 100,
        "weight_order_amount": Decimal(100 - timeliness - order_count) / 100,
        "full_score_orders": draw(st.integers(1, 1_000)),
        "full_score_amount": Decimal(draw(st.integers(1, 10**12 - 1))) / 100,
        "grade_a_from": Decimal(grade_a_from) / 100,
        "grade_b_from": Decimal(grade_b_from) / 100,
    }


amounts = st.integers(0, 10**13).map(lambda fen: Decimal(fen) / 100)
histories = st.builds(
    CreditHistory,
    paid_on_time=st.integers(0, 10_000),
    paid_late=st.integers(0, 10_000),
    order_count=st.integers(0, 100_000),
    order_amount=amounts,
)


@settings(max_examples=200, deadline=None)
@given(history=histories, policy=policies())
def test_score_always_lies_between_0_and_100_to_the_cent(history, policy):
    result = credit_score(history, policy)

    assert Decimal(0) <= result.score <= Decimal(100)
    assert result.score == result.score.quantize(Decimal("0.01"))
    assert all(Decimal(0) <= part <= Decimal(100) for part in result.parts.values())
    assert result.grade in {"A", "B", "C"}


@settings(deadline=None)
@given(
    history=histories.filter(lambda h: h.paid_on_time + h.paid_late > 0),
    more=st.integers(1, 1_000),
    policy=policies(),
)
def test_score_never_falls_when_more_invoices_are_paid_on_time(history, more, policy):
    better = CreditHistory(
        history.paid_on_time + more, history.paid_late, history.order_count, history.order_amount
    )

    assert credit_score(better, policy).score >= credit_score(history, policy).score


@settings(deadline=None)
@given(history=histories, more=st.integers(1, 1_000), policy=policies())
def test_score_never_falls_with_more_orders(history, more, policy):
    better = CreditHistory(
        history.paid_on_time, history.paid_late, history.order_count + more, history.order_amount
    )

    assert credit_score(better, policy).score >= credit_score(history, policy).score


@settings(deadline=None)
@given(history=histories, more=amounts.filter(lambda a: a > 0), policy=policies())
def test_score_never_falls_with_a_larger_order_amount(history, more, policy):
    better = CreditHistory(
        history.paid_on_time, history.paid_late, history.order_count, history.order_amount + more
    )

    assert credit_score(better, policy).score >= credit_score(history, policy).score


@settings(deadline=None)
@given(data=st.data())
def test_grade_boundaries_are_exact_at_the_thresholds(data):
    # One order scores 0.01 here, so any threshold in cents is reached exactly.
    b_cents = data.draw(st.integers(1, 9_998))
    a_cents = data.draw(st.integers(b_cents + 1, 10_000))
    policy = only(
        "order_count",
        full_score_orders=10_000,
        grade_a_from=Decimal(a_cents) / 100,
        grade_b_from=Decimal(b_cents) / 100,
    )

    def grade(orders: int) -> str:
        return credit_score(CreditHistory(order_count=orders), policy).grade

    assert grade(a_cents) == "A"
    assert grade(a_cents - 1) == "B"
    assert grade(b_cents) == "B"
    assert grade(b_cents - 1) == "C"


def test_without_payment_history_timeliness_counts_as_neutral():
    result = credit_score(CreditHistory(order_count=5), DEFAULT_POLICY)

    assert result.parts == {
        "timeliness": NEUTRAL_TIMELINESS,
        "order_count": Decimal("25.00"),
        "order_amount": Decimal("0.00"),
    }
    # 0.5 × 50 + 0.2 × 25 + 0.3 × 0
    assert result.score == Decimal("30.00")
    assert result.grade == "C"


def test_score_weighs_timeliness_orders_and_amount_with_the_policy():
    history = CreditHistory(
        paid_on_time=9, paid_late=1, order_count=40, order_amount=Decimal("500000")
    )

    result = credit_score(history, DEFAULT_POLICY)

    # 0.5 × 90 + 0.2 × 100 (capped) + 0.3 × 50
    assert result.parts == {
        "timeliness": Decimal("90.00"),
        "order_count": Decimal("100.00"),
        "order_amount": Decimal("50.00"),
    }
    assert result.score == Decimal("80.00")
    assert result.grade == "A"


def test_score_rounds_half_up_to_the_cent():
    policy = only("order_amount", full_score_amount=Decimal("1000"))

    result = credit_score(CreditHistory(order_amount=Decimal("0.05")), policy)

    assert result.score == Decimal("0.01")  # 0.005 rounds up, not to even


# --- history providers -----------------------------------------------------------------------


@pytest.fixture
def history() -> Iterator[dict[int, CreditHistory]]:
    """Fixture history by customer id, supplied the way billing and orders will supply it."""
    figures: dict[int, CreditHistory] = {}

    def from_fixture(customer):
        return figures.get(customer.pk, CreditHistory())

    with history_provider(from_fixture):
        yield figures


def test_history_is_zero_until_a_provider_is_registered(sales1):
    customer = make_customer(sales1)

    assert history_for(customer) == CreditHistory()


def test_history_adds_up_every_registered_provider(sales1, history):
    customer = make_customer(sales1)
    history[customer.pk] = CreditHistory(paid_on_time=3, order_amount=Decimal("10.50"))

    def orders(customer):
        return CreditHistory(paid_late=1, order_count=2, order_amount=Decimal("5"))

    with history_provider(orders):
        total = history_for(customer)
    after = history_for(customer)

    assert total == CreditHistory(3, 1, 2, Decimal("15.50"))
    assert after == CreditHistory(3, 0, 0, Decimal("10.50"))


# --- evaluating, applying, overriding --------------------------------------------------------


@pytest.fixture
def manager(make_user):
    return make_user("mgr", "sales_manager")


def test_evaluation_stores_a_proposal_and_leaves_the_grade(sales1, finance1, history):
    customer = make_customer(sales1)
    history[customer.pk] = CreditHistory(
        paid_on_time=19, paid_late=1, order_count=20, order_amount=Decimal("1000000")
    )

    services.evaluate_credit(customer, by=finance1)

    credit = CreditFile.objects.get(customer=customer)
    assert (credit.grade, credit.proposed_grade, credit.proposed_score) == (
        "C",
        "A",
        Decimal("97.50"),
    )
    assert credit.evaluated_at is not None
    assert credit.evaluation["parts"] == {
        "timeliness": "95.00",
        "order_count": "100.00",
        "order_amount": "100.00",
    }
    assert credit.evaluation["history"] == {
        "paid_on_time": 19,
        "paid_late": 1,
        "order_count": 20,
        "order_amount": "1000000.00",
    }
    assert credit.evaluation["on_time_share"] == "0.9500"
    entry = audit.entries_for(credit).get(action="evaluate_credit")
    assert entry.actor == finance1
    assert entry.changes["proposed_grade"] == ["", "A"]
    assert entry.changes["proposed_score"] == [None, "97.50"]


def test_evaluation_runs_on_no_history_at_all(sales1, finance1):
    customer = make_customer(sales1)

    credit = services.evaluate_credit(customer, by=finance1)

    assert credit.proposed_score == Decimal("25.00")  # the neutral timeliness part alone
    assert credit.proposed_grade == "C"
    assert credit.evaluation["on_time_share"] is None


def test_sales_cannot_evaluate_credit(sales1):
    customer = make_customer(sales1)

    with pytest.raises(NotAllowed):
        services.evaluate_credit(customer, by=sales1)

    assert CreditFile.objects.get(customer=customer).evaluated_at is None


def test_applying_without_an_evaluation_is_refused(sales1, finance1):
    customer = make_customer(sales1)

    with pytest.raises(ValidationFailed) as refused:
        services.apply_credit_proposal(customer, by=finance1, reason="monthly review")

    assert refused.value.code == "no_proposal"
    assert CreditFile.objects.get(customer=customer).grade == "C"


@pytest.mark.parametrize("who", ["finance1", "manager"])
def test_finance_or_a_manager_applies_the_proposal_with_the_grades_terms(
    who, request, sales1, history
):
    by = request.getfixturevalue(who)
    customer = make_customer(sales1)
    history[customer.pk] = CreditHistory(paid_on_time=10, order_count=10)
    services.evaluate_credit(customer, by=by)  # 0.5 × 100 + 0.2 × 50 = 60 → B

    services.apply_credit_proposal(customer, by=by, reason="paid on time all year")

    credit = CreditFile.objects.get(customer=customer)
    terms = GradeTerms.objects.get(grade="B")
    assert (credit.grade, credit.credit_limit, credit.payment_terms) == (
        "B",
        terms.default_credit_limit,
        terms.payment_terms,
    )
    assert credit.graded_by == by
    entry = audit.entries_for(credit).get(action="apply_credit_proposal")
    assert entry.reason == "paid on time all year"
    assert entry.changes["grade"] == ["C", "B"]


def test_applying_a_proposal_needs_a_reason(sales1, finance1, history):
    customer = make_customer(sales1)
    history[customer.pk] = CreditHistory(paid_on_time=10, order_count=10)
    services.evaluate_credit(customer, by=finance1)

    with pytest.raises(ValidationFailed) as refused:
        services.apply_credit_proposal(customer, by=finance1, reason="  ")

    assert refused.value.code == "reason_required"
    assert CreditFile.objects.get(customer=customer).grade == "C"


def test_sales_cannot_apply_a_proposal(sales1, finance1, history):
    customer = make_customer(sales1)
    history[customer.pk] = CreditHistory(paid_on_time=10, order_count=10)
    services.evaluate_credit(customer, by=finance1)

    with pytest.raises(NotAllowed):
        services.apply_credit_proposal(customer, by=sales1, reason="my customer pays well")

    assert CreditFile.objects.get(customer=customer).grade == "C"
    assert not audit.entries_for(customer.credit).filter(action="apply_credit_proposal").exists()


def test_manual_override_keeps_its_reason_in_the_audit_trail(sales1, manager, history):
    customer = make_customer(sales1)
    history[customer.pk] = CreditHistory(paid_on_time=10, order_count=10)
    services.evaluate_credit(customer, by=manager)

    services.set_credit(
        customer,
        grade="A",
        credit_limit="200000",
        by=manager,
        reason="state-owned group, guarantee on file",
    )

    credit = CreditFile.objects.get(customer=customer)
    assert (credit.grade, credit.proposed_grade, credit.credit_limit) == (
        "A",
        "B",
        Decimal("200000.00"),
    )
    assert credit.payment_terms == GradeTerms.objects.get(grade="A").payment_terms
    entry = audit.entries_for(credit).get(action="set_credit")
    assert entry.reason == "state-owned group, guarantee on file"
    assert entry.changes["grade"] == ["C", "A"]
    assert entry.changes["credit_limit"] == ["0.00", "200000.00"]


def test_sales_cannot_override_the_grade(sales1):
    customer = make_customer(sales1)

    with pytest.raises(NotAllowed):
        services.set_credit(customer, grade="A", by=sales1, reason="trust me")

    assert CreditFile.objects.get(customer=customer).grade == "C"


# --- settings: grade terms and the credit policy ---------------------------------------------


def test_finance_changes_the_credit_policy_with_before_and_after(finance1):
    values = {
        "weight_timeliness": "0.60",
        "weight_order_count": "0.10",
        "weight_order_amount": "0.30",
        "grade_a_from": "85",
    }

    policy = services.update_credit_policy(values, by=finance1, reason="board decision 2024-07")

    stored = CreditPolicy.objects.get(pk=1)
    assert (stored.weight_timeliness, stored.weight_order_count, stored.grade_a_from) == (
        Decimal("0.60"),
        Decimal("0.10"),
        Decimal("85.00"),
    )
    entry = audit.entries_for(policy).get(action="update_credit_policy")
    assert entry.reason == "board decision 2024-07"
    assert entry.changes == {
        "weight_timeliness": ["0.50", "0.60"],
        "weight_order_count": ["0.20", "0.10"],
        "grade_a_from": ["80.00", "85.00"],
    }


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        (
            {"weight_timeliness": "0.60"},
            {"weight_timeliness", "weight_order_count", "weight_order_amount"},
        ),
        ({"weight_order_count": "-0.20", "weight_timeliness": "0.90"}, {"weight_order_count"}),
        ({"weight_timeliness": "1.5"}, {"weight_timeliness"}),
        ({"weight_timeliness": "0.505"}, {"weight_timeliness"}),
        ({"grade_a_from": "40"}, {"grade_a_from", "grade_b_from"}),
        ({"grade_b_from": "80"}, {"grade_a_from", "grade_b_from"}),
        ({"grade_a_from": "101"}, {"grade_a_from"}),
        ({"full_score_orders": "0"}, {"full_score_orders"}),
        ({"full_score_orders": "2.5"}, {"full_score_orders"}),
        ({"full_score_amount": "-1"}, {"full_score_amount"}),
        ({"full_score_amount": "lots"}, {"full_score_amount"}),
        ({"colour": "red"}, {"colour"}),
    ],
)
def test_invalid_credit_policy_is_refused_naming_the_field(finance1, values, fields):
    with pytest.raises(ValidationFailed) as refused:
        services.update_credit_policy(values, by=finance1, reason="tuning")

    assert refused.value.code == "invalid_credit_policy"
    assert set(refused.value.fields) == fields
    stored = CreditPolicy.objects.get(pk=1)
    assert (stored.weight_timeliness, stored.grade_a_from, stored.full_score_orders) == (
        Decimal("0.50"),
        Decimal("80.00"),
        20,
    )
    assert not audit.entries_for(stored).exists()


@pytest.mark.parametrize("who", ["sales1", "admin1"])
def test_credit_settings_need_manage_credit(who, request, db):
    by = request.getfixturevalue(who)

    with pytest.raises(NotAllowed):
        services.update_credit_policy({"grade_a_from": "90"}, by=by, reason="stricter")
    with pytest.raises(NotAllowed):
        services.update_grade_terms("A", {"settlement_days": 60}, by=by, reason="longer")

    assert CreditPolicy.objects.get(pk=1).grade_a_from == Decimal("80.00")
    assert GradeTerms.objects.get(grade="A").settlement_days == 30


def test_credit_policy_change_needs_a_reason(finance1):
    with pytest.raises(ValidationFailed) as refused:
        services.update_credit_policy({"grade_a_from": "90"}, by=finance1, reason="")

    assert refused.value.code == "reason_required"


def test_new_grade_terms_apply_the_next_time_a_customer_is_graded(sales1, manager):
    earlier = make_customer(sales1)
    services.set_credit(earlier, grade="B", by=manager, reason="known for years")

    terms = services.update_grade_terms(
        "B",
        {
            "payment_terms": "预付20%定金，发货前付清",
            "deposit_percent": "20",
            "default_credit_limit": 80000,
        },
        by=manager,
        reason="deposit lowered by the board",
    )
    later = make_customer(sales1)
    services.set_credit(later, grade="B", by=manager, reason="good references")

    assert CreditFile.objects.get(customer=earlier).payment_terms.startswith("生产前预付30%")
    assert (
        CreditFile.objects.get(customer=later).payment_terms,
        CreditFile.objects.get(customer=later).credit_limit,
    ) == ("预付20%定金，发货前付清", Decimal("80000.00"))
    entry = audit.entries_for(terms).get(action="update_grade_terms")
    assert entry.reason == "deposit lowered by the board"
    assert entry.changes["deposit_percent"] == ["30.00", "20.00"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"payment_terms": ""}, "payment_terms"),
        ({"payment_terms": "<b>net 30</b>"}, "payment_terms"),
        ({"payment_terms": "x" * 201}, "payment_terms"),
        ({"deposit_percent": "101"}, "deposit_percent"),
        ({"deposit_percent": "-5"}, "deposit_percent"),
        ({"settlement_days": "30.5"}, "settlement_days"),
        ({"default_credit_limit": "-1"}, "default_credit_limit"),
        ({"discount": "5"}, "discount"),
    ],
)
def test_invalid_grade_terms_are_refused_naming_the_field(finance1, values, field):
    with pytest.raises(ValidationFailed) as refused:
        services.update_grade_terms("B", values, by=finance1, reason="tuning")

    assert refused.value.code == "invalid_grade_terms"
    assert set(refused.value.fields) == {field}
    assert GradeTerms.objects.get(grade="B").deposit_percent == Decimal("30.00")


def test_unknown_grade_terms_grade_is_refused(finance1):
    with pytest.raises(ValidationFailed) as refused:
        services.update_grade_terms("D", {"settlement_days": 10}, by=finance1, reason="new grade")

    assert set(refused.value.fields) == {"grade"}


# --- evaluating everyone: the monthly job ----------------------------------------------------


def test_evaluate_all_covers_every_live_customer_but_not_merged_ones(
    sales1, finance1, manager, history
):
    survivor, duplicate, other = (make_customer(sales1) for _ in range(3))
    services.merge_customers(survivor, duplicate, by=manager, reason="same company twice")
    history[other.pk] = CreditHistory(paid_on_time=5, order_count=20, order_amount=Decimal(10**6))

    count = services.evaluate_all_credit(by=finance1)

    assert count == 2
    files = {credit.customer_id: credit for credit in CreditFile.objects.all()}
    assert files[other.pk].proposed_grade == "A"
    assert files[survivor.pk].proposed_grade == "C"
    assert files[duplicate.pk].evaluated_at is None


def test_monthly_job_evaluates_as_the_system_user(sales1, history):
    customer = make_customer(sales1)
    history[customer.pk] = CreditHistory(paid_on_time=4, paid_late=1, order_count=10)

    evaluate_credit_monthly()  # Huey runs in immediate mode in tests

    credit = CreditFile.objects.get(customer=customer)
    assert (credit.proposed_grade, credit.proposed_score) == ("B", Decimal("50.00"))
    entry = audit.entries_for(credit).get(action="evaluate_credit")
    assert entry.actor == system_user()
    assert evaluate_credit_monthly.call_local() == 1


@pytest.mark.parametrize(
    ("utc", "due"),
    [
        ("2024-07-31 18:00", True),  # 2024-08-01 02:00 in Beijing
        ("2024-07-31 18:01", False),
        ("2024-08-01 02:00", False),  # 10:00 in Beijing
        ("2024-08-01 18:00", False),  # the 2nd in Beijing
    ],
)
def test_monthly_job_is_due_at_two_in_the_morning_company_time_on_the_first(utc, due):
    timestamp = dt.datetime.fromisoformat(utc)  # naive UTC, as Huey passes it

    scheduled = [type(task) for task in HUEY.read_periodic(timestamp)]

    assert (evaluate_credit_monthly.task_class in scheduled) is due

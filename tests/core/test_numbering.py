import datetime as dt

import pytest
from django.db import transaction

from orderdesk.core import numbering, services
from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.core.models import AuditEntry, Branch, NumberingRule

DAY = dt.date(2012, 1, 2)


def draw(kind: str, **kwargs) -> str:
    with transaction.atomic():
        return numbering.next_number(kind, **kwargs)


@pytest.fixture
def gd001(db) -> Branch:
    return Branch.objects.create(code="GD001", name="广州一店", province="广东")


def test_order_number_follows_the_seed_rule(gd001):
    numbers = [draw("order", on=DAY, branch=gd001) for _ in range(3)]

    assert numbers == ["GD001-20120102-01", "GD001-20120102-02", "GD001-20120102-03"]


def test_order_serial_restarts_daily_and_per_branch(gd001):
    gd002 = Branch.objects.create(code="GD002", name="广州二店", province="广东")
    draw("order", on=DAY, branch=gd001)

    next_day = draw("order", on=DAY + dt.timedelta(days=1), branch=gd001)
    other_branch = draw("order", on=DAY, branch=gd002)

    assert next_day == "GD001-20120103-01"
    assert other_branch == "GD002-20120102-01"


def test_customer_code_is_abbreviation_year_and_yearly_serial(db):
    first = draw("customer", on=dt.date(2026, 12, 31))
    second = draw("customer", on=dt.date(2026, 12, 31))
    next_year = draw("customer", on=dt.date(2027, 1, 1))

    assert (first, second, next_year) == ("OD20260001", "OD20260002", "OD20270001")


def test_serial_widens_instead_of_wrapping(gd001):
    numbers = [draw("order", on=DAY, branch=gd001) for _ in range(100)]

    assert numbers[98] == "GD001-20120102-99"
    assert numbers[99] == "GD001-20120102-100"
    assert len(set(numbers)) == 100


def test_rolled_back_document_gives_its_number_back(gd001):
    def failing_document() -> None:
        with transaction.atomic():
            numbering.next_number("order", on=DAY, branch=gd001)
            raise RuntimeError("the document fails after drawing its number")

    with pytest.raises(RuntimeError):
        failing_document()

    assert draw("order", on=DAY, branch=gd001) == "GD001-20120102-01"


def test_branch_rule_without_branch_is_refused(db):
    with pytest.raises(ValidationFailed) as refused:
        draw("order", on=DAY)

    assert refused.value.code == "branch_required"
    assert "branch" in refused.value.fields


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_next_number_needs_the_callers_transaction():
    with pytest.raises(RuntimeError):
        numbering.next_number("customer")


@pytest.mark.parametrize(
    ("pattern", "reset", "problem"),
    [
        ("{company}{yyyy}", "yearly", "exactly one"),
        ("{company}{seq:4}{seq:2}", "never", "exactly one"),
        ("{company}{year}{seq:4}", "yearly", "Unknown token"),
        ("{company}{seq:4}", "yearly", "year"),
        ("{branch}-{yyyy}-{seq:2}", "daily", "full date"),
        ("{branch}-{seq:2", "never", "brace"),
    ],
)
def test_unusable_patterns_are_explained(pattern, reset, problem):
    problems = numbering.Pattern(pattern).problems(reset)

    assert problem in problems["pattern"]


def test_update_rule_is_audited_and_changes_new_numbers(admin1):
    rule = NumberingRule.objects.get(kind="customer")

    services.update_numbering_rule(
        rule, pattern="KH{yy}{mm}{seq:3}", reset="yearly", by=admin1, reason="新编码规范"
    )

    assert draw("customer", on=dt.date(2026, 5, 1)) == "KH2605001"
    entry = AuditEntry.objects.get(action="update_numbering_rule")
    assert entry.changes["pattern"] == ["{company}{yyyy}{seq:4}", "KH{yy}{mm}{seq:3}"]
    assert entry.reason == "新编码规范"


def test_update_rule_refuses_bad_pattern_and_non_admins(admin1, sales1):
    rule = NumberingRule.objects.get(kind="order")

    with pytest.raises(ValidationFailed) as bad:
        services.update_numbering_rule(rule, pattern="{branch}", reset="daily", by=admin1)
    with pytest.raises(NotAllowed):
        services.update_numbering_rule(
            rule, pattern="{branch}-{yyyymmdd}-{seq:3}", reset="daily", by=sales1
        )

    assert bad.value.code == "invalid_pattern"
    assert NumberingRule.objects.get(kind="order").pattern == "{branch}-{yyyymmdd}-{seq:2}"
    assert not AuditEntry.objects.filter(action="update_numbering_rule").exists()


def test_preview_shows_the_first_number():
    assert (
        numbering.Pattern("{branch}-{yyyymmdd}-{seq:2}").render(
            values={"branch": "GD001", "yyyymmdd": "20120102"}, serial=3
        )
        == "GD001-20120102-03"
    )

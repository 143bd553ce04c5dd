"""Writing the work-calendar table: one day, removal and the all-or-nothing CSV import."""

import datetime as dt

import pytest

from orderdesk.core import services
from orderdesk.core.errors import NotAllowed, NotFound, ValidationFailed
from orderdesk.core.models import AuditEntry, CalendarDay, DayKind

NEW_YEAR = dt.date(2027, 1, 1)


def audit_actions():
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def test_setting_a_day_creates_the_row_and_audits_it(admin1):
    entry = services.set_calendar_day(
        NEW_YEAR,
        kind=DayKind.HOLIDAY,
        name="元旦",
        statutory=True,
        by=admin1,
        reason="State Council notice",
    )

    assert CalendarDay.objects.get(date=NEW_YEAR) == entry
    audit = AuditEntry.objects.get(object_id=str(entry.pk))
    assert (audit.action, audit.actor, audit.reason) == (
        "create_calendar_day",
        admin1,
        "State Council notice",
    )
    assert audit.changes["kind"] == [None, "holiday"]
    assert audit.changes["statutory"] == [None, True]


def test_changing_a_day_records_before_and_after(admin1):
    services.set_calendar_day(NEW_YEAR, kind=DayKind.HOLIDAY, name="元旦", by=admin1)

    services.set_calendar_day(
        NEW_YEAR, kind=DayKind.WORKDAY, name="盘点", by=admin1, reason="stocktaking"
    )

    entry = CalendarDay.objects.get(date=NEW_YEAR)
    assert (entry.kind, entry.name) == (DayKind.WORKDAY, "盘点")
    change = AuditEntry.objects.filter(action="update_calendar_day").get()
    assert change.changes == {"kind": ["holiday", "workday"], "name": ["元旦", "盘点"]}


def test_setting_the_same_values_again_writes_nothing(admin1):
    services.set_calendar_day(NEW_YEAR, kind=DayKind.HOLIDAY, by=admin1)

    services.set_calendar_day(NEW_YEAR, kind=DayKind.HOLIDAY, by=admin1)

    assert audit_actions() == ["create_calendar_day"]


def test_an_unknown_kind_is_refused(admin1):
    with pytest.raises(ValidationFailed) as refused:
        services.set_calendar_day(NEW_YEAR, kind="half_day", by=admin1)

    assert refused.value.code == "calendar_day_invalid"
    assert "kind" in refused.value.fields
    assert not CalendarDay.objects.exists()


def test_sales_may_not_change_the_calendar(admin1, sales1):
    entry = services.set_calendar_day(NEW_YEAR, kind=DayKind.HOLIDAY, by=admin1)

    with pytest.raises(NotAllowed):
        services.set_calendar_day(dt.date(2027, 1, 2), kind=DayKind.HOLIDAY, by=sales1)
    with pytest.raises(NotAllowed):
        services.remove_calendar_day(entry, by=sales1)
    with pytest.raises(NotAllowed):
        services.import_calendar_days("date,kind\n2027-01-03,holiday\n", by=sales1)

    assert list(CalendarDay.objects.values_list("date", flat=True)) == [NEW_YEAR]
    assert audit_actions() == ["create_calendar_day"]


def test_removing_a_day_is_audited_with_its_last_values(admin1):
    entry = services.set_calendar_day(NEW_YEAR, kind=DayKind.HOLIDAY, name="元旦", by=admin1)

    services.remove_calendar_day(entry, by=admin1, reason="entered twice")

    assert not CalendarDay.objects.exists()
    removal = AuditEntry.objects.get(action="remove_calendar_day")
    assert removal.object_id == str(entry.pk)
    assert removal.reason == "entered twice"
    assert removal.changes["name"] == ["元旦", None]


def test_removing_a_removed_day_is_not_found(admin1):
    entry = services.set_calendar_day(NEW_YEAR, kind=DayKind.HOLIDAY, by=admin1)
    services.remove_calendar_day(entry, by=admin1)

    with pytest.raises(NotFound):
        services.remove_calendar_day(entry, by=admin1)


def test_import_accepts_english_and_chinese_words(admin1):
    text = (
        "\ufeffdate,kind,name,statutory\n"
        "2027-01-01,holiday,元旦,1\n"
        "2027/2/6,班,春节调休,是\n"
        "2027-02-11,休,春节,true\n"
        "\n"
        "2027-07-16,Workday,公司盘点,否\n"
    )

    count = services.import_calendar_days(text, by=admin1, reason="2027 notice")

    assert count == 4
    rows = {row.date: (row.kind, row.name, row.statutory) for row in CalendarDay.objects.all()}
    assert rows == {
        dt.date(2027, 1, 1): ("holiday", "元旦", True),
        dt.date(2027, 2, 6): ("workday", "春节调休", True),
        dt.date(2027, 2, 11): ("holiday", "春节", True),
        dt.date(2027, 7, 16): ("workday", "公司盘点", False),
    }
    assert audit_actions() == ["create_calendar_day"] * 4
    assert set(AuditEntry.objects.values_list("reason", flat=True)) == {"2027 notice"}


def test_import_updates_existing_rows_and_skips_unchanged_ones(admin1):
    services.set_calendar_day(NEW_YEAR, kind=DayKind.WORKDAY, by=admin1)
    services.set_calendar_day(dt.date(2027, 1, 2), kind=DayKind.HOLIDAY, by=admin1)

    count = services.import_calendar_days(
        "date,kind,name,statutory\n2027-01-01,假,元旦,1\n2027-01-02,holiday,,0\n", by=admin1
    )

    assert count == 1
    assert CalendarDay.objects.get(date=NEW_YEAR).kind == DayKind.HOLIDAY
    assert audit_actions() == ["create_calendar_day", "create_calendar_day", "update_calendar_day"]


def test_import_is_all_or_nothing_and_names_every_bad_line(admin1):
    text = (
        "date,kind,name,statutory\n"
        "2027-01-01,holiday,元旦,1\n"
        "2027-13-01,holiday,,1\n"
        "2027-01-04,rest,,1\n"
        "2027-01-05,holiday,,maybe\n"
    )

    with pytest.raises(ValidationFailed) as refused:
        services.import_calendar_days(text, by=admin1)

    assert refused.value.code == "calendar_import_invalid"
    assert set(refused.value.fields) == {"line 3", "line 4", "line 5"}
    assert not CalendarDay.objects.exists()
    assert not AuditEntry.objects.exists()


def test_import_refuses_a_date_twice_in_the_file(admin1):
    text = (
        "date,kind,name,statutory\n2027-01-01,holiday,,1\n2027-01-02,holiday,,1\n"
        "2027-01-01,workday,,1\n"
    )

    with pytest.raises(ValidationFailed) as refused:
        services.import_calendar_days(text, by=admin1)

    assert list(refused.value.fields) == ["line 4"]
    assert "line 2" in refused.value.fields["line 4"]
    assert not CalendarDay.objects.exists()


def test_import_needs_the_header(admin1):
    with pytest.raises(ValidationFailed) as refused:
        services.import_calendar_days("2027-01-01,holiday,,1\n", by=admin1)

    assert refused.value.code == "calendar_import_header"
    assert list(refused.value.fields) == ["line 1"]


def test_import_of_a_file_without_lines_is_refused(admin1):
    with pytest.raises(ValidationFailed) as refused:
        services.import_calendar_days("date,kind,name,statutory\n\n", by=admin1)

    assert refused.value.code == "calendar_import_empty"

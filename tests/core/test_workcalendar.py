"""Working days and hours: the statutory calendar, adjusted weekends, the fallback beyond the
bundled data, company overrides and the dashboard notice."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from orderdesk.core import context, services, workcalendar
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.models import CalendarDay, DayKind
from orderdesk.core.workcalendar import DayRule, WorkCalendar, WorkingHours

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar(WorkingHours(), {}, SHANGHAI)


def at(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_the_bundled_calendar_has_the_2025_national_day_facts_we_rely_on():
    assert all(not chinese_calendar.is_workday(dt.date(2025, 10, day)) for day in range(1, 9))
    assert chinese_calendar.is_workday(dt.date(2025, 9, 28))  # a Sunday
    assert chinese_calendar.is_workday(dt.date(2025, 10, 11))  # a Saturday
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(2027, 1, 4))


def test_national_day_week_2025_is_off():
    off = [dt.date(2025, 10, day) for day in range(1, 9)]

    assert [CALENDAR.is_workday(day) for day in off] == [False] * 8
    assert CALENDAR.is_workday(dt.date(2025, 10, 9))


def test_adjusted_weekend_days_are_working_days():
    adjusted_saturday = dt.date(2025, 10, 11)
    adjusted_sunday = dt.date(2025, 9, 28)

    assert adjusted_saturday.weekday() == 5
    assert CALENDAR.is_workday(adjusted_saturday)
    assert CALENDAR.is_workday(adjusted_sunday)
    assert not CALENDAR.is_workday(dt.date(2025, 10, 18))  # an ordinary Saturday


def test_adding_working_days_skips_the_national_day_week():
    assert CALENDAR.add_working_days(dt.date(2025, 9, 30), 1) == dt.date(2025, 10, 9)
    assert CALENDAR.add_working_days(dt.date(2025, 9, 26), 1) == dt.date(2025, 9, 28)
    assert CALENDAR.add_working_days(dt.date(2025, 10, 9), 2) == dt.date(2025, 10, 11)
    assert CALENDAR.add_working_days(dt.date(2025, 10, 9), -1) == dt.date(2025, 9, 30)


def test_zero_working_days_is_the_same_or_the_next_working_day():
    assert CALENDAR.add_working_days(dt.date(2025, 10, 3), 0) == dt.date(2025, 10, 9)
    assert CALENDAR.add_working_days(dt.date(2025, 10, 11), 0) == dt.date(2025, 10, 11)


def test_working_hours_continue_after_the_lunch_break():
    assert CALENDAR.add_working_hours(at(2026, 11, 23, 11), 2) == at(2026, 11, 23, 14, 30)
    assert CALENDAR.add_working_hours(at(2026, 11, 23, 10), 2) == at(2026, 11, 23, 12)


def test_working_hours_continue_the_next_morning():
    assert CALENDAR.add_working_hours(at(2026, 11, 23, 16, 30), 2) == at(2026, 11, 24, 9, 30)
    assert CALENDAR.add_working_hours(at(2026, 11, 23, 19), 1) == at(2026, 11, 24, 9, 30)


def test_working_hours_skip_the_weekend():
    friday_afternoon = at(2026, 11, 20, 17)
    saturday = at(2026, 11, 21, 10)

    assert CALENDAR.add_working_hours(friday_afternoon, 1) == at(2026, 11, 23, 9)
    assert CALENDAR.add_working_hours(saturday, Decimal("1.5")) == at(2026, 11, 23, 10)
    assert CALENDAR.add_working_hours(saturday, 0) == at(2026, 11, 23, 8, 30)


def test_negative_working_hours_count_backwards():
    assert CALENDAR.add_working_hours(at(2026, 11, 23, 9), -1) == at(2026, 11, 20, 17)
    assert CALENDAR.add_working_hours(at(2026, 11, 23, 14), dt.timedelta(hours=-1)) == at(
        2026, 11, 23, 11, 30
    )


def test_working_hours_accept_any_zone_and_answer_in_local_time():
    utc_start = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai

    result = CALENDAR.add_working_hours(utc_start, 1)

    assert result == at(2026, 11, 23, 10)
    assert result.tzinfo == SHANGHAI


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        CALENDAR.add_working_hours(dt.datetime(2026, 11, 23, 9), 1)  # noqa: DTZ001


def test_working_hours_between_is_antisymmetric():
    monday, tuesday_noon = at(2026, 11, 23, 8, 30), at(2026, 11, 24, 12)

    assert CALENDAR.working_hours_between(monday, tuesday_noon) == dt.timedelta(hours=11)
    assert CALENDAR.working_hours_between(tuesday_noon, monday) == -dt.timedelta(hours=11)
    assert CALENDAR.working_hours_between(at(2025, 10, 1, 9), at(2025, 10, 8, 17)) == dt.timedelta()


def test_years_beyond_the_bundled_calendar_fall_back_to_weekends():
    assert workcalendar.statutory_detail(dt.date(2027, 1, 1)) is None
    assert CALENDAR.is_workday(dt.date(2027, 1, 1))  # a Friday, New Year unknown
    assert not CALENDAR.is_workday(dt.date(2027, 1, 2))
    assert CALENDAR.add_working_days(dt.date(2027, 1, 1), 1) == dt.date(2027, 1, 4)


def test_a_row_overrides_the_statutory_calendar():
    calendar = WorkCalendar(
        WorkingHours(),
        {
            dt.date(2025, 10, 8): DayRule(workday=True, name="Stocktaking"),
            dt.date(2025, 10, 11): DayRule(workday=False, name="Company outing"),
        },
        SHANGHAI,
    )

    assert calendar.is_workday(dt.date(2025, 10, 8))
    assert not calendar.is_workday(dt.date(2025, 10, 11))
    assert calendar.holiday_name(dt.date(2025, 10, 11)) == "Company outing"


def test_holiday_names_come_from_the_bundled_calendar():
    with translation.override("en"):
        assert CALENDAR.holiday_name(dt.date(2025, 10, 1)) == "National Day"
        assert CALENDAR.holiday_name(dt.date(2025, 10, 9)) == ""


def test_statutory_schedule_lists_holidays_and_adjusted_days():
    with translation.override("en"):
        spans = workcalendar.statutory_schedule(2025)

    assert spans is not None
    national_day = [span for span in spans if span.name == "National Day"]
    assert [(span.first, span.last, span.workday) for span in national_day] == [
        (dt.date(2025, 9, 28), dt.date(2025, 9, 28), True),
        (dt.date(2025, 10, 1), dt.date(2025, 10, 5), False),
        (dt.date(2025, 10, 7), dt.date(2025, 10, 8), False),
        (dt.date(2025, 10, 11), dt.date(2025, 10, 11), True),
    ]
    assert workcalendar.statutory_schedule(2027) is None


def test_empty_working_hours_are_refused_rather_than_looping():
    noon = dt.time(12)
    calendar = WorkCalendar(WorkingHours(noon, noon, noon, noon), {}, SHANGHAI)

    with pytest.raises(ValidationFailed) as refused:
        calendar.add_working_hours(at(2026, 11, 23, 9), 1)

    assert refused.value.code == "working_hours_empty"


# --- loaded from the database ----------------------------------------------------------------


def test_a_company_holiday_in_2027_overrides_the_weekday_fallback(admin1):
    services.set_calendar_day(dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦", by=admin1)

    assert not workcalendar.is_workday(dt.date(2027, 1, 1))
    assert workcalendar.add_working_days(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)
    assert workcalendar.holiday_name(dt.date(2027, 1, 1)) == "元旦"


def test_working_hours_come_from_the_company_profile(admin1):
    services.update_company_profile(
        {
            "workday_start": dt.time(9),
            "break_start": dt.time(12),
            "break_end": dt.time(13),
            "workday_end": dt.time(18),
        },
        by=admin1,
    )

    assert workcalendar.add_working_hours(at(2026, 11, 23, 8), 4) == at(2026, 11, 23, 14)
    assert workcalendar.working_hours_between(at(2026, 11, 23), at(2026, 11, 24)) == (
        dt.timedelta(hours=8)
    )


def test_loading_the_calendar_takes_a_fixed_number_of_queries(
    admin1, django_assert_max_num_queries
):
    for day in (1, 2, 3):
        services.set_calendar_day(dt.date(2027, 2, day), kind=DayKind.HOLIDAY, by=admin1)

    with django_assert_max_num_queries(2):
        result = workcalendar.add_working_days(dt.date(2027, 1, 1), 250)

    assert result.year == 2027


def test_next_year_schedule_is_missing_until_an_official_row_exists(admin1):
    today = dt.date(2026, 11, 23)
    assert workcalendar.next_year_schedule_missing(today)
    assert not workcalendar.next_year_schedule_missing(dt.date(2025, 6, 1))

    services.set_calendar_day(dt.date(2027, 3, 1), kind=DayKind.HOLIDAY, by=admin1)
    assert workcalendar.next_year_schedule_missing(today)  # a company day is not the schedule

    services.set_calendar_day(
        dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦", statutory=True, by=admin1
    )
    assert not workcalendar.next_year_schedule_missing(today)


def test_only_calendar_managers_see_the_missing_schedule_notice(admin1, sales1):
    today = dt.date(2026, 11, 23)

    with translation.override("en"):
        notices = workcalendar.notices_for(admin1, today=today)

    assert len(notices) == 1
    assert "2027" in notices[0]
    assert "next year's official holiday schedule" in notices[0]
    assert "work calendar page" in notices[0]
    assert workcalendar.notices_for(sales1, today=today) == []


def test_the_notice_disappears_once_next_year_is_entered(admin1):
    services.set_calendar_day(dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, statutory=True, by=admin1)

    assert workcalendar.notices_for(admin1, today=dt.date(2026, 11, 23)) == []


def test_a_missing_current_year_is_also_reported(admin1):
    notices = workcalendar.notices_for(admin1, today=dt.date(2027, 3, 1))

    assert len(notices) == 2


# --- properties ------------------------------------------------------------------------------

PROPERTY_CALENDAR = WorkCalendar(
    WorkingHours(),
    {
        dt.date(2027, 1, 1): DayRule(workday=False, name="元旦"),
        dt.date(2027, 2, 6): DayRule(workday=True, name="春节调休"),
    },
    SHANGHAI,
)
working_days = st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)).filter(
    PROPERTY_CALENDAR.is_workday
)
# hypothesis wants naive bounds; the zone is attached below
moments = st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2027, 12, 31)).map(  # noqa: DTZ001
    lambda moment: moment.replace(second=0, microsecond=0, tzinfo=SHANGHAI)
)


@settings(max_examples=50, deadline=None)
@given(start=working_days, days=st.integers(0, 60))
def test_working_days_there_and_back_return_to_the_start(start, days):
    there = PROPERTY_CALENDAR.add_working_days(start, days)

    assert PROPERTY_CALENDAR.is_workday(there)
    assert PROPERTY_CALENDAR.add_working_days(there, -days) == start


@settings(max_examples=50, deadline=None)
@given(start=moments, minutes=st.integers(0, 60 * 80))
def test_hours_between_undoes_adding_hours(start, minutes):
    amount = dt.timedelta(minutes=minutes)

    end = PROPERTY_CALENDAR.add_working_hours(start, amount)

    assert end >= start
    assert PROPERTY_CALENDAR.working_hours_between(start, end) == amount
    assert PROPERTY_CALENDAR.working_hours_between(end, start) == -amount


@pytest.mark.django_db
def test_calendar_is_read_once_per_request_and_forgotten_when_changed(
    django_assert_num_queries,
):
    token = context.start_request_memo()
    try:
        with django_assert_num_queries(2):
            workcalendar.current()
            workcalendar.current()
        day = dt.date(2031, 3, 3)  # a Monday
        assert workcalendar.is_workday(day)
        CalendarDay.objects.create(date=day, kind=DayKind.HOLIDAY, name="公司假日")
        assert not workcalendar.is_workday(day)
    finally:
        context.end_request_memo(token)

"""The work calendar page and the dashboard notice."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orderdesk.core import services
from orderdesk.core.models import AuditEntry, CalendarDay, DayKind

URL = reverse("core:calendar")


@pytest.fixture
def admin_client(client, admin1):
    client.force_login(admin1)
    return client


def csv_upload(text, encoding="utf-8"):
    return SimpleUploadedFile("calendar.csv", text.encode(encoding), content_type="text/csv")


def test_calendar_managers_see_the_year_and_the_official_schedule(admin_client, admin1):
    services.set_calendar_day(
        dt.date(2025, 10, 11), kind=DayKind.HOLIDAY, name="Company outing", by=admin1
    )

    response = admin_client.get(URL, {"year": 2025})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Company outing" in page
    assert 'data-confirm="' in page
    assert "2025-10-01 – 10-05" in page  # the bundled National Day holidays


def test_a_year_without_rows_shows_the_empty_state(admin_client):
    response = admin_client.get(URL, {"year": 2027})

    assert response.status_code == 200
    assert 'class="card empty"' in response.content.decode()
    assert response.context["statutory"] is None


def test_the_page_warns_while_next_year_has_no_schedule(admin_client):
    response = admin_client.get(URL)

    assert 'class="notice warning"' in response.content.decode()


def test_sales_may_not_open_the_calendar(client, sales1):
    client.force_login(sales1)

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"action": "add"}).status_code == 403


def test_adding_a_day_through_the_page(admin_client, admin1):
    response = admin_client.post(
        f"{URL}?year=2027",
        {
            "action": "add",
            "day-date": "2027-01-01",
            "day-kind": "holiday",
            "day-name": "元旦",
            "day-statutory": "on",
            "day-reason": "notice published",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?year=2027"
    entry = CalendarDay.objects.get(date=dt.date(2027, 1, 1))
    assert (entry.kind, entry.name, entry.statutory) == ("holiday", "元旦", True)
    assert AuditEntry.objects.get(action="create_calendar_day").actor == admin1


def test_an_incomplete_day_form_is_shown_again(admin_client):
    response = admin_client.post(URL, {"action": "add", "day-kind": "holiday"})

    assert response.status_code == 200
    assert response.context["day_form"].errors["date"]
    assert not CalendarDay.objects.exists()


def test_removing_a_day_through_the_page(admin_client, admin1):
    entry = services.set_calendar_day(dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, by=admin1)

    response = admin_client.post(URL, {"action": "delete", "entry": entry.pk})

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?year=2027"
    assert not CalendarDay.objects.exists()
    assert AuditEntry.objects.filter(action="remove_calendar_day").count() == 1


def test_importing_a_file_through_the_page(admin_client):
    upload = csv_upload(
        "date,kind,name,statutory\n2027-01-01,休,元旦,1\n2027-02-06,班,调休,1\n", encoding="gb18030"
    )

    response = admin_client.post(
        f"{URL}?year=2027",
        {"action": "import", "import-file": upload, "import-reason": "2027 notice"},
    )

    assert response.status_code == 302
    assert dict(CalendarDay.objects.values_list("date", "name")) == {
        dt.date(2027, 1, 1): "元旦",
        dt.date(2027, 2, 6): "调休",
    }


def test_a_bad_import_shows_the_lines_and_writes_nothing(admin_client):
    upload = csv_upload("date,kind,name,statutory\n2027-01-01,holiday,,1\n2027-01-32,holiday,,1\n")

    response = admin_client.post(URL, {"action": "import", "import-file": upload})

    assert response.status_code == 200
    assert "Line 3" in " ".join(response.context["import_form"].errors["file"])
    assert not CalendarDay.objects.exists()


def test_an_unknown_action_is_a_bad_request(admin_client):
    assert admin_client.post(URL, {"action": "explode"}).status_code == 400


def test_the_dashboard_shows_the_notice_only_to_calendar_managers(client, admin1, sales1):
    client.force_login(admin1)
    admin_page = client.get(reverse("core:dashboard")).content.decode()
    client.force_login(sales1)
    sales_page = client.get(reverse("core:dashboard")).content.decode()

    assert 'class="notice warning"' in admin_page
    assert 'class="notice warning"' not in sales_page
    assert reverse("core:my_tasks") in sales_page

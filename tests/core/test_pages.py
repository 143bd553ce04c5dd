import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from orderdesk.core.models import AuditEntry, Branch, CompanyProfile, NumberingRule


def test_healthz_checks_the_database(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_dashboard_and_tasks_render_for_every_user(client, sales1):
    client.force_login(sales1)

    tasks = client.get("/tasks/")

    assert client.get("/").status_code == 200
    assert tasks.status_code == 200
    assert tasks.context["tasks"] == []


def test_navigation_hides_settings_from_sales(client, sales1, admin1):
    client.force_login(sales1)
    sales_page = client.get("/").content.decode()
    client.force_login(admin1)
    admin_page = client.get("/").content.decode()

    assert "/settings/numbering/" not in sales_page
    assert "/settings/numbering/" in admin_page


@pytest.mark.parametrize(
    "path", ["/settings/company/", "/settings/branches/", "/settings/numbering/", "/audit/"]
)
def test_settings_pages_need_their_permission(client, sales1, admin1, path):
    client.force_login(sales1)
    assert client.get(path).status_code == 403
    client.force_login(admin1)
    assert client.get(path).status_code == 200


def test_company_form_saves_through_the_service_with_audit(client, admin1):
    client.force_login(admin1)
    data = {
        "name": "华东精工机械有限公司",
        "abbreviation": "HDJG",
        "tax_number": "",
        "address": "",
        "phone": "",
        "bank_name": "",
        "bank_account": "",
        "workday_start": "08:30",
        "break_start": "12:00",
        "break_end": "13:00",
        "workday_end": "17:30",
        "reason": "公司更名",
    }

    response = client.post("/settings/company/", data)

    assert response.status_code == 302
    profile = CompanyProfile.objects.get(pk=1)
    assert profile.abbreviation == "HDJG"
    entry = AuditEntry.objects.get(action="update_company_profile")
    assert entry.changes["abbreviation"] == ["OD", "HDJG"]
    assert entry.reason == "公司更名"


def test_company_form_rejects_unordered_working_hours(client, admin1):
    client.force_login(admin1)
    data = {
        "name": "X",
        "abbreviation": "X",
        "workday_start": "18:00",
        "break_start": "12:00",
        "break_end": "13:00",
        "workday_end": "17:30",
    }

    response = client.post("/settings/company/", data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert CompanyProfile.objects.get(pk=1).name == "我的公司"


def test_branch_create_rejects_bad_code_and_duplicates(client, admin1):
    client.force_login(admin1)
    good = {
        "code": "GD001",
        "name": "广州一店",
        "province": "广东",
        "city": "广州",
        "address": "",
        "is_active": "on",
    }

    created = client.post("/settings/branches/", good)
    duplicate = client.post("/settings/branches/", good)
    bad = client.post("/settings/branches/", {**good, "code": "gd-1"})

    assert created.status_code == 302
    assert duplicate.status_code == 200
    assert bad.status_code == 200
    assert "code" in bad.context["form"].errors
    assert list(Branch.objects.values_list("code", flat=True)) == ["GD001"]
    assert AuditEntry.objects.filter(action="create_branch").count() == 1


def test_numbering_edit_page_shows_pattern_errors(client, admin1):
    client.force_login(admin1)
    rule_id = NumberingRule.objects.get(kind="customer").pk

    response = client.post(
        f"/settings/numbering/{rule_id}/", {"pattern": "{company}", "reset": "yearly", "reason": ""}
    )

    assert response.status_code == 200
    assert "pattern" in response.context["form"].errors


def all_paths(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from all_paths(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


PUBLIC = ("accounts/login/", "healthz", "api/", "i18n/", "admin/")


def test_every_page_but_the_public_ones_requires_login(client, db):
    checked = 0
    for path in all_paths(get_resolver().url_patterns):
        if path.startswith(PUBLIC) or "<" in path or "(" in path or "^" in path:
            continue
        response = client.get("/" + path)
        assert response.status_code == 302, path
        assert "/accounts/login/" in response.url, path
        checked += 1
    assert checked >= 5


def test_forbidden_and_missing_pages_use_the_layout(client, sales1):
    client.force_login(sales1)

    forbidden = client.get("/settings/company/")
    missing = client.get("/no-such-page/")

    assert forbidden.status_code == 403
    assert "You do not have permission" in forbidden.content.decode()
    assert missing.status_code == 404
    assert 'class="mainnav"' in missing.content.decode()

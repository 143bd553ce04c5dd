"""A person's path through the UI shell in real Chromium."""

import pytest

from orderdesk.core.models import AuditEntry, NumberingRule

from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "Pa55word-for-tests"


def test_sales_user_logs_in_sees_tasks_switches_language_and_logs_out(page, make_user):
    make_user("sales1", "sales", display_name="张伟")

    log_in(page, "sales1", PASSWORD)
    page.wait_for_url("**/")
    page.click("text=我的待办")
    empty_state = page.locator(".empty strong").inner_text()
    with page.expect_navigation():
        page.select_option("#language", "en")
    english_heading = page.locator("h1").inner_text()
    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/")

    assert empty_state == "当前没有待办事项"
    assert english_heading == "My tasks"
    assert page.console.errors == []


def test_wrong_password_shows_an_error_on_the_page(page, make_user):
    make_user("sales1", "sales")

    log_in(page, "sales1", "not-the-password")

    assert page.locator("[role=alert]").is_visible()
    assert "/accounts/login/" in page.url
    assert page.console.errors == []


def test_admin_changes_a_numbering_rule_and_sees_it_in_the_history(page, make_user):
    make_user("admin1", "administrator")
    rule = NumberingRule.objects.get(kind="customer")

    log_in(page, "admin1", PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"/settings/numbering/{rule.pk}/")
    page.fill("#id_pattern", "KH{yyyy}{seq:5}")
    page.fill("#id_reason", "统一客户编码")
    page.click("main button[type=submit]")
    page.wait_for_url("**/settings/numbering/")
    listing = page.locator("table.list").inner_text()
    page.goto(f"/settings/numbering/{rule.pk}/")
    history = page.locator(".timeline").inner_text()

    assert "KH{yyyy}{seq:5}" in listing
    assert "统一客户编码" in history
    assert AuditEntry.objects.filter(action="update_numbering_rule").count() == 1
    assert page.console.errors == []


def test_every_page_in_the_navigation_loads_without_console_errors(page, make_user):
    make_user("admin1", "administrator")

    log_in(page, "admin1", PASSWORD)
    page.wait_for_url("**/")
    links = page.eval_on_selector_all(".mainnav a", "links => links.map(a => a.pathname)")
    for path in links:
        response = page.goto(path)
        assert response.status == 200, path

    assert len(links) >= 7
    assert page.console.errors == []

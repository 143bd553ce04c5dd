"""A salesperson's path through the customer pages in real Chromium."""

import pytest

from orderdesk.core.models import AuditEntry
from orderdesk.customers.models import Customer
from tests.factories.customers import valid_mobile, valid_uscc

from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "Pa55word-for-tests"
NAME = "杭州浏览器测试机械有限公司"


def fill_new_customer(page, *, uscc, mobile):
    page.goto("/customers/new/")
    page.fill("#id_name", NAME)
    page.select_option("#id_status", "active")
    page.fill("#id_uscc", uscc)
    page.select_option("#id_province", "浙江省")
    page.fill("#id_city", "杭州市")
    page.fill("#id_address", "文三路90号")
    page.fill("#id_contact-0-name", "王经理")
    page.fill("#id_contact-0-mobile", mobile)


def test_sales_create_confirm_a_duplicate_edit_with_a_reason_and_see_it_in_the_history(
    page, make_user
):
    make_user("sales1", "sales", display_name="张伟")
    log_in(page, "sales1", PASSWORD)
    page.wait_for_url("**/")

    fill_new_customer(page, uscc=valid_uscc(61001), mobile=valid_mobile(61001))
    page.click("main button[type=submit]")
    page.wait_for_url("**/customers/*/")
    first_code = page.locator("h1 + .muted code").inner_text()

    fill_new_customer(page, uscc=valid_uscc(61002), mobile=valid_mobile(61002))
    page.click("main button[type=submit]")
    warning = page.locator(".duplicates").inner_text()
    page.check("#id_confirm_duplicates")
    page.click("main button[type=submit]")
    page.wait_for_url("**/customers/*/")
    second = Customer.objects.exclude(code=first_code).get(name=NAME)

    page.click("a[href$='/edit/']")
    page.fill("#id_city", "宁波市")
    page.fill("#id_reason", "客户搬迁到宁波")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/customers/{second.pk}/")
    page.click("a[href='?tab=history']")
    page.wait_for_url("**?tab=history")
    history = page.locator(".timeline").inner_text()

    assert first_code in warning
    assert Customer.objects.filter(name=NAME).count() == 2
    assert Customer.objects.get(pk=second.pk).city == "宁波市"
    assert "客户搬迁到宁波" in history
    assert AuditEntry.objects.get(action="update_customer").reason == "客户搬迁到宁波"
    assert page.console.errors == []

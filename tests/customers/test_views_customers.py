"""Customer pages: list, customer page and tabs, forms, merge, import and export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from orderdesk.core.models import AccessLog, AuditEntry
from orderdesk.customers import services
from orderdesk.customers.models import Attachment, Contact, CreditPolicy, Customer, Interaction
from tests.factories.customers import (
    contact_values,
    customer_values,
    make_customer,
    valid_mobile,
    valid_uscc,
)

LIST = reverse("customers:list")
CREATE = reverse("customers:create")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def detail_url(customer, tab=""):
    url = reverse("customers:detail", args=[customer.pk])
    return f"{url}?tab={tab}" if tab else url


def logged_in(client, user):
    client.force_login(user)
    return client


def create_form(**overrides):
    """A filled create form: one customer, one contact row, two empty contact rows."""
    values = customer_values()
    contact = contact_values()
    data = {
        "name": values["name"],
        "type": "company",
        "status": "active",
        "uscc": values["uscc"],
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "address": values["address"],
        "industry": "机械制造",
        "contact-0-name": contact["name"],
        "contact-0-title": contact["title"],
        "contact-0-mobile": contact["mobile"],
        "contact-0-email": contact["email"],
    }
    return {**data, **overrides}


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_only_own_customers_within_a_query_budget(
    client, make_user, django_assert_max_num_queries
):
    sales1, sales2 = make_user("s1", "sales"), make_user("s2", "sales")
    own = [make_customer(sales1) for _ in range(30)]
    other = make_customer(sales2)
    logged_in(client, sales1)

    with django_assert_max_num_queries(10):
        response = client.get(LIST)

    page = response.content.decode()
    assert response.status_code == 200
    assert own[-1].code in page  # newest first
    assert own[0].code not in page  # on page 2 (25 per page)
    assert other.code not in page
    assert "page=2" in page
    assert len(response.context["customers"]) == 25


def test_searching_by_pinyin_initials_and_by_contact_mobile(client, sales1):
    hangzhou = make_customer(sales1, name="杭州电子仪器有限公司")
    ningbo = make_customer(sales1, name="宁波港务物流有限公司")
    mobile = ningbo.contacts.get().mobile
    logged_in(client, sales1)

    by_pinyin = client.get(LIST, {"q": "hzdz"}).context["customers"]
    by_mobile = client.get(LIST, {"q": mobile}).context["customers"]

    assert [customer.pk for customer in by_pinyin] == [hangzhou.pk]
    assert [customer.pk for customer in by_mobile] == [ningbo.pk]


def test_filters_by_province_and_status_and_the_export_link_keeps_them(client, sales1):
    zhejiang = make_customer(sales1, status="active")
    make_customer(sales1, province="江苏省", city="南京市", district="", status="active")
    make_customer(sales1, status="dormant")
    logged_in(client, sales1)

    response = client.get(LIST, {"province": "浙江省", "status": "active"})

    assert [customer.pk for customer in response.context["customers"]] == [zhejiang.pk]
    page = response.content.decode()
    assert f"{reverse('customers:export')}?province=" in page
    assert "status=active" in page


def test_the_grade_filter_is_only_offered_to_users_who_may_see_credit(client, sales1, finance1):
    graded = make_customer(sales1)
    services.set_credit(graded, grade="A", by=finance1, reason="good payer")
    make_customer(sales1)

    sales_page = logged_in(client, sales1).get(LIST, {"grade": "A"})
    finance_page = logged_in(client, finance1).get(LIST, {"grade": "A"})

    assert "grade" not in sales_page.context["form"].fields
    assert len(sales_page.context["customers"]) == 2  # the filter is ignored, not applied
    assert [customer.pk for customer in finance_page.context["customers"]] == [graded.pk]


def test_an_empty_search_shows_the_empty_state(client, sales1):
    make_customer(sales1)

    response = logged_in(client, sales1).get(LIST, {"q": "nothing-like-this"})

    assert 'class="card empty"' in response.content.decode()


def test_people_without_customer_access_get_403(client, make_user):
    warehouse = make_user("w1", "warehouse")

    assert logged_in(client, warehouse).get(LIST).status_code == 403


def test_the_new_customer_button_only_for_those_who_may_create(client, sales1, make_user):
    aftersales = make_user("a1", "aftersales")

    sales_page = logged_in(client, sales1).get(LIST).content.decode()
    aftersales_page = logged_in(client, aftersales).get(LIST).content.decode()

    assert CREATE in sales_page
    assert CREATE not in aftersales_page


def test_export_downloads_an_excel_workbook(client, sales1):
    make_customer(sales1)

    response = logged_in(client, sales1).get(reverse("customers:export"), {"status": "active"})

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    assert response.content[:2] == b"PK"


# --- the customer page ---------------------------------------------------------------------


@pytest.fixture
def owned(sales1):
    return make_customer(sales1, bank_name="工商银行", bank_account="6222020200112233445")


def test_the_owner_sees_the_page_with_unmasked_mobiles_and_the_view_is_logged(
    client, sales1, owned
):
    mobile = owned.contacts.get().mobile

    response = logged_in(client, sales1).get(detail_url(owned))

    page = response.content.decode()
    assert response.status_code == 200
    assert owned.code in page
    assert mobile in page
    assert "6222020200112233445" in page
    assert "?tab=credit" not in page  # sales do not see credit files
    assert AccessLog.objects.filter(actor=sales1, what="personal_data").exists()


def test_another_salesperson_gets_404(client, make_user, owned):
    sales2 = make_user("s2", "sales")

    response = logged_in(client, sales2).get(detail_url(owned))

    assert response.status_code == 404


def test_aftersales_see_masked_mobiles_and_bank_accounts(client, make_user, owned):
    aftersales = make_user("a1", "aftersales")
    mobile = owned.contacts.get().mobile

    page = logged_in(client, aftersales).get(detail_url(owned)).content.decode()

    assert mobile not in page
    assert f"{mobile[:3]}****{mobile[-4:]}" in page
    assert "6222020200112233445" not in page
    assert "**** 3445" in page
    assert reverse("customers:edit", args=[owned.pk]) not in page  # may not edit


def test_finance_sees_grade_and_credit_tab_and_the_view_is_logged(client, finance1, owned):
    services.set_credit(owned, grade="B", credit_limit="50000", by=finance1, reason="reviewed")

    response = logged_in(client, finance1).get(detail_url(owned, "credit"))

    page = response.content.decode()
    assert response.context["tab"] == "credit"
    assert 'data-grade="B"' in page
    assert "50000.00" in page
    assert reverse("customers:set_credit", args=[owned.pk]) in page
    assert AccessLog.objects.filter(actor=finance1, what="credit_file").exists()


def test_sales_asking_for_the_credit_tab_get_the_contacts(client, sales1, owned):
    response = logged_in(client, sales1).get(detail_url(owned, "credit"))

    assert response.context["tab"] == "contacts"
    assert response.context["credit"] is None


@pytest.mark.parametrize("tab", ["contacts", "needs", "interactions", "history"])
def test_every_tab_opens(client, sales1, owned, tab):
    response = logged_in(client, sales1).get(detail_url(owned, tab))

    assert response.status_code == 200
    assert response.context["tab"] == tab


def test_with_htmx_a_tab_comes_without_the_page_around_it(client, sales1, owned):
    response = logged_in(client, sales1).get(detail_url(owned, "history"), HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert 'id="customer-tabs"' in page
    assert "<html" not in page
    assert "create_customer" in page


def test_user_text_is_escaped_on_the_page(client, sales1, owned):
    services.record_need(owned, "<script>alert(1)</script> 要求木箱包装", by=sales1)

    page = logged_in(client, sales1).get(detail_url(owned, "needs")).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- create ----------------------------------------------------------------------------------


def test_creating_a_customer_with_two_contacts_and_an_address(client, sales1):
    data = create_form(
        **{
            "contact-1-name": "李四",
            "contact-1-mobile": valid_mobile(7001),
            "address-province": "浙江省",
            "address-city": "杭州市",
            "address-detail": "仓库路1号",
        }
    )

    response = logged_in(client, sales1).post(CREATE, data)

    customer = Customer.objects.get(name=data["name"])
    assert response.status_code == 302
    assert response["Location"] == customer.get_absolute_url()
    assert customer.owner == sales1
    assert sorted(customer.contacts.values_list("name", flat=True)) == sorted(
        [data["contact-0-name"], "李四"]
    )
    assert customer.contacts.get(is_primary=True).name == data["contact-0-name"]
    assert customer.addresses.get().province == "浙江省"
    assert AuditEntry.objects.filter(action="create_customer", object_id=str(customer.pk)).exists()


def test_invalid_input_is_shown_on_the_form_and_nothing_is_written(client, sales1):
    data = create_form(uscc="91330106000000000X", **{"contact-0-mobile": "12345"})

    response = logged_in(client, sales1).post(CREATE, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert "uscc" in form.errors
    assert "mobile" in response.context["contact_forms"][0].errors
    page = response.content.decode()
    assert "GB 32100" in page
    assert Customer.objects.count() == 0
    assert AuditEntry.objects.filter(action="create_customer").count() == 0


def test_field_errors_are_in_chinese_for_chinese_users(client, sales1):
    data = create_form(name="", **{"contact-0-email": "not-an-address"})

    response = logged_in(client, sales1).post(CREATE, data, HTTP_ACCEPT_LANGUAGE="zh-hans")

    page = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项。" in page
    assert "输入一个有效的 Email 地址。" in page
    assert Customer.objects.count() == 0


def test_a_possible_duplicate_must_be_confirmed(client, sales1):
    existing = make_customer(sales1, name="温州明达阀门有限公司")
    data = create_form(name="温州明达阀门 有限公司", uscc=valid_uscc(8101))
    logged_in(client, sales1)

    warned = client.post(CREATE, data)
    confirmed = client.post(CREATE, {**data, "confirm_duplicates": "on"})

    page = warned.content.decode()
    assert warned.status_code == 200
    assert "duplicates" in page
    assert existing.get_absolute_url() in page
    assert 'name="confirm_duplicates"' in page
    assert confirmed.status_code == 302
    assert Customer.objects.filter(name__startswith="温州明达阀门").count() == 2


def test_a_duplicate_uscc_is_refused_naming_the_existing_customer(client, sales1):
    existing = make_customer(sales1)
    data = create_form(uscc=existing.uscc)

    response = logged_in(client, sales1).post(CREATE, {**data, "confirm_duplicates": "on"})

    page = response.content.decode()
    assert response.status_code == 200
    assert existing.code in page
    assert existing.get_absolute_url() in page
    assert Customer.objects.count() == 1


def test_aftersales_may_not_open_the_create_form(client, make_user):
    aftersales = make_user("a1", "aftersales")

    assert logged_in(client, aftersales).get(CREATE).status_code == 403


# --- edit ------------------------------------------------------------------------------------


def edit_data(customer, **overrides):
    data = {
        name: getattr(customer, name) or ""
        for name in ("name", "type", "status", "uscc", "province", "city", "district", "address")
    }
    return {**data, **overrides}


def test_editing_without_a_reason_is_refused(client, sales1, owned):
    url = reverse("customers:edit", args=[owned.pk])

    response = logged_in(client, sales1).post(url, edit_data(owned, city="宁波市"))

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert Customer.objects.get(pk=owned.pk).city == "杭州市"


def test_editing_with_a_reason_saves_and_shows_it_in_the_history(client, sales1, owned):
    url = reverse("customers:edit", args=[owned.pk])
    logged_in(client, sales1)

    response = client.post(url, edit_data(owned, city="宁波市", reason="客户搬迁"))
    history = client.get(detail_url(owned, "history")).content.decode()

    assert response.status_code == 302
    assert Customer.objects.get(pk=owned.pk).city == "宁波市"
    assert AuditEntry.objects.get(action="update_customer").reason == "客户搬迁"
    assert "客户搬迁" in history


def test_others_may_not_open_the_edit_form(client, make_user, owned):
    sales2 = make_user("s2", "sales")
    aftersales = make_user("a1", "aftersales")
    url = reverse("customers:edit", args=[owned.pk])

    assert logged_in(client, sales2).get(url).status_code == 404
    assert logged_in(client, aftersales).get(url).status_code == 403


# --- contacts, needs, interactions ---------------------------------------------------------


def test_adding_a_contact_needs_a_reason(client, sales1, owned):
    url = reverse("customers:add_contact", args=[owned.pk])
    logged_in(client, sales1)

    refused = client.post(url, {"contact-name": "王五", "contact-mobile": valid_mobile(7301)})
    added = client.post(
        url,
        {"contact-name": "王五", "contact-mobile": valid_mobile(7301), "contact-reason": "新采购"},
    )

    assert refused.status_code == 200
    assert "reason" in refused.context["contact_form"].errors
    assert added.status_code == 302
    assert owned.contacts.filter(name="王五").exists()


def test_marking_the_primary_contact_as_left_hands_over_to_the_successor(client, sales1):
    customer = make_customer(sales1, contacts=2)
    leaving, successor = customer.contacts.order_by("-is_primary", "id")
    url = reverse("customers:contact_left", args=[customer.pk, leaving.pk])

    response = logged_in(client, sales1).post(
        url, {"reason": "采购经理离职", "new_primary": successor.pk, "left_on": "2025-03-01"}
    )

    leaving.refresh_from_db()
    successor.refresh_from_db()
    assert response.status_code == 302
    assert leaving.left_on == dt.date(2025, 3, 1)
    assert successor.is_primary
    entry = AuditEntry.objects.get(action="mark_contact_left")
    assert entry.reason == "采购经理离职"


def test_editing_a_contact_with_a_reason(client, sales1, owned):
    contact = owned.contacts.get()
    url = reverse("customers:edit_contact", args=[owned.pk, contact.pk])

    response = logged_in(client, sales1).post(
        url,
        {"name": contact.name, "mobile": contact.mobile, "title": "总经理", "reason": "升职"},
    )

    assert response.status_code == 302
    assert Contact.objects.get(pk=contact.pk).title == "总经理"


def test_setting_the_primary_contact(client, sales1):
    customer = make_customer(sales1, contacts=2)
    other = customer.contacts.get(is_primary=False)
    url = reverse("customers:set_primary_contact", args=[customer.pk, other.pk])

    response = logged_in(client, sales1).post(url, {f"primary-{other.pk}-reason": "对接人变更"})

    assert response.status_code == 302
    assert Contact.objects.get(pk=other.pk).is_primary


def test_recording_a_need(client, sales1, owned):
    url = reverse("customers:add_need", args=[owned.pk])

    response = logged_in(client, sales1).post(url, {"need-text": "只接受木箱包装"})

    assert response.status_code == 302
    assert owned.needs.get().text == "只接受木箱包装"


def test_logging_an_interaction_with_two_attachments_and_downloading_one(
    client, sales1, make_user, owned
):
    url = reverse("customers:add_interaction", args=[owned.pk])
    files = [
        SimpleUploadedFile("聊天截图.png", PNG, content_type="image/png"),
        SimpleUploadedFile("报价单.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    ]
    logged_in(client, sales1)

    response = client.post(
        url,
        {
            "interaction-kind": "chat",
            "interaction-happened_at": "2025-03-01T10:30",
            "interaction-contact": owned.contacts.get().pk,
            "interaction-summary": "客户询问交期",
            "interaction-files": files,
        },
    )
    interaction = Interaction.objects.get(customer=owned)
    image = Attachment.objects.get(name="聊天截图.png")
    download = client.get(reverse("customers:attachment", args=[owned.pk, image.pk]))
    tab = client.get(detail_url(owned, "interactions")).content.decode()
    stranger = logged_in(client, make_user("s2", "sales")).get(
        reverse("customers:attachment", args=[owned.pk, image.pk])
    )

    assert response.status_code == 302
    assert interaction.attachments.count() == 2
    assert timezone.localtime(interaction.happened_at).hour == 10
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert "聊天截图.png" in tab
    assert stranger.status_code == 404


def test_an_interaction_without_summary_shows_the_error_and_saves_nothing(client, sales1, owned):
    url = reverse("customers:add_interaction", args=[owned.pk])

    response = logged_in(client, sales1).post(
        url, {"interaction-kind": "call", "interaction-summary": ""}
    )

    assert response.status_code == 200
    assert "summary" in response.context["interaction_form"].errors
    assert not Interaction.objects.exists()


# --- credit ----------------------------------------------------------------------------------


def test_finance_sets_the_grade_by_hand_with_a_reason(client, finance1, owned):
    url = reverse("customers:set_credit", args=[owned.pk])
    logged_in(client, finance1)

    refused = client.post(url, {"credit-grade": "A"})
    response = client.post(
        url, {"credit-grade": "A", "credit-credit_limit": "200000", "credit-reason": "年审"}
    )

    assert refused.status_code == 200
    assert "reason" in refused.context["credit_form"].errors
    assert response.status_code == 302
    owned.credit.refresh_from_db()
    assert (owned.credit.grade, owned.credit.credit_limit) == ("A", Decimal("200000.00"))


def test_finance_evaluates_and_applies_the_proposal(client, finance1, owned):
    services.set_credit(owned, grade="A", by=finance1, reason="trial")
    logged_in(client, finance1)

    evaluated = client.post(reverse("customers:evaluate_credit", args=[owned.pk]))
    applied = client.post(
        reverse("customers:apply_credit", args=[owned.pk]), {"apply-reason": "按评估结果"}
    )

    owned.credit.refresh_from_db()
    assert evaluated.status_code == 302
    assert owned.credit.proposed_grade
    assert applied.status_code == 302
    assert owned.credit.grade == owned.credit.proposed_grade
    assert AuditEntry.objects.filter(action="apply_credit_proposal").exists()


def test_sales_may_not_set_a_grade(client, sales1, owned):
    url = reverse("customers:set_credit", args=[owned.pk])

    response = logged_in(client, sales1).post(url, {"credit-grade": "A", "credit-reason": "x"})

    assert response.status_code == 403
    owned.credit.refresh_from_db()
    assert owned.credit.grade == "C"


def test_finance_changes_the_credit_policy_on_the_settings_page(client, finance1):
    url = reverse("customers:credit_settings")
    logged_in(client, finance1)
    policy = {
        "form": "policy",
        "policy-weight_timeliness": "0.60",
        "policy-weight_order_count": "0.20",
        "policy-weight_order_amount": "0.20",
        "policy-full_score_orders": "20",
        "policy-full_score_amount": "1000000",
        "policy-grade_a_from": "80",
        "policy-grade_b_from": "50",
    }

    page = client.get(url)
    refused = client.post(url, {**policy, "policy-weight_timeliness": "0.70", "policy-reason": "x"})
    saved = client.post(url, {**policy, "policy-reason": "更重视回款"})

    assert page.status_code == 200
    assert "weight_timeliness" in refused.context["policy_form"].errors
    assert saved.status_code == 302
    assert CreditPolicy.objects.get(pk=1).weight_timeliness == Decimal("0.60")


def test_sales_may_not_open_the_credit_settings(client, sales1):
    assert logged_in(client, sales1).get(reverse("customers:credit_settings")).status_code == 403


# --- merge -----------------------------------------------------------------------------------


def test_a_manager_merges_a_duplicate_after_comparing_side_by_side(client, make_user):
    manager = make_user("m1", "sales_manager")
    sales = make_user("s1", "sales", supervisor=manager)
    survivor = make_customer(sales, name="绍兴纺织机械有限公司")
    duplicate = make_customer(sales, name="绍兴纺织机械厂", uscc="", status="prospect")
    url = reverse("customers:merge", args=[survivor.pk])
    logged_in(client, manager)

    search = client.get(url, {"q": duplicate.code})
    compare = client.get(url, {"q": duplicate.code, "merged": duplicate.pk})
    response = client.post(url, {"merged": duplicate.pk, "reason": "重复建档"})

    assert [candidate.pk for candidate in search.context["candidates"]] == [duplicate.pk]
    assert "data-confirm" in compare.content.decode()
    assert compare.context["comparison"]
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert survivor.contacts.count() == 2
    assert AuditEntry.objects.get(action="merge_customer").reason == "重复建档"


def test_merging_without_a_reason_is_refused(client, make_user):
    manager = make_user("m1", "sales_manager")
    survivor, duplicate = make_customer(manager), make_customer(manager)

    response = logged_in(client, manager).post(
        reverse("customers:merge", args=[survivor.pk]), {"merged": duplicate.pk}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Customer.objects.get(pk=duplicate.pk).merged_into is None


def test_sales_may_not_merge(client, sales1, owned):
    assert (
        logged_in(client, sales1).get(reverse("customers:merge", args=[owned.pk])).status_code
        == 403
    )


# --- import ----------------------------------------------------------------------------------


def test_importing_a_file_that_is_not_a_spreadsheet_is_refused(client, make_user):
    service = make_user("cs1", "customer_service")
    upload = SimpleUploadedFile("customers.xlsx", b"this is not a workbook")

    response = logged_in(client, service).post(reverse("customers:import"), {"file": upload})

    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert Customer.objects.count() == 0


def test_importing_a_text_file_is_refused_before_reading_it(client, make_user):
    service = make_user("cs1", "customer_service")
    upload = SimpleUploadedFile("notes.txt", b"hello")

    response = logged_in(client, service).post(reverse("customers:import"), {"file": upload})

    assert "file" in response.context["form"].errors


def test_import_reports_row_errors_and_imports_nothing(client, make_user):
    service = make_user("cs1", "customer_service")
    good, bad = customer_values(), customer_values()
    text = (
        "客户名称,统一社会信用代码,省份,城市\n"
        f"{good['name']},{good['uscc']},浙江,杭州市\n"
        f"{bad['name']},123,浙江,杭州市\n"
    )
    upload = SimpleUploadedFile("customers.csv", text.encode("utf-8"), content_type="text/csv")

    response = logged_in(client, service).post(reverse("customers:import"), {"file": upload})

    page = response.content.decode()
    assert response.status_code == 200
    assert [error.row for error in response.context["errors"]] == [3]
    assert 'class="list import-errors"' in page
    assert Customer.objects.count() == 0


def test_import_of_the_valid_rows_when_asked(client, make_user):
    service = make_user("cs1", "customer_service")
    good, bad = customer_values(), customer_values()
    text = (
        "客户名称,统一社会信用代码,省份,城市\n"
        f"{good['name']},{good['uscc']},浙江,杭州市\n"
        f"{bad['name']},123,浙江,杭州市\n"
    )
    upload = SimpleUploadedFile("customers.csv", text.encode("utf-8"), content_type="text/csv")

    response = logged_in(client, service).post(
        reverse("customers:import"), {"file": upload, "valid_only": "on"}
    )

    assert [customer.name for customer in response.context["created"]] == [good["name"]]
    assert Customer.objects.get().name == good["name"]


def test_sales_may_not_import(client, sales1):
    assert logged_in(client, sales1).get(reverse("customers:import")).status_code == 403

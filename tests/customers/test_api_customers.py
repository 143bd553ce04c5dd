"""The customer REST API at /api/v1/customers: codes, error bodies, field names, visibility,
masking and query counts, through the real URLs and error handlers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orderdesk.core.models import AccessLog, AuditEntry
from orderdesk.customers.models import Contact, CreditFile, Customer, Interaction
from tests.factories.accounts import bearer
from tests.factories.customers import (
    contact_values,
    customer_values,
    make_customer,
    valid_mobile,
    valid_uscc,
)

URL = "/api/v1/customers"


def send(client: Any, method: str, url: str, user: Any, body: Any = None, **headers: str) -> Any:
    call = getattr(client, method)
    if body is None:
        return call(url, headers=bearer(user) | headers)
    return call(url, body, content_type="application/json", headers=bearer(user) | headers)


def new_customer_body(**overrides: Any) -> dict[str, Any]:
    values = customer_values()
    values.pop("owner", None)
    return {
        **values,
        "bank_name": "中国工商银行杭州分行",
        "bank_account": "1202020209000012345",
        "contacts": [contact_values(is_primary=True)],
        "addresses": [
            {"province": "浙江", "city": "杭州市", "district": "滨江区", "detail": "江南大道1号"}
        ],
        **overrides,
    }


@pytest.fixture
def manager(make_user):
    return make_user("manager1", "sales_manager")


@pytest.fixture
def team_sales(make_user, manager):
    return make_user("sales_team", "sales", supervisor=manager)


# --- create ---------------------------------------------------------------------------------


def test_create_returns_201_with_the_assigned_code_and_the_caller_as_owner(client, sales1):
    body = new_customer_body(name="杭州新客户机械有限公司")

    response = send(client, "post", URL, sales1, body)

    assert response.status_code == 201
    data = response.json()
    customer = Customer.objects.get(pk=data["id"])
    assert data["code"] == customer.code
    assert data["code"]
    assert data["owner"] == "sales1"
    assert data["province"] == "浙江省"
    assert [c["is_primary"] for c in data["contacts"]] == [True]
    assert data["addresses"][0]["province"] == "浙江省"
    assert data["grade"] is None  # sales do not see credit
    assert "update" in data["actions"]
    assert data["can_edit"] is True
    assert AuditEntry.objects.filter(action="create_customer", object_id=str(customer.pk)).exists()


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"uscc": "91330106000000001X"}, "uscc"),
        ({"province": "火星省"}, "province"),
        ({"name": "<b>杭州</b>电子"}, "name"),
        ({"contacts": [contact_values(mobile="12345")]}, "contacts.0.mobile"),
        ({"contacts": [contact_values(email="not-an-email")]}, "contacts.0.email"),
        ({"phone": "12"}, "phone"),
    ],
)
def test_invalid_field_is_named_in_a_422_and_nothing_is_written(client, sales1, override, field):
    response = send(client, "post", URL, sales1, new_customer_body(**override))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_customer"
    assert field in error["fields"]
    assert error["message"]
    assert Customer.objects.count() == 0
    assert Contact.objects.count() == 0


def test_every_bad_field_is_named_at_once(client, sales1):
    body = new_customer_body(
        uscc="91330106000000001X",
        province="火星省",
        name="<script>alert(1)</script>",
        contacts=[contact_values(mobile="123")],
    )

    response = send(client, "post", URL, sales1, body)

    assert response.status_code == 422
    assert {"uscc", "province", "name", "contacts.0.mobile"} <= set(
        response.json()["error"]["fields"]
    )


def test_over_long_name_is_refused_by_format(client, sales1):
    response = send(client, "post", URL, sales1, new_customer_body(name="公" * 201))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    assert "name" in response.json()["error"]["fields"]
    assert Customer.objects.count() == 0


def test_missing_name_is_named(client, sales1):
    body = new_customer_body()
    del body["name"]

    response = send(client, "post", URL, sales1, body)

    assert response.status_code == 422
    assert "name" in response.json()["error"]["fields"]


def test_unknown_owner_is_a_422_naming_owner(client, sales1):
    response = send(client, "post", URL, sales1, new_customer_body(owner="nobody"))

    assert response.status_code == 422
    assert "owner" in response.json()["error"]["fields"]
    assert Customer.objects.count() == 0


def test_manager_assigns_a_new_customer_to_a_team_member(client, manager, team_sales):
    response = send(client, "post", URL, manager, new_customer_body(owner="sales_team"))

    assert response.status_code == 201
    assert response.json()["owner"] == "sales_team"
    assert Customer.objects.get().owner == team_sales


def test_sales_may_not_assign_a_customer_to_someone_else(client, sales1, make_user):
    make_user("sales2", "sales")

    response = send(client, "post", URL, sales1, new_customer_body(owner="sales2"))

    assert response.status_code == 403
    assert "owner" in response.json()["error"]["fields"]
    assert Customer.objects.count() == 0


def test_duplicate_uscc_is_409_naming_the_existing_customer(client, sales1):
    existing = make_customer(sales1, uscc=valid_uscc(7001))

    response = send(client, "post", URL, sales1, new_customer_body(uscc=valid_uscc(7001)))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicate_uscc"
    assert existing.code in error["message"]
    assert existing.code in error["fields"]["uscc"]
    assert Customer.objects.count() == 1


def test_possible_duplicate_is_409_with_matches_then_created_when_confirmed(client, sales1):
    existing = make_customer(sales1, name="杭州电子有限公司")
    body = new_customer_body(name="杭州 电子 有限责任公司")

    warned = send(client, "post", URL, sales1, body)
    confirmed = send(client, "post", URL, sales1, {**body, "confirm_duplicates": True})

    assert warned.status_code == 409
    error = warned.json()["error"]
    assert error["code"] == "possible_duplicate"
    assert error["matches"][0]["id"] == existing.pk
    assert error["matches"][0]["reason"] == "same_name"
    assert "confirm_duplicates" in error["fields"]
    assert confirmed.status_code == 201
    assert Customer.objects.count() == 2


def test_same_contact_mobile_is_a_possible_duplicate(client, sales1):
    existing = make_customer(sales1, contacts=0)
    Contact.objects.create(customer=existing, name="老王", mobile=valid_mobile(4242))
    body = new_customer_body(contacts=[contact_values(mobile=valid_mobile(4242))])

    response = send(client, "post", URL, sales1, body)

    assert response.status_code == 409
    assert response.json()["error"]["matches"][0]["reason"] == "same_mobile"


def test_idempotency_key_replays_the_first_creation_and_refuses_reuse(client, sales1):
    body = new_customer_body()

    first = send(client, "post", URL, sales1, body, **{"Idempotency-Key": "abc-1"})
    retry = send(client, "post", URL, sales1, body, **{"Idempotency-Key": "abc-1"})
    reused = send(
        client, "post", URL, sales1, {**body, "name": "别的公司"}, **{"Idempotency-Key": "abc-1"}
    )

    assert first.status_code == 201
    assert retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert retry["Idempotent-Replayed"] == "true"
    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert Customer.objects.count() == 1


def test_idempotency_key_of_a_refused_request_may_be_retried(client, sales1):
    bad = send(
        client, "post", URL, sales1, new_customer_body(province="火星"), **{"Idempotency-Key": "k"}
    )
    good = send(client, "post", URL, sales1, new_customer_body(), **{"Idempotency-Key": "k"})

    assert bad.status_code == 422
    assert good.status_code == 201


# --- visibility and masking -----------------------------------------------------------------


def test_sales_cannot_see_another_salespersons_customer(client, sales1, make_user):
    sales2 = make_user("sales2", "sales")
    theirs = make_customer(sales2)

    detail = send(client, "get", f"{URL}/{theirs.pk}", sales1)
    listing = send(client, "get", URL, sales1)
    change = send(client, "patch", f"{URL}/{theirs.pk}", sales1, {"name": "x", "reason": "r"})

    assert detail.status_code == 404
    assert detail.json()["error"]["code"] == "customer_not_found"
    assert listing.json() == {"count": 0, "items": []}
    assert change.status_code == 404
    assert Customer.objects.get(pk=theirs.pk).name == theirs.name


def test_missing_and_hidden_customers_look_the_same(client, sales1):
    response = send(client, "get", f"{URL}/999999", sales1)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "customer_not_found"


def test_manager_sees_the_team_and_not_other_teams(client, manager, team_sales, make_user):
    team_customer = make_customer(team_sales)
    outsider = make_customer(make_user("sales_other", "sales"))

    listing = send(client, "get", URL, manager)

    assert [item["id"] for item in listing.json()["items"]] == [team_customer.pk]
    assert send(client, "get", f"{URL}/{team_customer.pk}", manager).status_code == 200
    assert send(client, "get", f"{URL}/{outsider.pk}", manager).status_code == 404


def test_customer_service_sees_all_customers(client, sales1, make_user):
    service = make_user("cs1", "customer_service")
    other = make_customer(make_user("sales2", "sales"))
    own = make_customer(sales1)

    listing = send(client, "get", URL, service)

    assert listing.json()["count"] == 2
    assert {item["id"] for item in listing.json()["items"]} == {own.pk, other.pk}


def test_aftersales_sees_masked_mobiles_and_bank_accounts_and_no_view_is_logged(
    client, sales1, make_user
):
    aftersales = make_user("as1", "aftersales")
    customer = make_customer(sales1, bank_account="6222020200001234")
    mobile = customer.contacts.get().mobile

    detail = send(client, "get", f"{URL}/{customer.pk}", aftersales).json()
    contacts = send(client, "get", f"{URL}/{customer.pk}/contacts", aftersales).json()
    listing = send(client, "get", URL, aftersales).json()

    masked = f"{mobile[:3]}****{mobile[-4:]}"
    assert detail["contacts"][0]["mobile"] == masked
    assert detail["bank_account"] == "**** 1234"
    assert contacts[0]["mobile"] == masked
    assert listing["items"][0]["contacts"][0]["mobile"] == masked
    assert listing["items"][0]["bank_account"] == "**** 1234"
    assert detail["can_edit"] is False
    assert detail["actions"] == []
    assert not AccessLog.objects.filter(actor=aftersales).exists()
    assert Contact.objects.get().mobile == mobile  # masking never touches the database


def test_owner_sees_the_full_mobile_and_the_view_is_logged(client, sales1):
    customer = make_customer(sales1, bank_account="6222020200001234")
    mobile = customer.contacts.get().mobile

    response = send(client, "get", f"{URL}/{customer.pk}", sales1)

    assert response.json()["contacts"][0]["mobile"] == mobile
    assert response.json()["bank_account"] == "6222020200001234"
    log = AccessLog.objects.get(actor=sales1)
    assert log.object_id == str(customer.pk)
    assert log.channel == "api"
    assert log.what == "personal_data"


def test_history_masks_personal_data_for_roles_without_the_permission(client, sales1, make_user):
    aftersales = make_user("as1", "aftersales")
    customer = make_customer(sales1, contacts=0, bank_account="6222020200001234")
    send(
        client,
        "post",
        f"{URL}/{customer.pk}/contacts",
        sales1,
        {**contact_values(mobile=valid_mobile(5678)), "reason": "新采购"},
    )

    history = send(client, "get", f"{URL}/{customer.pk}/history", aftersales).json()
    own = send(client, "get", f"{URL}/{customer.pk}/history", sales1).json()

    text = str(history)
    assert valid_mobile(5678) not in text
    assert "6222020200001234" not in text
    assert "**** 1234" in text
    assert valid_mobile(5678) in str(own)


# --- update and history ---------------------------------------------------------------------


def test_update_without_reason_is_refused_and_nothing_changes(client, sales1):
    customer = make_customer(sales1)

    response = send(client, "patch", f"{URL}/{customer.pk}", sales1, {"industry": "纺织"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "reason_required"
    assert "reason" in response.json()["error"]["fields"]
    assert Customer.objects.get(pk=customer.pk).industry == customer.industry


def test_update_changes_only_the_fields_sent_and_shows_in_the_history(client, sales1):
    customer = make_customer(sales1, industry="机械制造")

    response = send(
        client,
        "patch",
        f"{URL}/{customer.pk}",
        sales1,
        {"industry": "纺织", "reason": "客户转型做纺织"},
    )
    history = send(client, "get", f"{URL}/{customer.pk}/history", sales1)

    assert response.status_code == 200
    assert response.json()["industry"] == "纺织"
    assert response.json()["name"] == customer.name
    latest = history.json()[0]
    assert latest["action"] == "update_customer"
    assert latest["object_type"] == "customer"
    assert latest["changes"] == {"industry": ["机械制造", "纺织"]}
    assert latest["reason"] == "客户转型做纺织"
    assert latest["actor"] == "sales1"
    assert history.json()[-1]["action"] == "create_customer"


def test_update_with_an_invalid_field_names_it(client, sales1):
    customer = make_customer(sales1)

    response = send(
        client, "patch", f"{URL}/{customer.pk}", sales1, {"uscc": "123", "reason": "更正"}
    )

    assert response.status_code == 422
    assert "uscc" in response.json()["error"]["fields"]


def test_update_to_an_unknown_owner_names_owner(client, sales1):
    customer = make_customer(sales1)

    response = send(
        client, "patch", f"{URL}/{customer.pk}", sales1, {"owner": "ghost", "reason": "交接"}
    )

    assert response.status_code == 422
    assert "owner" in response.json()["error"]["fields"]


def test_aftersales_may_see_but_not_edit(client, sales1, make_user):
    aftersales = make_user("as1", "aftersales")
    customer = make_customer(sales1)

    response = send(
        client, "patch", f"{URL}/{customer.pk}", aftersales, {"industry": "x", "reason": "r"}
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "customer_not_editable"


# --- contacts -------------------------------------------------------------------------------


def test_add_contact_needs_a_reason_and_validates_the_mobile(client, sales1):
    customer = make_customer(sales1)

    no_reason = send(client, "post", f"{URL}/{customer.pk}/contacts", sales1, contact_values())
    bad_mobile = send(
        client,
        "post",
        f"{URL}/{customer.pk}/contacts",
        sales1,
        {**contact_values(mobile="1234"), "reason": "新联系人"},
    )
    added = send(
        client,
        "post",
        f"{URL}/{customer.pk}/contacts",
        sales1,
        {**contact_values(title="财务"), "reason": "新联系人"},
    )

    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["code"] == "reason_required"
    assert bad_mobile.status_code == 422
    assert "mobile" in bad_mobile.json()["error"]["fields"]
    assert added.status_code == 201
    assert added.json()["title"] == "财务"
    assert customer.contacts.count() == 2


def test_primary_contact_who_left_hands_over_and_the_history_says_why(client, sales1):
    customer = make_customer(sales1, contacts=2)
    primary, other = customer.contacts.order_by("-is_primary", "id")

    response = send(
        client,
        "post",
        f"{URL}/{customer.pk}/contacts/{primary.pk}/left",
        sales1,
        {"reason": "原采购经理离职", "left_on": "2024-05-01", "new_primary": other.pk},
    )
    contacts = send(client, "get", f"{URL}/{customer.pk}/contacts", sales1).json()
    history = send(client, "get", f"{URL}/{customer.pk}/history", sales1).json()

    assert response.status_code == 200
    assert response.json()["has_left"] is True
    assert response.json()["left_on"] == "2024-05-01"
    assert {c["id"]: c["is_primary"] for c in contacts} == {primary.pk: False, other.pk: True}
    left = next(entry for entry in history if entry["action"] == "mark_contact_left")
    assert left["object_type"] == "contact"
    assert left["reason"] == "原采购经理离职"


def test_update_contact_changes_only_the_fields_sent(client, sales1):
    customer = make_customer(sales1)
    contact = customer.contacts.get()

    response = send(
        client,
        "patch",
        f"{URL}/{customer.pk}/contacts/{contact.pk}",
        sales1,
        {"title": "总经理", "reason": "升职"},
    )

    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.title == "总经理"
    assert contact.mobile == response.json()["mobile"]
    assert AuditEntry.objects.filter(
        action="update_contact", object_id=str(contact.pk), reason="升职"
    ).exists()


def test_contact_of_another_customer_is_not_found(client, sales1):
    customer, other = make_customer(sales1), make_customer(sales1)
    foreign = other.contacts.get()

    response = send(
        client,
        "patch",
        f"{URL}/{customer.pk}/contacts/{foreign.pk}",
        sales1,
        {"title": "x", "reason": "r"},
    )

    assert response.status_code == 404


# --- credit ---------------------------------------------------------------------------------


def test_credit_endpoint_is_forbidden_for_sales_and_credit_fields_are_null(client, sales1):
    customer = make_customer(sales1)

    credit = send(client, "get", f"{URL}/{customer.pk}/credit", sales1)
    detail = send(client, "get", f"{URL}/{customer.pk}", sales1).json()

    assert credit.status_code == 403
    assert credit.json()["error"]["code"] == "permission_denied"
    assert (detail["grade"], detail["credit_limit"], detail["payment_terms"]) == (None, None, None)
    assert "view_credit" not in detail["actions"]


def test_finance_sees_the_credit_file_and_grades_by_hand_with_a_reason(client, sales1, finance1):
    customer = make_customer(sales1)

    before = send(client, "get", f"{URL}/{customer.pk}/credit", finance1)
    no_reason = send(client, "put", f"{URL}/{customer.pk}/credit", finance1, {"grade": "A"})
    graded = send(
        client,
        "put",
        f"{URL}/{customer.pk}/credit",
        finance1,
        {"grade": "A", "credit_limit": "500000.00", "reason": "老客户，回款及时"},
    )
    detail = send(client, "get", f"{URL}/{customer.pk}", finance1).json()

    assert before.status_code == 200
    assert before.json()["grade"] == "C"
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["code"] == "reason_required"
    assert graded.status_code == 200
    assert graded.json()["grade"] == "A"
    assert graded.json()["credit_limit"] == "500000.00"
    assert graded.json()["graded_by"] == "finance1"
    assert (detail["grade"], detail["credit_limit"]) == ("A", "500000.00")
    assert CreditFile.objects.get(customer=customer).grade == "A"


def test_credit_evaluation_proposes_and_applying_needs_a_reason(client, sales1, finance1):
    customer = make_customer(sales1)

    evaluated = send(client, "post", f"{URL}/{customer.pk}/credit/evaluate", finance1, {})
    no_reason = send(client, "post", f"{URL}/{customer.pk}/credit/apply", finance1, {})
    applied = send(
        client, "post", f"{URL}/{customer.pk}/credit/apply", finance1, {"reason": "按评估结果"}
    )

    assert evaluated.status_code == 200
    proposed = evaluated.json()["proposed_grade"]
    assert proposed in {"A", "B", "C"}
    assert evaluated.json()["evaluated_at"] is not None
    assert no_reason.status_code == 422
    assert applied.status_code == 200
    assert applied.json()["grade"] == proposed


def test_sales_cannot_evaluate_credit(client, sales1):
    customer = make_customer(sales1)

    response = send(client, "post", f"{URL}/{customer.pk}/credit/evaluate", sales1, {})

    assert response.status_code == 403


# --- merge ----------------------------------------------------------------------------------


def test_manager_merges_a_duplicate_into_the_survivor(client, manager, team_sales):
    survivor, duplicate = make_customer(team_sales), make_customer(team_sales)
    moved = duplicate.contacts.get()

    response = send(
        client,
        "post",
        f"{URL}/{survivor.pk}/merge",
        manager,
        {"merged_id": duplicate.pk, "reason": "重复建档"},
    )

    assert response.status_code == 200
    assert moved.pk in {contact["id"] for contact in response.json()["contacts"]}
    assert send(client, "get", f"{URL}/{duplicate.pk}", manager).status_code == 404
    assert Customer.objects.get(pk=duplicate.pk).merged_into == survivor
    assert AuditEntry.objects.filter(
        action="merge_customer", object_id=str(duplicate.pk), reason="重复建档"
    ).exists()


def test_sales_may_not_merge(client, sales1):
    survivor, duplicate = make_customer(sales1), make_customer(sales1)

    response = send(
        client,
        "post",
        f"{URL}/{survivor.pk}/merge",
        sales1,
        {"merged_id": duplicate.pk, "reason": "重复"},
    )

    assert response.status_code == 403
    assert Customer.objects.get(pk=duplicate.pk).merged_into is None


def test_merge_needs_a_reason(client, manager, team_sales):
    survivor, duplicate = make_customer(team_sales), make_customer(team_sales)

    response = send(
        client, "post", f"{URL}/{survivor.pk}/merge", manager, {"merged_id": duplicate.pk}
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "reason_required"


# --- list -----------------------------------------------------------------------------------


def test_list_searches_by_pinyin_initials_and_filters(client, sales1):
    wanted = make_customer(sales1, name="杭州电子有限公司", province="浙江省")
    make_customer(sales1, name="苏州纺织有限公司", province="江苏省")

    by_pinyin = send(client, "get", f"{URL}?q=hzdz", sales1).json()
    by_province = send(client, "get", f"{URL}?province=浙江省", sales1).json()

    assert [item["id"] for item in by_pinyin["items"]] == [wanted.pk]
    assert by_province["count"] == 1


def test_list_paginates_and_limits_the_page_size(client, sales1):
    for _ in range(3):
        make_customer(sales1)

    page = send(client, "get", f"{URL}?limit=2&offset=2&sort=code", sales1).json()
    too_big = send(client, "get", f"{URL}?limit=201", sales1)

    assert page["count"] == 3
    assert len(page["items"]) == 1
    assert too_big.status_code == 422
    assert "limit" in too_big.json()["error"]["fields"]


def test_list_of_50_customers_runs_a_constant_number_of_queries(
    client, sales1, django_assert_max_num_queries
):
    for _ in range(50):
        make_customer(sales1, contacts=2)
    headers = bearer(sales1)

    with django_assert_max_num_queries(12):
        response = client.get(f"{URL}?limit=50", headers=headers)

    assert response.status_code == 200
    assert len(response.json()["items"]) == 50
    assert AccessLog.objects.filter(actor=sales1).count() == 50


# --- needs and interactions -----------------------------------------------------------------


def test_needs_are_recorded_and_listed(client, sales1):
    customer = make_customer(sales1)

    empty = send(client, "post", f"{URL}/{customer.pk}/needs", sales1, {"text": "  "})
    added = send(client, "post", f"{URL}/{customer.pk}/needs", sales1, {"text": "要求月结"})
    listed = send(client, "get", f"{URL}/{customer.pk}/needs", sales1).json()

    assert empty.status_code == 422
    assert "text" in empty.json()["error"]["fields"]
    assert added.status_code == 201
    assert [need["text"] for need in listed] == ["要求月结"]
    assert listed[0]["recorded_by"] == "sales1"


def test_interaction_with_attachments_is_logged_and_downloadable(client, sales1):
    customer = make_customer(sales1)
    contact = customer.contacts.get()
    scan = SimpleUploadedFile("scan.png", b"\x89PNG fake", content_type="image/png")

    created = client.post(
        f"{URL}/{customer.pk}/interactions",
        {
            "kind": "visit",
            "happened_at": "2024-05-01T10:00:00",
            "contact": contact.pk,
            "summary": "上门拜访，讨论年度框架协议",
            "attachments": [scan],
        },
        headers=bearer(sales1),
    )
    listed = send(client, "get", f"{URL}/{customer.pk}/interactions", sales1).json()
    attachment = listed[0]["attachments"][0]
    download = client.get(attachment["url"], headers=bearer(sales1))

    assert created.status_code == 201
    assert created.json()["person"] == contact.name
    assert created.json()["happened_at"] == "2024-05-01T02:00:00Z"  # 10:00 in Asia/Shanghai
    assert (attachment["name"], attachment["size"]) == ("scan.png", len(b"\x89PNG fake"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"\x89PNG fake"
    assert Interaction.objects.get().attachments.count() == 1


def test_interaction_refuses_unknown_kind_and_foreign_contact(client, sales1):
    customer, other = make_customer(sales1), make_customer(sales1)

    bad_kind = client.post(
        f"{URL}/{customer.pk}/interactions",
        {"kind": "telepathy", "summary": "?"},
        headers=bearer(sales1),
    )
    foreign = client.post(
        f"{URL}/{customer.pk}/interactions",
        {"kind": "call", "summary": "电话", "contact": other.contacts.get().pk},
        headers=bearer(sales1),
    )
    bad_file = client.post(
        f"{URL}/{customer.pk}/interactions",
        {
            "kind": "call",
            "summary": "电话",
            "attachments": [SimpleUploadedFile("run.exe", b"MZ")],
        },
        headers=bearer(sales1),
    )

    assert bad_kind.status_code == 422
    assert "kind" in bad_kind.json()["error"]["fields"]
    assert foreign.status_code == 422
    assert "contact" in foreign.json()["error"]["fields"]
    assert bad_file.status_code == 422
    assert "files" in bad_file.json()["error"]["fields"]
    assert Interaction.objects.count() == 0


def test_attachments_of_hidden_customers_are_not_found(client, sales1, make_user):
    customer = make_customer(sales1)
    client.post(
        f"{URL}/{customer.pk}/interactions",
        {"kind": "chat", "summary": "微信", "attachments": [SimpleUploadedFile("a.pdf", b"%PDF")]},
        headers=bearer(sales1),
    )
    url = send(client, "get", f"{URL}/{customer.pk}/interactions", sales1).json()[0]["attachments"][
        0
    ]["url"]

    response = client.get(url, headers=bearer(make_user("sales2", "sales")))

    assert response.status_code == 404


# --- the contract is published --------------------------------------------------------------


def test_openapi_lists_the_customer_paths(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    for path in (
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/customers/{customer_id}/contacts",
        "/api/v1/customers/{customer_id}/history",
        "/api/v1/customers/{customer_id}/credit",
        "/api/v1/customers/{customer_id}/interactions",
        "/api/v1/customers/{customer_id}/merge",
    ):
        assert path in paths
    assert {"get", "post"} <= set(paths["/api/v1/customers"])

"""Product categories (产品分类): the services' rules, the pages (list with product counts,
create and edit forms) and the REST API at /api/v1/categories."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from orderdesk.catalog import services
from orderdesk.catalog.errors import DuplicateCategoryCode
from orderdesk.catalog.models import Category
from orderdesk.core import audit
from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.core.models import AuditEntry
from tests.factories.accounts import bearer
from tests.factories.catalog import make_category, make_product

LIST = reverse("catalog:categories")
CREATE = reverse("catalog:category_create")
URL = "/api/v1/categories"


def send(client: Any, method: str, url: str, user: Any, body: Any = None) -> Any:
    call = getattr(client, method)
    if body is None:
        return call(url, headers=bearer(user))
    return call(url, body, content_type="application/json", headers=bearer(user))


def edit_url(category: Category) -> str:
    return reverse("catalog:category_edit", args=[category.pk])


@pytest.fixture
def pumps(production1):
    return make_category(by=production1, code="pumps", name="泵")


@pytest.fixture
def valves(production1):
    return make_category(by=production1, code="valves", name="阀门")


# --- services --------------------------------------------------------------------------------


def test_creating_a_category_is_audited_with_its_values(production1, pumps):
    category = services.create_category(
        {"code": "centrifugal", "name": "离心泵", "parent": "pumps"}, by=production1
    )

    assert category.parent == pumps
    entry = audit.entries_for(category).get()
    assert entry.action == "create_category"
    assert entry.actor_id == production1.pk
    assert entry.changes == {
        "code": [None, "centrifugal"],
        "name": [None, "离心泵"],
        "parent": [None, "泵"],
    }


def test_a_code_already_used_is_a_conflict_naming_the_code_field(production1, pumps):
    with pytest.raises(DuplicateCategoryCode) as refused:
        services.create_category({"code": "pumps", "name": "水泵"}, by=production1)

    assert refused.value.status == 409
    assert refused.value.code == "duplicate_category_code"
    assert "code" in refused.value.fields
    assert Category.objects.count() == 1


def test_every_bad_field_is_named_at_once_and_nothing_is_written(production1):
    with pytest.raises(ValidationFailed) as refused:
        services.create_category(
            {"code": "bad code!", "name": "<b>泵</b>", "parent": "nope"}, by=production1
        )

    assert refused.value.code == "invalid_category"
    assert set(refused.value.fields) == {"code", "name", "parent"}
    assert not Category.objects.exists()


@pytest.mark.parametrize("role", ["sales", "warehouse", "finance"])
def test_roles_without_manage_products_may_not_create_or_change_categories(make_user, pumps, role):
    user = make_user(f"{role}-c", role)

    with pytest.raises(NotAllowed):
        services.create_category({"code": "motors", "name": "电机"}, by=user)
    with pytest.raises(NotAllowed):
        services.update_category(pumps, {"name": "水泵"}, by=user, reason="改名")

    assert list(Category.objects.values_list("code", "name")) == [("pumps", "泵")]


def test_a_change_states_why_and_audits_only_what_changed(production1, pumps, valves):
    with pytest.raises(ValidationFailed) as refused:
        services.update_category(pumps, {"name": "水泵"}, by=production1, reason=" ")

    services.update_category(
        pumps, {"name": "水泵", "code": "pumps", "parent": valves}, by=production1, reason="归并"
    )

    assert refused.value.code == "reason_required"
    pumps.refresh_from_db()
    assert (pumps.name, pumps.parent) == ("水泵", valves)
    entry = audit.entries_for(pumps).get(action="update_category")
    assert entry.changes == {"name": ["泵", "水泵"], "parent": [None, "阀门"]}
    assert entry.reason == "归并"


def test_an_empty_parent_moves_a_category_to_the_top(production1, pumps):
    child = make_category(by=production1, code="centrifugal", name="离心泵", parent="pumps")

    services.update_category(child, {"parent": None}, by=production1, reason="独立分类")

    child.refresh_from_db()
    assert child.parent is None


def test_a_category_never_lands_under_itself_or_its_subcategories(production1, pumps):
    child = make_category(by=production1, code="centrifugal", name="离心泵", parent="pumps")
    grandchild = make_category(by=production1, code="multistage", name="多级泵", parent=child)

    for new_parent in (pumps, child, grandchild):
        with pytest.raises(ValidationFailed) as refused:
            services.update_category(pumps, {"parent": new_parent}, by=production1, reason="x")
        assert "parent" in refused.value.fields

    pumps.refresh_from_db()
    assert pumps.parent is None
    assert not AuditEntry.objects.filter(action="update_category").exists()


def test_changing_to_a_code_another_category_has_is_a_conflict(production1, pumps, valves):
    with pytest.raises(DuplicateCategoryCode):
        services.update_category(valves, {"code": "pumps"}, by=production1, reason="改代码")

    valves.refresh_from_db()
    assert valves.code == "valves"


# --- pages -----------------------------------------------------------------------------------


def test_the_list_shows_each_category_with_its_parent_and_product_count(
    client, sales1, production1, pumps, valves, django_assert_max_num_queries
):
    child = make_category(by=production1, code="centrifugal", name="离心泵", parent=pumps)
    for _serial in range(3):
        make_product(category=child)
    make_product(category=pumps, is_active=False)
    client.force_login(sales1)

    with django_assert_max_num_queries(8):
        response = client.get(LIST)

    page = response.content.decode()
    rows = {row.code: row for row in response.context["categories"]}
    assert response.status_code == 200
    assert [row.product_count for row in rows.values()] == [3, 1, 0]
    assert rows["centrifugal"].parent == pumps
    assert f"{reverse('catalog:list')}?category={child.pk}" in page
    assert CREATE not in page
    assert edit_url(pumps) not in page


def test_managers_are_offered_new_and_edit(client, production1, pumps):
    client.force_login(production1)

    page = client.get(LIST).content.decode()

    assert CREATE in page
    assert edit_url(pumps) in page


def test_portal_accounts_get_403_on_the_list(client, portal1):
    client.force_login(portal1)

    assert client.get(LIST).status_code == 403


def test_the_create_form_adds_the_category_and_returns_to_the_list(client, production1, pumps):
    client.force_login(production1)

    response = client.post(CREATE, {"code": "centrifugal", "name": "离心泵", "parent": pumps.pk})

    assert response.status_code == 302
    assert response["Location"] == LIST
    created = Category.objects.get(code="centrifugal")
    assert created.parent == pumps
    assert audit.entries_for(created).get().action == "create_category"


def test_the_create_form_shows_a_duplicate_code_on_the_code_field(client, production1, pumps):
    client.force_login(production1)

    response = client.post(CREATE, {"code": "pumps", "name": "水泵"})

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert Category.objects.count() == 1


def test_the_edit_form_needs_a_reason_and_records_only_what_changed(client, production1, pumps):
    client.force_login(production1)
    data = {"code": "pumps", "name": "水泵", "parent": ""}

    refused = client.post(edit_url(pumps), data)
    saved = client.post(edit_url(pumps), {**data, "reason": "统一名称"})

    assert "reason" in refused.context["form"].errors
    assert saved.status_code == 302
    entry = audit.entries_for(pumps).get(action="update_category")
    assert entry.changes == {"name": ["泵", "水泵"]}
    assert entry.reason == "统一名称"


def test_the_edit_form_refuses_a_parent_below_the_category_on_the_parent_field(
    client, production1, pumps
):
    child = make_category(by=production1, code="centrifugal", name="离心泵", parent=pumps)
    client.force_login(production1)

    response = client.post(
        edit_url(pumps),
        {"code": "pumps", "name": "泵", "parent": child.pk, "reason": "调整"},
    )

    assert "parent" in response.context["form"].errors
    pumps.refresh_from_db()
    assert pumps.parent is None


def test_the_edit_form_shows_the_history(client, production1, pumps):
    client.force_login(production1)

    page = client.get(edit_url(pumps)).content.decode()

    assert "create_category" in page


@pytest.mark.parametrize("role", ["sales", "warehouse"])
def test_roles_without_manage_products_get_403_on_the_forms(client, make_user, pumps, role):
    client.force_login(make_user(f"{role}-f", role))

    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"code": "motors", "name": "电机"}).status_code == 403
    assert client.get(edit_url(pumps)).status_code == 403
    assert not Category.objects.filter(code="motors").exists()


def test_a_missing_category_edit_page_is_404(client, production1):
    client.force_login(production1)

    assert client.get(reverse("catalog:category_edit", args=[999999])).status_code == 404


def test_navigation_offers_categories_under_products(client, sales1):
    client.force_login(sales1)

    page = client.get(reverse("core:dashboard")).content.decode()
    nav = page[page.index('class="mainnav"') :]

    assert f'href="{LIST}"' in nav


# --- API -------------------------------------------------------------------------------------


def test_api_list_has_parents_and_product_counts_within_a_query_budget(
    client, sales1, production1, pumps, valves, django_assert_max_num_queries
):
    child = make_category(by=production1, code="centrifugal", name="离心泵", parent=pumps)
    make_product(category=child)
    make_product(category=child)
    bearer(sales1)

    with django_assert_max_num_queries(8):
        response = send(client, "get", f"{URL}?limit=2", sales1)

    data = response.json()
    assert response.status_code == 200
    assert data["count"] == 3
    assert data["items"] == [
        {
            "id": child.pk,
            "code": "centrifugal",
            "name": "离心泵",
            "parent": {"id": pumps.pk, "code": "pumps", "name": "泵"},
            "product_count": 2,
        },
        {"id": pumps.pk, "code": "pumps", "name": "泵", "parent": None, "product_count": 0},
    ]


def test_api_reads_are_for_staff_only(client, portal1, pumps):
    assert send(client, "get", URL, portal1).status_code == 403
    assert send(client, "get", f"{URL}/{pumps.pk}", portal1).status_code == 403
    assert client.get(URL).status_code == 401


def test_api_get_answers_404_for_a_missing_category(client, sales1):
    response = send(client, "get", f"{URL}/999999", sales1)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "category_not_found"


def test_api_create_returns_201_with_the_category_and_its_history(client, production1, pumps):
    body = {"code": "centrifugal", "name": "离心泵", "parent": "pumps"}

    response = send(client, "post", URL, production1, body)

    data = response.json()
    assert response.status_code == 201
    assert data["parent"] == {"id": pumps.pk, "code": "pumps", "name": "泵"}
    assert data["product_count"] == 0
    assert data["can_edit"] is True
    assert [entry["action"] for entry in data["history"]] == ["create_category"]


def test_api_create_with_bad_fields_answers_422_naming_each(client, production1):
    response = send(client, "post", URL, production1, {"code": "a b", "name": ""})

    error = response.json()["error"]
    assert response.status_code == 422
    assert error["code"] == "invalid_category"
    assert set(error["fields"]) == {"code", "name"}
    assert not Category.objects.exists()


def test_api_create_with_a_code_in_use_answers_409(client, production1, pumps):
    response = send(client, "post", URL, production1, {"code": "pumps", "name": "水泵"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_category_code"
    assert "code" in response.json()["error"]["fields"]


def test_api_create_is_refused_to_roles_without_manage_products(client, sales1):
    response = send(client, "post", URL, sales1, {"code": "motors", "name": "电机"})

    assert response.status_code == 403
    assert not Category.objects.exists()


def test_api_patch_changes_only_the_fields_sent_with_a_reason(client, production1, pumps):
    child = make_category(by=production1, code="centrifugal", name="离心泵", parent=pumps)

    refused = send(client, "patch", f"{URL}/{child.pk}", production1, {"name": "水泵"})
    response = send(
        client, "patch", f"{URL}/{child.pk}", production1, {"parent": None, "reason": "独立"}
    )

    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "reason_required"
    assert response.status_code == 200
    assert response.json()["parent"] is None
    assert response.json()["name"] == "离心泵"
    entry = audit.entries_for(child).get(action="update_category")
    assert entry.changes == {"parent": ["泵", None]}
    assert entry.reason == "独立"


def test_api_patch_to_a_code_in_use_answers_409(client, production1, pumps, valves):
    response = send(
        client, "patch", f"{URL}/{valves.pk}", production1, {"code": "pumps", "reason": "x"}
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_category_code"


def test_api_patch_of_a_missing_category_answers_404(client, production1):
    response = send(client, "patch", f"{URL}/999999", production1, {"name": "x", "reason": "x"})

    assert response.status_code == 404

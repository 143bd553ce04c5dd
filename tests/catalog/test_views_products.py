"""Product pages: list with search and filters, product page with history, create and edit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orderdesk.catalog import services
from orderdesk.catalog.models import Product
from orderdesk.core import audit
from tests.factories.catalog import make_category, make_product

LIST = reverse("catalog:list")
CREATE = reverse("catalog:create")


def logged_in(client, user):
    client.force_login(user)
    return client


def form_data(category, **overrides):
    return {
        "sku": "pu-9",
        "name": "离心泵",
        "spec": "50m3/h",
        "model_number": "IS50",
        "category": category.pk,
        "unit": "台",
        "tax_rate": "0.13",
        "lead_time_days": "7",
        "sales_kind": "normal",
        "supply": "make_to_stock",
        "is_active": "on",
        **overrides,
    }


@pytest.fixture
def category(db):
    return make_category(code="pumps", name="泵")


def test_list_shows_matching_products_and_filters(
    client, sales1, category, django_assert_max_num_queries
):
    make_product(sku="PU-1", name="离心泵", category=category)
    make_product(sku="VA-1", name="球阀")
    logged_in(client, sales1)

    with django_assert_max_num_queries(10):
        response = client.get(LIST, {"q": "lxb"})

    assert response.status_code == 200
    assert "PU-1" in response.content.decode()
    assert "VA-1" not in response.content.decode()
    by_category = client.get(LIST, {"category": category.pk}).content.decode()
    assert "PU-1" in by_category
    assert "VA-1" not in by_category
    assert "New product" not in response.content.decode()


def test_portal_accounts_get_403_on_the_list(client, portal1):
    assert logged_in(client, portal1).get(LIST).status_code == 403


def test_product_page_shows_details_and_history(client, production1, sales1, category):
    product = make_product(by=production1, sku="PU-1", spec="DN50", category=category)
    services.update_product(product, {"spec": "DN65"}, by=production1, reason="图纸更新")

    page = logged_in(client, sales1).get(reverse("catalog:detail", args=[product.pk]))

    content = page.content.decode()
    assert page.status_code == 200
    assert "DN65" in content
    assert "图纸更新" in content
    assert "update_product" in content


def test_missing_product_page_is_404(client, sales1):
    assert logged_in(client, sales1).get(reverse("catalog:detail", args=[999])).status_code == 404


def test_create_form_makes_the_product_and_goes_to_its_page(client, production1, category):
    response = logged_in(client, production1).post(CREATE, form_data(category))

    product = Product.objects.get(sku="PU-9")
    assert response.status_code == 302
    assert response.url == reverse("catalog:detail", args=[product.pk])
    assert product.lead_time_days == 7
    assert audit.entries_for(product).filter(action="create_product").exists()


def test_create_form_shows_service_errors_on_their_fields(client, production1, category):
    make_product(sku="PU-9", category=category)

    response = logged_in(client, production1).post(
        CREATE, form_data(category, lead_time_days="400", name="<b>x</b>")
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "lead_time_days" in form.errors
    assert "name" in form.errors
    assert Product.objects.count() == 1


def test_create_form_refuses_a_duplicate_sku_on_the_sku_field(client, production1, category):
    make_product(sku="PU-9", category=category)

    response = logged_in(client, production1).post(CREATE, form_data(category))

    assert "sku" in response.context["form"].errors


@pytest.mark.parametrize("role", ["sales", "warehouse", "finance"])
def test_roles_without_manage_products_get_403_on_create_and_edit(
    client, make_user, category, role
):
    product = make_product(category=category)
    logged_in(client, make_user(f"{role}-v", role))

    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, form_data(category)).status_code == 403
    assert client.get(reverse("catalog:edit", args=[product.pk])).status_code == 403


def test_edit_needs_a_reason_and_records_only_what_changed(client, production1, category):
    product = make_product(by=production1, sku="PU-1", unit="台", category=category)
    url = reverse("catalog:edit", args=[product.pk])
    logged_in(client, production1)
    data = form_data(category, sku="PU-1", name=product.name, spec=product.spec)
    data["model_number"] = product.model_number
    data["lead_time_days"] = str(product.lead_time_days)

    refused = client.post(url, {**data, "unit": "件"})
    saved = client.post(url, {**data, "unit": "件", "reason": "改为按件计"})

    assert "reason" in refused.context["form"].errors
    assert saved.status_code == 302
    entry = audit.entries_for(product).get(action="update_product")
    assert entry.changes == {"unit": ["台", "件"]}
    assert entry.reason == "改为按件计"


def test_navigation_offers_products_to_staff(client, sales1, production1):
    assert LIST in logged_in(client, sales1).get(LIST).content.decode()
    page = logged_in(client, production1).get(LIST).content.decode()
    assert CREATE in page

"""Creating and changing products: validation, duplicates, audit and who may do it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderdesk.catalog import services
from orderdesk.catalog.errors import DuplicateCategoryCode, DuplicateSku
from orderdesk.catalog.models import Product
from orderdesk.core import audit
from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.core.models import AuditEntry
from tests.factories.catalog import make_category, make_product, product_values


def test_production_creates_a_product_with_upper_case_sku_pinyin_and_an_audit_entry(production1):
    category = make_category(by=production1)

    product = services.create_product(
        product_values(sku="ab-100", name="离心泵", category=category.code), by=production1
    )

    product.refresh_from_db()
    assert product.sku == "AB-100"
    assert product.pinyin == "lxb"
    assert product.category == category
    assert product.tax_rate == Decimal("0.13")
    entry = audit.entries_for(product).get()
    assert entry.action == "create_product"
    assert entry.actor == production1
    assert entry.changes["sku"] == [None, "AB-100"]


@pytest.mark.parametrize("role", ["sales_manager", "administrator"])
def test_managers_and_administrators_may_create_products(make_user, role):
    user = make_user(f"{role}-1", role)

    product = make_product(by=user)

    assert Product.objects.filter(pk=product.pk).exists()


@pytest.mark.parametrize("role", ["sales", "finance", "warehouse", "customer"])
def test_other_roles_may_not_create_products(make_user, role):
    user = make_user(f"{role}-1", role)
    category = make_category()

    with pytest.raises(NotAllowed):
        services.create_product(product_values(category=category), by=user)

    assert not Product.objects.exists()


def test_every_bad_field_is_named_at_once_and_nothing_is_written(production1):
    category = make_category()
    values = product_values(
        sku="bad sku!",
        name="<b>泵</b>",
        spec="<script>x</script>",
        unit="",
        tax_rate="0.17",
        lead_time_days=400,
        category=category,
    )

    with pytest.raises(ValidationFailed) as refused:
        services.create_product(values, by=production1)

    assert refused.value.code == "invalid_product"
    assert set(refused.value.fields) == {
        "sku",
        "name",
        "spec",
        "unit",
        "tax_rate",
        "lead_time_days",
    }
    assert not Product.objects.exists()


@pytest.mark.parametrize("rate", ["0.13", "0.09", "0.06", "13", "9 %", Decimal("0.060")])
def test_the_three_vat_bands_are_accepted_in_the_ways_people_write_them(production1, rate):
    product = make_product(by=production1, tax_rate=rate)

    assert product.tax_rate in (Decimal("0.13"), Decimal("0.09"), Decimal("0.06"))


@pytest.mark.parametrize("days", [-1, 366, "x"])
def test_lead_time_outside_0_to_365_is_refused(production1, days):
    with pytest.raises(ValidationFailed) as refused:
        make_product(by=production1, lead_time_days=days)

    assert "lead_time_days" in refused.value.fields


def test_unknown_category_is_refused(production1):
    with pytest.raises(ValidationFailed) as refused:
        services.create_product(product_values(category="nope"), by=production1)

    assert "category" in refused.value.fields


def test_a_duplicate_sku_is_refused_whatever_its_case(production1):
    existing = make_product(by=production1, sku="PUMP-1")

    with pytest.raises(DuplicateSku) as refused:
        make_product(by=production1, sku="pump-1")

    assert refused.value.status == 409
    assert refused.value.code == "duplicate_sku"
    assert "sku" in refused.value.fields
    assert Product.objects.filter(sku="PUMP-1").get() == existing


def test_update_records_before_after_and_reason(production1):
    product = make_product(by=production1, lead_time_days=5)
    old_name = product.name

    services.update_product(
        product, {"lead_time_days": 10, "name": "新名称"}, by=production1, reason="工艺变更"
    )

    product.refresh_from_db()
    assert product.lead_time_days == 10
    assert product.pinyin == "xmc"
    entry = audit.entries_for(product).filter(action="update_product").get()
    assert entry.changes == {"name": [old_name, "新名称"], "lead_time_days": [5, 10]}
    assert entry.reason == "工艺变更"


def test_update_needs_a_reason(production1):
    product = make_product(by=production1)

    with pytest.raises(ValidationFailed) as refused:
        services.update_product(product, {"unit": "件"}, by=production1, reason=" ")

    assert refused.value.code == "reason_required"
    assert Product.objects.get(pk=product.pk).unit == "台"


def test_update_to_another_products_sku_is_refused(production1):
    make_product(by=production1, sku="A-1")
    product = make_product(by=production1, sku="B-1")

    with pytest.raises(DuplicateSku):
        services.update_product(product, {"sku": "a-1"}, by=production1, reason="typo")

    assert Product.objects.get(pk=product.pk).sku == "B-1"


def test_sales_may_not_change_products(production1, sales1):
    product = make_product(by=production1)

    with pytest.raises(NotAllowed):
        services.update_product(product, {"unit": "件"}, by=sales1, reason="x")

    assert not AuditEntry.objects.filter(action="update_product").exists()


def test_unchanged_values_write_no_audit_entry(production1):
    product = make_product(by=production1, unit="台")

    services.update_product(product, {"unit": "台"}, by=production1, reason="none")

    assert not audit.entries_for(product).filter(action="update_product").exists()


def test_duplicate_category_code_is_refused(production1):
    make_category(by=production1, code="pumps")

    with pytest.raises(DuplicateCategoryCode) as refused:
        make_category(by=production1, code="pumps")

    assert "code" in refused.value.fields

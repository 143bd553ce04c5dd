"""Product search by SKU, name, spec/model and pinyin initials, and who sees the catalog."""

from __future__ import annotations

import pytest

from orderdesk.catalog import selectors
from orderdesk.core.errors import NotFound
from tests.factories.catalog import make_category, make_product


@pytest.fixture
def catalog(db):
    pumps = make_category(code="pumps", name="泵")
    valves = make_category(code="valves", name="阀门")
    return {
        "pump": make_product(
            sku="PU-100", name="离心泵", spec="流量 50m3/h", model_number="IS50-32", category=pumps
        ),
        "pump2": make_product(sku="PU-1001", name="管道泵", model_number="ISG65", category=pumps),
        "valve": make_product(
            sku="VA-200", name="不锈钢球阀", spec="DN50 PN16", category=valves, sales_kind="custom"
        ),
        "old": make_product(sku="VA-300", name="闸阀", category=valves, is_active=False),
    }


def found(user, **filters):
    return {product.sku for product in selectors.search(user, **filters)}


def test_sku_prefix_finds_every_sku_starting_with_it_case_free(catalog, sales1):
    assert found(sales1, q="pu-100") == {"PU-100", "PU-1001"}
    assert found(sales1, q="PU-1001") == {"PU-1001"}


def test_name_spec_and_model_are_searched(catalog, sales1):
    assert found(sales1, q="球阀") == {"VA-200"}
    assert found(sales1, q="DN50") == {"VA-200"}
    assert found(sales1, q="isg") == {"PU-1001"}
    assert found(sales1, q="50m3") == {"PU-100"}


def test_pinyin_initials_find_chinese_names(catalog, sales1):
    assert found(sales1, q="lxb") == {"PU-100"}
    assert found(sales1, q="BXG") == {"VA-200"}


def test_filters_by_category_sales_kind_and_active(catalog, sales1):
    assert found(sales1, category="valves") == {"VA-200", "VA-300"}
    assert found(sales1, category=str(catalog["pump"].category_id)) == {"PU-100", "PU-1001"}
    assert found(sales1, sales_kind="custom") == {"VA-200"}
    assert found(sales1, active=False) == {"VA-300"}
    assert found(sales1, active=True, category="valves") == {"VA-200"}


@pytest.mark.parametrize("role", ["sales", "warehouse", "finance", "production"])
def test_every_member_of_staff_sees_the_catalog(catalog, make_user, role):
    user = make_user(f"{role}-x", role)

    assert len(found(user)) == 4
    assert selectors.product_for(user, catalog["pump"].pk) == catalog["pump"]


def test_a_customer_portal_account_sees_no_product(catalog, portal1):
    assert found(portal1) == set()
    with pytest.raises(NotFound):
        selectors.product_for(portal1, catalog["pump"].pk)

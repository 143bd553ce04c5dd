"""Stock pages: overview, low stock, movements, warehouses, the receipt and adjustment
forms, and the stock panel on the product page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from orderdesk.core import audit
from orderdesk.core.models import AuditEntry
from orderdesk.inventory import services
from orderdesk.inventory.models import Location, StockLevel, StockMovement, Warehouse

OVERVIEW = reverse("inventory:overview")
LOW = reverse("inventory:low")
ADJUST = reverse("inventory:adjust")
RECEIVE = reverse("inventory:receive")
WAREHOUSES = reverse("inventory:warehouses")
NEW_WAREHOUSE = reverse("inventory:create_warehouse")


@pytest.fixture
def warehouse1(make_user):
    """The warehouse role as migrated (accounts/roles.py grants it manage_stock)."""
    return make_user("wh_keeper", "warehouse")


@pytest.fixture
def portal1(make_user):
    return make_user("portal1", "customer")


@pytest.fixture
def stocked(product, main_wh, second_wh, keeper):
    """12.5 on hand in SH01 (3 reserved), 4 in GZ01."""
    services.receive_stock(product, main_wh, "12.5", by=keeper, reference="DN-001")
    services.receive_stock(product, second_wh, "4", by=keeper)
    services.reserve(product, "3", reference="orders.OrderLine:1", by=keeper, warehouse=main_wh)
    return product


def level(product, warehouse):
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def adjustment(product, warehouse, **overrides):
    return {"product": product.sku, "warehouse": warehouse.pk, "reason": "盘点", **overrides}


# --- overview ---------------------------------------------------------------------------------


def test_overview_lists_levels_with_available_and_searches(
    client, sales1, stocked, make_product, main_wh, keeper, django_assert_max_num_queries
):
    other = make_product(sku="PU-77", name="离心泵")
    services.receive_stock(other, main_wh, "1", by=keeper)
    client.force_login(sales1)

    with django_assert_max_num_queries(10):
        everything = client.get(OVERVIEW)
    by_sku = client.get(OVERVIEW, {"q": stocked.sku.lower()}).content.decode()

    assert everything.status_code == 200
    assert [(lv.product.sku, lv.warehouse.code) for lv in everything.context["levels"]] == [
        ("PU-77", "SH01"),
        (stocked.sku, "GZ01"),
        (stocked.sku, "SH01"),
    ]
    assert "9.5" in everything.content.decode()  # 12.5 on hand − 3 reserved
    assert "PU-77" not in by_sku
    assert stocked.sku in by_sku
    assert "Adjust stock" not in everything.content.decode()


def test_overview_filters_by_warehouse(client, sales1, stocked, second_wh):
    client.force_login(sales1)

    response = client.get(OVERVIEW, {"warehouse": second_wh.pk})

    assert [lv.warehouse.code for lv in response.context["levels"]] == ["GZ01"]


def test_overview_empty_states(client, sales1, product, main_wh):
    client.force_login(sales1)

    empty = client.get(OVERVIEW).content.decode()
    no_match = client.get(OVERVIEW, {"q": "nothing-like-this"}).content.decode()

    assert "No stock booked yet" in empty
    assert "No stock matches" in no_match


def test_overview_paginates(client, sales1, make_product, main_wh, keeper):
    for _ in range(26):
        services.receive_stock(make_product(), main_wh, "1", by=keeper)
    client.force_login(sales1)

    first = client.get(OVERVIEW)
    second = client.get(OVERVIEW, {"page": 2})

    assert len(first.context["levels"]) == 25
    assert len(second.context["levels"]) == 1
    assert 'rel="next"' in first.content.decode()


def test_portal_accounts_get_403_on_stock_pages(client, portal1, product):
    client.force_login(portal1)

    for url in (OVERVIEW, LOW, WAREHOUSES, reverse("inventory:movements", args=[product.pk])):
        assert client.get(url).status_code == 403


# --- low stock --------------------------------------------------------------------------------


def test_low_stock_shows_sold_out_levels_with_restock_dates(
    client, sales1, make_product, main_wh, keeper, django_assert_max_num_queries
):
    sold_out = make_product(lead_time_days=5)
    on_order = make_product()
    plenty = make_product()
    for each in (sold_out, on_order, plenty):
        services.receive_stock(each, main_wh, "2", by=keeper)
    services.reserve(sold_out, "2", reference="orders.OrderLine:7", by=keeper)
    services.reserve(on_order, "2", reference="orders.OrderLine:8", by=keeper)
    expected = timezone.localdate() + dt.timedelta(days=30)
    services.create_purchase_request(
        on_order, main_wh, "50", expected_on=expected, by=keeper, note=""
    )
    client.force_login(sales1)

    with django_assert_max_num_queries(12):
        response = client.get(LOW)

    rows = {row["level"].product.sku: row["restock"] for row in response.context["rows"]}
    assert set(rows) == {sold_out.sku, on_order.sku}
    assert rows[on_order.sku].on == expected
    assert rows[on_order.sku].requested
    assert not rows[sold_out.sku].requested
    content = response.content.decode()
    assert expected.isoformat() in content
    assert "purchase requested" in content
    higher = client.get(LOW, {"threshold": "5"}).context["rows"]
    assert {row["level"].product.sku for row in higher} == {sold_out.sku, on_order.sku, plenty.sku}


def test_low_stock_empty_state(client, sales1, stocked):
    client.force_login(sales1)

    response = client.get(LOW)

    assert response.status_code == 200
    assert "Nothing is running low" in response.content.decode()


# --- adjustments ------------------------------------------------------------------------------


def test_adjustment_without_reason_is_refused_on_the_field_and_writes_nothing(
    client, warehouse1, stocked, main_wh
):
    movements = StockMovement.objects.count()
    audits = AuditEntry.objects.count()
    client.force_login(warehouse1)

    response = client.post(ADJUST, adjustment(stocked, main_wh, new_on_hand="20", reason=" "))

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert level(stocked, main_wh).on_hand == Decimal("12.5")
    assert StockMovement.objects.count() == movements
    assert AuditEntry.objects.count() == audits


def test_adjustment_to_the_counted_quantity_writes_a_movement_and_audit(
    client, warehouse1, stocked, main_wh
):
    client.force_login(warehouse1)

    response = client.post(ADJUST, adjustment(stocked, main_wh, new_on_hand="10", reason="盘点"))

    assert response.status_code == 302
    assert response.url == reverse("catalog:detail", args=[stocked.pk]) + "#stock"
    stock = level(stocked, main_wh)
    assert stock.on_hand == Decimal("10")
    movement = StockMovement.objects.filter(kind="adjustment").get()
    assert (movement.quantity, movement.decrease, movement.reason) == (Decimal("2.5"), True, "盘点")
    assert movement.by == warehouse1
    entry = audit.entries_for(stock).get(action="stock_adjusted")
    assert entry.reason == "盘点"
    assert entry.actor == warehouse1
    assert any("adjusted" in str(m) for m in get_messages(response.wsgi_request))


def test_adjustment_by_a_negative_change(client, warehouse1, stocked, second_wh):
    client.force_login(warehouse1)

    response = client.post(ADJUST, adjustment(stocked, second_wh, delta="-1.5", reason="破损"))

    assert response.status_code == 302
    assert level(stocked, second_wh).on_hand == Decimal("2.5")


@pytest.mark.parametrize(
    ("quantities", "field"),
    [
        ({}, "new_on_hand"),  # neither
        ({"new_on_hand": "5", "delta": "1"}, "new_on_hand"),  # both
        ({"new_on_hand": "2"}, "new_on_hand"),  # below the 3 reserved
    ],
)
def test_adjustment_service_errors_land_on_their_fields(
    client, warehouse1, stocked, main_wh, quantities, field
):
    client.force_login(warehouse1)

    response = client.post(ADJUST, adjustment(stocked, main_wh, **quantities))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert level(stocked, main_wh).on_hand == Decimal("12.5")


def test_adjustment_of_an_unknown_sku_names_the_product_field(client, warehouse1, main_wh):
    client.force_login(warehouse1)

    response = client.post(
        ADJUST, {"product": "NOPE-1", "warehouse": main_wh.pk, "delta": "1", "reason": "x"}
    )

    assert "product" in response.context["form"].errors
    assert not StockMovement.objects.exists()


def test_adjust_form_prefills_from_the_product_page_link(client, warehouse1, stocked, main_wh):
    client.force_login(warehouse1)

    response = client.get(ADJUST, {"product": stocked.pk, "warehouse": main_wh.pk})

    assert response.status_code == 200
    assert response.context["form"].initial == {"product": stocked.sku, "warehouse": main_wh.pk}
    assert "Current stock" in response.content.decode()


def test_sales_get_403_on_adjust_and_receive_and_nothing_is_written(
    client, sales1, stocked, main_wh
):
    client.force_login(sales1)

    assert client.get(ADJUST).status_code == 403
    assert client.get(RECEIVE).status_code == 403
    posted = client.post(ADJUST, adjustment(stocked, main_wh, delta="5"))

    assert posted.status_code == 403
    assert level(stocked, main_wh).on_hand == Decimal("12.5")


# --- receipts ---------------------------------------------------------------------------------


def test_receipt_form_books_goods_in(client, warehouse1, product, main_wh):
    client.force_login(warehouse1)

    response = client.post(
        RECEIVE,
        {"product": product.sku, "warehouse": main_wh.pk, "quantity": "7", "reference": "DN-9"},
    )

    assert response.status_code == 302
    assert level(product, main_wh).on_hand == Decimal("7")
    assert StockMovement.objects.get().reference == "DN-9"


def test_receipt_of_zero_is_refused_on_the_quantity(client, warehouse1, product, main_wh):
    client.force_login(warehouse1)

    response = client.post(
        RECEIVE, {"product": product.sku, "warehouse": main_wh.pk, "quantity": "0"}
    )

    assert "quantity" in response.context["form"].errors
    assert not StockMovement.objects.exists()


# --- movements --------------------------------------------------------------------------------


def test_movements_newest_first_with_who_and_why(client, sales1, stocked, main_wh, keeper):
    services.adjust_stock(stocked, main_wh, delta="1", by=keeper, reason="找到一箱")
    client.force_login(sales1)

    response = client.get(reverse("inventory:movements", args=[stocked.pk]))

    kinds = [movement.kind for movement in response.context["movements"]]
    assert kinds == ["adjustment", "reservation", "receipt", "receipt"]
    content = response.content.decode()
    assert "找到一箱" in content
    assert "DN-001" in content
    assert str(keeper) in content
    only_gz = client.get(
        reverse("inventory:movements", args=[stocked.pk]), {"warehouse": "GZ01"}
    ).context["movements"]
    assert [movement.warehouse.code for movement in only_gz] == ["GZ01"]


def test_movements_of_a_product_without_any(client, sales1, product):
    client.force_login(sales1)

    response = client.get(reverse("inventory:movements", args=[product.pk]))

    assert "No movements yet" in response.content.decode()
    assert client.get(reverse("inventory:movements", args=[9999])).status_code == 404


# --- warehouses -------------------------------------------------------------------------------


def test_warehouses_list_with_locations(client, sales1, main_wh, keeper):
    services.add_location(main_wh, "A-01", by=keeper, name="一号货架")
    client.force_login(sales1)

    content = client.get(WAREHOUSES).content.decode()

    assert "上海总仓" in content
    assert "A-01" in content
    assert "New warehouse" not in content


def test_warehouse_user_opens_a_warehouse_and_adds_a_location(client, warehouse1):
    client.force_login(warehouse1)

    created = client.post(NEW_WAREHOUSE, {"code": "BJ01", "name": "北京仓", "is_active": "on"})
    warehouse = Warehouse.objects.get(code="BJ01")
    located = client.post(
        reverse("inventory:add_location", args=[warehouse.pk]), {"code": "B-2", "name": ""}
    )

    assert created.status_code == 302
    assert located.status_code == 302
    assert Location.objects.get().code == "B-2"
    assert audit.entries_for(warehouse).filter(action="warehouse_created").exists()


def test_duplicate_warehouse_code_is_shown_on_the_code_field(client, warehouse1, main_wh):
    client.force_login(warehouse1)

    response = client.post(NEW_WAREHOUSE, {"code": main_wh.code, "name": "又一个"})

    assert "code" in response.context["form"].errors


def test_sales_cannot_open_warehouses(client, sales1, main_wh):
    client.force_login(sales1)

    assert client.get(NEW_WAREHOUSE).status_code == 403
    add = reverse("inventory:add_location", args=[main_wh.pk])
    assert client.post(add, {"code": "X"}).status_code == 403
    assert not Location.objects.exists()


# --- the product page panel -------------------------------------------------------------------


def test_product_page_shows_stock_by_warehouse_to_sales(client, sales1, stocked):
    client.force_login(sales1)

    content = client.get(reverse("catalog:detail", args=[stocked.pk])).content.decode()

    assert 'id="stock"' in content
    assert "SH01" in content
    assert "GZ01" in content
    assert "12.5" in content  # on hand in SH01
    assert "9.5" in content  # available in SH01
    assert "13.5" in content  # available in open warehouses
    assert "Expected restock" in content
    assert reverse("inventory:movements", args=[stocked.pk]) in content
    assert ADJUST not in content


def test_product_page_offers_adjust_to_the_warehouse(client, warehouse1, product):
    client.force_login(warehouse1)

    content = client.get(reverse("catalog:detail", args=[product.pk])).content.decode()

    assert f"{ADJUST}?product={product.pk}" in content
    assert "No stock of this product in any warehouse." in content

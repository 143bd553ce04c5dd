"""load_demo's catalog: products, stock in two warehouses, price lists and promotions, all
through the services, once."""

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

from orderdesk.catalog.models import Category, Product, SalesKind, Supply
from orderdesk.core.audit import entries_for
from orderdesk.core.models import AuditEntry
from orderdesk.demo.generators import generate_products
from orderdesk.demo.loader import DEMO_WAREHOUSES, STANDARD_LIST, load_demo
from orderdesk.inventory import selectors as inventory_selectors
from orderdesk.inventory.models import PurchaseRequest, StockLevel, StockMovement, Warehouse
from orderdesk.pricing import selectors as pricing_selectors
from orderdesk.pricing.models import PriceList, PriceListItem, PriceListKind, Promotion

DEMO_DAY = dt.date(2026, 11, 23)
FEN = Decimal("0.01")


def test_the_default_demo_has_a_full_catalog_with_stock_prices_and_promotions(db):
    result = load_demo(customers=0)

    assert result.catalog.products_created == Product.objects.count() >= 500
    assert Category.objects.count() >= 5
    assert Warehouse.objects.filter(code__in=[w.code for w in DEMO_WAREHOUSES]).count() == 2
    stocked_in = StockLevel.objects.filter(on_hand__gt=0).values("warehouse").distinct()
    assert stocked_in.count() == 2
    assert inventory_selectors.ledger_mismatches() == []
    make_to_stock = Product.objects.filter(
        is_active=True, sales_kind=SalesKind.NORMAL, supply=Supply.MAKE_TO_STOCK
    )
    with_stock = make_to_stock.filter(stock_levels__on_hand__gt=0).distinct().count()
    assert with_stock > 0.8 * make_to_stock.count()

    standard = PriceList.objects.get(code=STANDARD_LIST)
    assert standard.kind == PriceListKind.STANDARD
    assert standard.valid_from == dt.date(2026, 1, 1)
    assert standard.valid_until is None
    priced = set(standard.items.values_list("product_id", flat=True))
    normal = set(
        Product.objects.filter(is_active=True, sales_kind=SalesKind.NORMAL).values_list(
            "pk", flat=True
        )
    )
    assert normal <= priced
    grades = set(PriceList.objects.filter(kind=PriceListKind.GRADE).values_list("grade", flat=True))
    assert {"A", "B"} <= grades
    assert standard.items.filter(min_quantity__gt=1).exists()  # quantity breaks

    live = {live.promotion.code for live in pricing_selectors.promotions_on(DEMO_DAY)}
    assert len(live) >= 2
    assert not Promotion.objects.filter(code__in=live, stackable=True).exists()

    counts = (
        Product.objects.count(),
        StockMovement.objects.count(),
        PriceListItem.objects.count(),
        Promotion.objects.count(),
        AuditEntry.objects.count(),
    )
    again = load_demo(customers=0)
    assert again.catalog.products_created == 0
    assert (
        Product.objects.count(),
        StockMovement.objects.count(),
        PriceListItem.objects.count(),
        Promotion.objects.count(),
        AuditEntry.objects.count(),
    ) == counts


def test_products_match_the_generator_with_floor_prices_and_grade_discounts(db):
    load_demo(customers=0, products=60, seed=7)

    records = {record.sku: record for record in generate_products(60, seed=7)}
    stored = {product.sku: product for product in Product.objects.select_related("category")}
    assert set(stored) == set(records)
    for sku, record in records.items():
        product = stored[sku]
        assert (product.name, product.unit, product.tax_rate) == (
            record.name,
            record.unit,
            record.tax_rate,
        )
        assert product.category.name == record.category
    for item in PriceListItem.objects.filter(price_list__code=STANDARD_LIST, min_quantity=1):
        record = records[stored_sku(item)]
        assert item.unit_price == record.list_price
        assert item.floor_price == (record.list_price * Decimal("0.85")).quantize(
            FEN, ROUND_HALF_UP
        )
    grade_a = PriceListItem.objects.filter(
        price_list__kind=PriceListKind.GRADE, price_list__grade="A"
    )
    assert grade_a.exists()
    for item in grade_a:
        expected = (records[stored_sku(item)].list_price * Decimal("0.95")).quantize(
            FEN, ROUND_HALF_UP
        )
        assert item.unit_price == expected


def stored_sku(item: PriceListItem) -> str:
    return Product.objects.values_list("sku", flat=True).get(pk=item.product_id)


def test_the_people_who_would_do_it_act_and_sold_out_items_show_a_restock_date(db):
    load_demo(customers=0, products=60, seed=7)

    product = Product.objects.order_by("pk")[0]
    assert {getattr(entry.actor, "username", None) for entry in entries_for(product)} == {
        "production1"
    }
    movement = StockMovement.objects.select_related("by").first()
    assert movement is not None
    assert getattr(movement.by, "username", None) == "warehouse1"
    standard = PriceList.objects.get(code=STANDARD_LIST)
    assert {getattr(entry.actor, "username", None) for entry in entries_for(standard)} == {
        "finance1"
    }
    for request in PurchaseRequest.objects.select_related("product"):
        availability = inventory_selectors.availability(request.product)
        assert availability["available"] == 0
        assert availability["restock_on"] == request.expected_on


def test_no_catalog_is_loaded_over_existing_products(db):
    load_demo(customers=0, products=5)
    out = io.StringIO()

    result = load_demo(customers=0, products=20, stdout=out)

    assert result.catalog.products_created == 0
    assert Product.objects.count() == 5
    assert "products" in out.getvalue().lower()


def test_summary_counts_the_catalog(db):
    out = io.StringIO()

    result = load_demo(customers=0, products=10, stdout=out)

    text = out.getvalue()
    assert result.catalog.products_created == 10
    for number in (result.catalog.stock_receipts, result.catalog.prices_set):
        assert f"{number}" in text

"""Importing a price list's prices from .xlsx / .csv and exporting them, through the service
and the API (/api/v1/price-lists/{id}/import and /export)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.core.models import AuditEntry
from orderdesk.pricing.exporting import export_prices
from orderdesk.pricing.models import PriceListItem
from orderdesk.pricing.services import import_prices
from tests.factories.accounts import bearer

HEADERS = ["SKU", "起订量", "含税单价", "最低价"]


def xlsx(rows: Sequence[Sequence[Any]], headers: Sequence[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for cells in rows:
        sheet.append(list(cells))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(rows: Sequence[Sequence[Any]], headers: Sequence[str], encoding: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def read_export(data: bytes) -> list[dict[str, Any]]:
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], cells, strict=True)) for cells in rows[1:]]


def prices(price_list: Any) -> list[tuple[str, D, D, D | None]]:
    items = PriceListItem.objects.filter(price_list=price_list).select_related("product")
    return [
        (item.product.sku, item.min_quantity, item.unit_price, item.floor_price)
        for item in items.order_by("product__sku", "min_quantity")
    ]


@pytest.fixture
def products(make_product):
    return [make_product(sku=f"BV-{serial}") for serial in range(1, 4)]


@pytest.fixture
def standard(make_list):
    return make_list("std")


# --- import --------------------------------------------------------------------------------


def test_rows_add_and_change_quantity_breaks_audited_on_the_list(pricer, products, make_list):
    price_list = make_list("std", {products[0]: "100"})
    entries = AuditEntry.objects.filter(action="set_price").count()
    data = xlsx([["bv-1", 1, 95, 80], ["BV-1", 10, 90, 80], ["BV-2", None, "¥1,280.50", None]])

    report = import_prices(price_list, data, "价格.xlsx", by=pricer)

    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    assert prices(price_list) == [
        ("BV-1", D(1), D(95), D(80)),
        ("BV-1", D(10), D(90), D(80)),
        ("BV-2", D(1), D("1280.50"), None),
    ]
    assert AuditEntry.objects.filter(action="set_price").count() == entries + 3
    summary = AuditEntry.objects.get(action="import_prices")
    assert summary.object_id == str(price_list.pk)
    assert summary.actor == pricer
    assert summary.changes["file"] == [None, "价格.xlsx"]


def test_exporting_and_importing_the_list_unchanged_writes_nothing(pricer, products, make_list):
    price_list = make_list(
        "std",
        {products[0]: {"unit_price": D("99.50"), "floor_price": D(80)}, products[1]: "12"},
    )
    from orderdesk.pricing.services import set_price

    set_price(price_list, products[0], {"min_quantity": 50, "unit_price": D(90)}, by=pricer)
    products[1].is_active = False  # no longer sold, but its unchanged price reads back fine
    products[1].save()
    entries = AuditEntry.objects.count()

    data = export_prices(price_list, user=pricer)
    report = import_prices(price_list, data, "export.xlsx", by=pricer)

    assert report.errors == []
    assert report.warnings == []
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 0, 0, 3)
    assert AuditEntry.objects.count() == entries


def test_bad_rows_are_named_by_row_and_header_and_nothing_is_written(
    pricer, products, make_product, make_list
):
    inactive = make_product(sku="OLD-1", is_active=False)
    prohibited = make_product(sku="BAN-1", sales_kind="prohibited")
    price_list = make_list("std", {products[0]: "100"})
    data = xlsx(
        [
            ["BV-1", 1, 120, None],
            ["NOPE-1", 1, 10, None],
            ["BV-2", 0, 10, None],
            ["BV-2", -5, 10, None],
            ["BV-3", 1, 10, 12],
            [inactive.sku, 1, 10, None],
            [prohibited.sku, 1, 10, None],
            ["BV-3", "十", "abc", None],
            ["BV-1", 1, 130, None],
            [None, 1, 10, None],
            ["BV-2", 5, None, None],
        ]
    )

    report = import_prices(price_list, data, "价格.xlsx", by=pricer)

    assert [(e.row, e.column) for e in report.errors] == [
        (3, "SKU"),
        (4, "起订量"),
        (5, "起订量"),
        (6, "最低价"),
        (7, "SKU"),
        (8, "SKU"),
        (9, "起订量"),
        (9, "含税单价"),
        (10, "起订量"),
        (11, "SKU"),
        (12, "含税单价"),
    ]
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "NOPE-1" in messages[(3, "SKU")]
    assert "row 2" in messages[(10, "起订量")]
    assert prices(price_list) == [("BV-1", D(1), D(100), None)]
    assert not AuditEntry.objects.filter(action="import_prices").exists()


def test_an_existing_floor_above_the_new_price_is_a_row_error(pricer, products, make_list):
    price_list = make_list("std", {products[0]: {"unit_price": D(100), "floor_price": D(90)}})

    report = import_prices(price_list, xlsx([["BV-1", 1, 80]], HEADERS[:3]), "a.xlsx", by=pricer)

    assert [(e.row, e.column) for e in report.errors] == [(2, "最低价")]
    assert prices(price_list) == [("BV-1", D(1), D(100), D(90))]


def test_an_empty_floor_cell_removes_the_floor_and_no_floor_column_keeps_it(
    pricer, products, make_list
):
    price_list = make_list(
        "std",
        {
            products[0]: {"unit_price": D(100), "floor_price": D(90)},
            products[1]: {"unit_price": D(100), "floor_price": D(90)},
        },
    )

    import_prices(price_list, xlsx([["BV-1", 1, 100, None]]), "a.xlsx", by=pricer)
    import_prices(price_list, xlsx([["BV-2", 1, 95]], HEADERS[:3]), "b.xlsx", by=pricer)

    assert prices(price_list) == [("BV-1", D(1), D(100), None), ("BV-2", D(1), D(95), D(90))]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_csv_in_gb18030_or_utf8_with_other_header_spellings(pricer, products, standard, encoding):
    data = csv_file([["BV-1", "1", "88.80", "70"]], ["产品编码", "数量", "单价", "底价"], encoding)

    report = import_prices(standard, data, "价格表.csv", by=pricer)

    assert report.errors == []
    assert prices(standard) == [("BV-1", D(1), D("88.80"), D(70))]


def test_a_net_price_column_is_refused_for_a_list_of_prices_with_vat(pricer, products, standard):
    report = import_prices(
        standard, xlsx([["BV-1", 1, 100]], ["SKU", "起订量", "未税单价"]), "a.xlsx", by=pricer
    )

    assert [(e.row, e.column) for e in report.errors] == [(1, "未税单价")]
    assert "含税单价" in report.errors[0].message
    assert prices(standard) == []


def test_a_list_without_vat_reads_and_writes_the_net_price_column(pricer, products, make_list):
    price_list = make_list("net", prices_include_tax=False)

    report = import_prices(
        price_list, xlsx([["BV-1", 1, 100]], ["SKU", "起订量", "未税单价"]), "a.xlsx", by=pricer
    )

    assert report.errors == []
    rows = read_export(export_prices(price_list, user=pricer))
    assert rows[0]["未税单价"] == 100
    assert "含税单价" not in rows[0]


def test_a_file_without_a_price_column_is_refused(pricer, standard):
    with pytest.raises(ValidationFailed) as refused:
        import_prices(standard, xlsx([["BV-1"]], ["SKU"]), "a.xlsx", by=pricer)

    assert refused.value.code == "missing_columns"
    assert "含税单价" in refused.value.fields["file"]


def test_checking_reads_products_and_prices_in_bulk(
    pricer, make_product, standard, django_assert_max_num_queries
):
    for serial in range(20):
        make_product(sku=f"Q-{serial}")
    rows = [[f"Q-{serial}", 1, 10, 20] for serial in range(20)] * 10

    with django_assert_max_num_queries(10):
        report = import_prices(standard, xlsx(rows), "a.xlsx", by=pricer)

    assert len(report.invalid_rows) == 200


def test_roles_without_manage_prices_may_not_import(sales1, products, standard):
    with pytest.raises(NotAllowed):
        import_prices(standard, xlsx([["BV-1", 1, 100, None]]), "a.xlsx", by=sales1)

    assert prices(standard) == []


# --- export --------------------------------------------------------------------------------


def test_export_lists_every_break_by_sku_and_quantity(pricer, products, make_list):
    from orderdesk.pricing.services import set_price

    price_list = make_list("std", {products[1]: "12", products[0]: "100.5"})
    set_price(price_list, products[0], {"min_quantity": 10, "unit_price": D(90)}, by=pricer)

    rows = read_export(export_prices(price_list, user=pricer))

    assert [(r["SKU"], r["起订量"], r["含税单价"]) for r in rows] == [
        ("BV-1", 1, 100.5),
        ("BV-1", 10, 90),
        ("BV-2", 1, 12),
    ]
    assert rows[0]["产品名称"] == products[0].name


def test_floors_are_exported_only_to_those_who_manage_prices(sales1, pricer, products, make_list):
    price_list = make_list("std", {products[0]: {"unit_price": D(100), "floor_price": D(90)}})

    assert read_export(export_prices(price_list, user=pricer))[0]["最低价"] == 90
    assert "最低价" not in read_export(export_prices(price_list, user=sales1))[0]


# --- API -----------------------------------------------------------------------------------


def url(price_list: Any, action: str) -> str:
    return f"/api/v1/price-lists/{price_list.pk}/{action}"


def test_api_import_returns_the_report(client, pricer, products, standard):
    upload = SimpleUploadedFile("prices.xlsx", xlsx([["BV-1", 1, 100, 90]]))

    response = client.post(url(standard, "import"), {"file": upload}, headers=bearer(pricer))

    assert response.status_code == 200
    body = response.json()
    assert (body["rows"], body["created"], body["updated"], body["unchanged"]) == (1, 1, 0, 0)
    assert prices(standard) == [("BV-1", D(1), D(100), D(90))]


def test_api_import_with_bad_rows_is_a_422_naming_each_cell(client, pricer, products, standard):
    upload = SimpleUploadedFile("prices.xlsx", xlsx([["BV-1", 1, 100, 90], ["NOPE", 1, 1, None]]))

    response = client.post(url(standard, "import"), {"file": upload}, headers=bearer(pricer))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    assert list(error["fields"]) == ["rows.3.SKU"]
    assert error["rows"][0]["row"] == 3
    assert prices(standard) == []


def test_api_import_needs_manage_prices(client, sales1, products, standard):
    upload = SimpleUploadedFile("prices.xlsx", xlsx([["BV-1", 1, 100, 90]]))

    response = client.post(url(standard, "import"), {"file": upload}, headers=bearer(sales1))

    assert response.status_code == 403
    assert prices(standard) == []


def test_api_import_into_an_unknown_list_is_a_404(client, pricer):
    upload = SimpleUploadedFile("prices.xlsx", xlsx([["BV-1", 1, 100, 90]]))

    response = client.post(
        "/api/v1/price-lists/999999/import", {"file": upload}, headers=bearer(pricer)
    )

    assert response.status_code == 404


def test_api_export_is_a_workbook(client, sales1, products, make_list):
    price_list = make_list("std", {products[0]: "100"})

    response = client.get(url(price_list, "export"), headers=bearer(sales1))

    assert response.status_code == 200
    assert "prices-std-" in response["Content-Disposition"]
    assert [r["SKU"] for r in read_export(response.content)] == ["BV-1"]


def test_api_export_is_refused_to_portal_accounts(client, make_user, standard):
    portal = make_user("portal1", "customer")

    response = client.get(url(standard, "export"), headers=bearer(portal))

    assert response.status_code == 403


# --- the rule set_price and the import share ------------------------------------------------


def test_set_price_refuses_a_prohibited_product_like_the_import(pricer, make_product, standard):
    from orderdesk.pricing.services import set_price

    banned = make_product(sales_kind="prohibited")

    with pytest.raises(ValidationFailed) as refused:
        set_price(standard, banned, {"unit_price": D(10)}, by=pricer)

    assert "product" in refused.value.fields
    assert prices(standard) == []

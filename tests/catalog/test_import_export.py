"""Importing products from .xlsx / .csv (create new SKUs, update known ones) and exporting the
filtered list, through the service, the pages and the API."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from orderdesk.catalog import selectors
from orderdesk.catalog.exporting import export_products
from orderdesk.catalog.importing import import_products
from orderdesk.catalog.models import Product
from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.core.models import AuditEntry
from tests.factories.accounts import bearer
from tests.factories.catalog import make_category, make_product

HEADERS = ["SKU", "产品名称", "规格", "型号", "分类", "单位", "税率", "交货期(工作日)",
           "销售类型", "生产方式", "启用", "重量(kg)", "说明"]  # fmt: skip
API = "/api/v1/products"


SHORT = {"交货期": "交货期(工作日)", "重量": "重量(kg)"}


def row(sku: str, **overrides: Any) -> list[Any]:
    overrides = {SHORT.get(name, name): value for name, value in overrides.items()}
    cells = {
        "SKU": sku,
        "产品名称": f"离心泵{sku}",
        "规格": "50m3/h",
        "型号": "IS50-32",
        "分类": "pumps",
        "单位": "台",
        "税率": "13%",
        "交货期(工作日)": 10,
        "销售类型": "常规",
        "生产方式": "按单生产",
        "启用": "是",
        "重量(kg)": 35.5,
        "说明": "",
        **overrides,
    }
    return [cells[header] for header in HEADERS]


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


@pytest.fixture
def pumps(db):
    return make_category(code="pumps", name="泵")


@pytest.fixture
def valves(db):
    return make_category(code="valves", name="阀门")


# --- import --------------------------------------------------------------------------------


def test_new_skus_are_created_with_every_column_and_audited(production1, pumps):
    data = xlsx([row("pu-1", 说明="不锈钢叶轮"), row("PU-2", 启用="否", 销售类型="定制")])

    report = import_products(data, "产品.xlsx", by=production1)

    assert report.errors == []
    assert [p.sku for p in report.created] == ["PU-1", "PU-2"]
    first = Product.objects.get(sku="PU-1")
    assert (first.name, first.spec, first.model_number, first.category, first.unit) == (
        "离心泵pu-1",
        "50m3/h",
        "IS50-32",
        pumps,
        "台",
    )
    assert (first.tax_rate, first.lead_time_days, first.supply, first.weight_kg) == (
        Decimal("0.13"),
        10,
        "make_to_order",
        Decimal("35.5"),
    )
    assert first.description == "不锈钢叶轮"
    second = Product.objects.get(sku="PU-2")
    assert (second.is_active, second.sales_kind) == (False, "custom")
    assert AuditEntry.objects.filter(action="create_product").count() == 2
    summary = AuditEntry.objects.get(action="import_products")
    assert summary.actor == production1
    assert summary.changes["file"] == [None, "产品.xlsx"]
    assert summary.changes["created"] == [None, 2]


def test_a_known_sku_updates_only_the_columns_in_the_file_with_the_file_as_reason(
    production1, pumps, valves
):
    product = make_product(sku="PU-1", category=pumps, spec="旧规格", lead_time_days=5)
    data = xlsx([["pu-1", "阀门", 20]], headers=["产品编码", "分类", "交货期"])

    report = import_products(data, "更新.xlsx", by=production1)

    assert report.errors == []
    assert [p.sku for p in report.updated] == ["PU-1"]
    assert report.created == []
    product.refresh_from_db()
    assert (product.category, product.lead_time_days, product.spec) == (valves, 20, "旧规格")
    entry = AuditEntry.objects.get(action="update_product")
    assert set(entry.changes) == {"category", "lead_time_days"}
    assert "更新.xlsx" in entry.reason
    assert AuditEntry.objects.get(action="import_products").changes["updated"] == [None, 1]


def test_exporting_and_importing_the_file_unchanged_writes_nothing(production1, pumps):
    make_product(sku="PU-1", category=pumps, weight_kg=Decimal("12.250"), description="说明")
    make_product(sku="PU-2", category=pumps, tax_rate="0.09", sales_kind="prohibited")
    make_product(sku="PU-3", category=pumps, is_active=False, supply="make_to_order")
    entries = AuditEntry.objects.count()

    data = export_products(selectors.search(production1))
    report = import_products(data, "products.xlsx", by=production1)

    assert report.errors == []
    assert report.warnings == []
    assert (report.rows, report.unchanged, report.created, report.updated) == (3, 3, [], [])
    assert AuditEntry.objects.count() == entries


def test_every_bad_cell_is_reported_by_row_and_header_and_nothing_is_written(production1, pumps):
    existing = make_product(sku="PU-9", category=pumps, lead_time_days=5)
    data = xlsx(
        [
            row("PU-1"),
            row("PU-2", 税率="17%", 交货期="三天"),
            row("PU 3", 分类="不存在"),
            [None] * len(HEADERS),
            row("PU-9", 交货期=400),
            row("PU-1"),
            row("PU-5", 启用="也许", 重量="很重", 销售类型="特价", 产品名称=""),
        ]
    )

    report = import_products(data, "产品.xlsx", by=production1)

    assert sorted((e.row, e.column) for e in report.errors) == [
        (3, "交货期(工作日)"),
        (3, "税率"),
        (4, "SKU"),
        (4, "分类"),
        (6, "交货期(工作日)"),
        (7, "SKU"),
        (8, "产品名称"),
        (8, "启用"),
        (8, "重量(kg)"),
        (8, "销售类型"),
    ]
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "row 2" in messages[(7, "SKU")]
    assert "不存在" in messages[(4, "分类")]
    assert not Product.objects.exclude(pk=existing.pk).exists()
    assert Product.objects.get(pk=existing.pk).lead_time_days == 5
    assert not AuditEntry.objects.filter(action="import_products").exists()


def test_one_bad_row_keeps_the_good_updates_out_too(production1, pumps):
    product = make_product(sku="PU-1", category=pumps, lead_time_days=5)

    report = import_products(
        xlsx([row("PU-1", 交货期=7), row("PU-2", 税率="abc")]), "a.xlsx", by=production1
    )

    assert report.invalid_rows == [3]
    assert report.updated == []
    product.refresh_from_db()
    assert product.lead_time_days == 5
    assert not Product.objects.filter(sku="PU-2").exists()


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gb18030_or_utf8_creates_products(production1, pumps, encoding):
    data = csv_file([["泵-1", "多级离心泵", "泵", "台", "9%"]], ["sku", "名称", "类别", "单位",
                    "增值税率"], encoding)  # fmt: skip

    report = import_products(data, "产品.csv", by=production1)

    assert [(e.row, e.column) for e in report.errors] == [(2, "sku")]
    data = csv_file([["DL-1", "多级离心泵", "泵", "台", "9%"]], ["sku", "名称", "类别", "单位",
                    "增值税率"], encoding)  # fmt: skip

    report = import_products(data, "产品.csv", by=production1)

    assert report.errors == []
    product = Product.objects.get(sku="DL-1")
    assert (product.name, product.category, product.tax_rate) == (
        "多级离心泵",
        pumps,
        Decimal("0.09"),
    )


def test_a_category_name_shared_by_two_categories_asks_for_the_code(production1):
    make_category(code="pumps-a", name="泵")
    make_category(code="pumps-b", name="泵")

    report = import_products(xlsx([row("PU-1", 分类="泵")]), "a.xlsx", by=production1)

    assert [(e.row, e.column) for e in report.errors] == [(2, "分类")]
    assert "pumps-a" in report.errors[0].message
    assert not Product.objects.exists()


def test_unknown_columns_are_warnings_and_their_cells_ignored(production1, pumps):
    data = xlsx([["PU-1", "泵", "离心泵", "台", "x"]], headers=["SKU", "分类", "产品名称", "单位",
                "颜色"])  # fmt: skip

    report = import_products(data, "a.xlsx", by=production1)

    assert report.errors == []
    assert [(w.row, w.column) for w in report.warnings] == [(1, "颜色")]
    assert Product.objects.get().lead_time_days == 5


def test_a_file_without_a_sku_column_is_refused(production1):
    with pytest.raises(ValidationFailed) as refused:
        import_products(xlsx([["离心泵"]], headers=["产品名称"]), "a.xlsx", by=production1)

    assert refused.value.code == "missing_columns"
    assert "SKU" in refused.value.fields["file"]


def test_a_file_that_is_not_a_spreadsheet_is_refused(production1):
    with pytest.raises(ValidationFailed) as refused:
        import_products(b"\x89PNG\r\n\x1a\n\x00\x00", "a.xlsx", by=production1)

    assert refused.value.code == "not_a_spreadsheet"


def test_checking_rows_reads_categories_and_products_in_bulk(
    production1, pumps, django_assert_max_num_queries
):
    for serial in range(30):
        make_product(sku=f"PU-{serial}", category=pumps)
    rows = [row(f"PU-{serial}", 税率="1%") for serial in range(300)]

    with django_assert_max_num_queries(8):
        report = import_products(xlsx(rows), "a.xlsx", by=production1)

    assert len(report.invalid_rows) == 300


@pytest.mark.parametrize("role", ["sales", "warehouse", "finance"])
def test_roles_without_manage_products_may_not_import(make_user, pumps, role):
    user = make_user("someone", role)

    with pytest.raises(NotAllowed):
        import_products(xlsx([row("PU-1")]), "a.xlsx", by=user)

    assert not Product.objects.exists()


def test_a_sales_manager_may_import(manager1, pumps):
    report = import_products(xlsx([row("PU-1")]), "a.xlsx", by=manager1)

    assert [p.sku for p in report.created] == ["PU-1"]


# --- export --------------------------------------------------------------------------------


def test_export_writes_the_import_headers_and_words(warehouse1, pumps):
    make_product(sku="PU-1", category=pumps, weight_kg=Decimal("12.5"), supply="make_to_order")

    rows = read_export(export_products(selectors.search(warehouse1)))

    assert list(rows[0]) == [*HEADERS[:5], "分类名称", *HEADERS[5:]]
    assert {
        key: rows[0][key] for key in ("SKU", "分类", "分类名称", "税率", "生产方式", "启用")
    } == {
        "SKU": "PU-1",
        "分类": "pumps",
        "分类名称": "泵",
        "税率": "13%",
        "生产方式": "按单生产",
        "启用": "是",
    }
    assert rows[0]["重量(kg)"] == 12.5


# --- pages ---------------------------------------------------------------------------------


def test_the_import_page_imports_and_reports_counts(client, production1, pumps):
    client.force_login(production1)
    upload = SimpleUploadedFile("products.xlsx", xlsx([row("PU-1")]))

    response = client.post(reverse("catalog:import"), {"file": upload})

    assert response.status_code == 200
    assert "PU-1" in response.content.decode()
    assert Product.objects.filter(sku="PU-1").exists()


def test_the_import_page_lists_row_errors(client, production1, pumps):
    client.force_login(production1)
    upload = SimpleUploadedFile("products.xlsx", xlsx([row("PU-1", 税率="17%")]))

    response = client.post(reverse("catalog:import"), {"file": upload})

    page = response.content.decode()
    assert 'class="list import-errors"' in page
    assert "税率" in page
    assert not Product.objects.exists()


def test_the_import_page_refuses_a_text_file_before_reading_it(client, production1):
    client.force_login(production1)
    upload = SimpleUploadedFile("notes.txt", b"hello")

    response = client.post(reverse("catalog:import"), {"file": upload})

    assert "file" in response.context["form"].errors


def test_the_import_page_is_for_catalog_managers_only(client, sales1):
    client.force_login(sales1)

    assert client.get(reverse("catalog:import")).status_code == 403


def test_the_list_offers_import_to_managers_and_export_to_everyone(client, sales1, production1):
    client.force_login(sales1)
    page = client.get(reverse("catalog:list")).content.decode()
    assert reverse("catalog:export") in page
    assert reverse("catalog:import") not in page

    client.force_login(production1)
    assert reverse("catalog:import") in client.get(reverse("catalog:list")).content.decode()


def test_the_export_page_follows_the_list_filters(client, sales1, pumps, valves):
    make_product(sku="PU-1", category=pumps)
    make_product(sku="VA-1", category=valves)
    client.force_login(sales1)

    response = client.get(reverse("catalog:export"), {"category": valves.pk})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert [r["SKU"] for r in read_export(response.content)] == ["VA-1"]


def test_portal_accounts_get_no_export(client, portal1):
    client.force_login(portal1)

    assert client.get(reverse("catalog:export")).status_code == 403


# --- API -----------------------------------------------------------------------------------


def test_api_import_returns_the_report(client, production1, pumps):
    upload = SimpleUploadedFile("products.xlsx", xlsx([row("PU-1")]))

    response = client.post(f"{API}/import", {"file": upload}, headers=bearer(production1))

    assert response.status_code == 200
    body = response.json()
    assert (body["rows"], body["created"], body["updated"], body["unchanged"]) == (1, 1, 0, 0)
    assert body["created_skus"] == ["PU-1"]


def test_api_import_with_bad_rows_is_a_422_naming_each_cell(client, production1, pumps):
    upload = SimpleUploadedFile("products.xlsx", xlsx([row("PU-1"), row("PU-2", 税率="17%")]))

    response = client.post(f"{API}/import", {"file": upload}, headers=bearer(production1))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    assert list(error["fields"]) == ["rows.3.税率"]
    assert error["rows"] == [
        {"row": 3, "column": "税率", "message": error["fields"]["rows.3.税率"]}
    ]
    assert not Product.objects.exists()


def test_api_import_needs_manage_products(client, sales1, pumps):
    upload = SimpleUploadedFile("products.xlsx", xlsx([row("PU-1")]))

    response = client.post(f"{API}/import", {"file": upload}, headers=bearer(sales1))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_api_import_of_a_non_spreadsheet_is_a_422(client, production1):
    upload = SimpleUploadedFile("products.xlsx", b"not a workbook")

    response = client.post(f"{API}/import", {"file": upload}, headers=bearer(production1))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not_a_spreadsheet"


def test_api_export_filters_like_the_list(client, sales1, pumps, valves):
    make_product(sku="PU-1", category=pumps)
    make_product(sku="VA-1", category=valves)

    response = client.get(f"{API}/export", {"category": "pumps"}, headers=bearer(sales1))

    assert response.status_code == 200
    assert [r["SKU"] for r in read_export(response.content)] == ["PU-1"]


def test_api_export_is_refused_to_portal_accounts(client, portal1):
    response = client.get(f"{API}/export", headers=bearer(portal1))

    assert response.status_code == 403

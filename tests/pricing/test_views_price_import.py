"""The price list page's spreadsheet buttons: the import page (managers only; every bad cell
listed, nothing written) and the Excel export (all staff; minimum prices for managers)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from orderdesk.core.models import AuditEntry
from orderdesk.pricing.models import PriceListItem

HEADERS = ["SKU", "起订量", "含税单价", "最低价"]


def xlsx(rows: Sequence[Sequence[Any]], headers: Sequence[str] = HEADERS) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for cells in rows:
        sheet.append(list(cells))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("prices.xlsx", buffer.getvalue())


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
def portal1(make_user):
    return make_user("portal1", "customer")


@pytest.fixture
def products(make_product):
    return [make_product(sku=f"BV-{serial}") for serial in range(1, 3)]


@pytest.fixture
def standard(make_list, products):
    return make_list("std", {products[0]: {"unit_price": D("100.00"), "floor_price": D("90.00")}})


def import_url(price_list: Any) -> str:
    return reverse("pricing:import", args=[price_list.pk])


def export_url(price_list: Any) -> str:
    return reverse("pricing:export", args=[price_list.pk])


# --- the price list page -----------------------------------------------------------------------


def test_the_price_list_page_offers_import_to_managers_and_export_to_all_staff(
    client, sales1, pricer, standard
):
    detail = reverse("pricing:detail", args=[standard.pk])

    client.force_login(sales1)
    for_sales = client.get(detail).content.decode()
    client.force_login(pricer)
    for_pricer = client.get(detail).content.decode()

    assert export_url(standard) in for_sales
    assert import_url(standard) not in for_sales
    assert export_url(standard) in for_pricer
    assert import_url(standard) in for_pricer


# --- import --------------------------------------------------------------------------------------


def test_the_import_page_names_the_list_and_its_columns(client, pricer, standard):
    client.force_login(pricer)

    response = client.get(import_url(standard))

    page = response.content.decode()
    assert response.status_code == 200
    assert "std" in page
    assert "含税单价" in page
    assert 'enctype="multipart/form-data"' in page


def test_importing_adds_and_changes_prices_and_reports_the_counts(
    client, pricer, products, standard
):
    client.force_login(pricer)
    upload = xlsx([["BV-1", 1, "95.00", "85.00"], ["BV-2", 10, "50", ""]])

    response = client.post(import_url(standard), {"file": upload})

    report = response.context["report"]
    assert response.status_code == 200
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert 'class="import-counts"' in response.content.decode()
    assert prices(standard) == [
        ("BV-1", D("1.000"), D("95.00"), D("85.00")),
        ("BV-2", D("10.000"), D("50.00"), None),
    ]
    entry = AuditEntry.objects.get(action="import_prices")
    assert entry.actor_id == pricer.pk
    assert entry.changes["file"] == [None, "prices.xlsx"]


def test_bad_rows_are_listed_by_row_column_and_message_and_nothing_is_written(
    client, pricer, products, standard
):
    client.force_login(pricer)
    before, audited = prices(standard), AuditEntry.objects.count()
    upload = xlsx([["BV-1", 1, "80.00", "85.00"], ["NOPE-9", 1, "10"], ["BV-2", "many", "5"]])

    response = client.post(import_url(standard), {"file": upload})

    page = response.content.decode()
    errors = [(error.row, error.column) for error in response.context["report"].errors]
    assert response.status_code == 200
    assert 'class="list import-errors"' in page
    assert errors == [(2, "最低价"), (3, "SKU"), (4, "起订量")]
    assert "NOPE-9" in page
    assert "nothing was imported" in page
    assert prices(standard) == before
    assert AuditEntry.objects.count() == audited


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_file_field(client, pricer, standard):
    client.force_login(pricer)

    response = client.post(
        import_url(standard), {"file": SimpleUploadedFile("notes.txt", b"hello")}
    )

    assert "file" in response.context["form"].errors
    assert response.context["report"] is None


def test_a_file_without_a_price_column_is_refused_on_the_file_field(client, pricer, standard):
    client.force_login(pricer)
    before = prices(standard)

    response = client.post(import_url(standard), {"file": xlsx([["BV-2", 1]], ["SKU", "起订量"])})

    form = response.context["form"]
    assert "含税单价" in " ".join(form.errors["file"])
    assert prices(standard) == before


@pytest.mark.parametrize("role", ["sales", "warehouse", "production"])
def test_the_import_page_is_for_price_managers_only(client, make_user, standard, role):
    client.force_login(make_user("someone", role))
    before = prices(standard)

    assert client.get(import_url(standard)).status_code == 403
    assert client.post(import_url(standard), {"file": xlsx([["BV-2", 1, "5"]])}).status_code == 403
    assert prices(standard) == before


def test_importing_into_an_unknown_list_is_a_404(client, pricer):
    client.force_login(pricer)

    assert client.get(reverse("pricing:import", args=[999999])).status_code == 404


# --- export --------------------------------------------------------------------------------------


def test_the_export_is_a_workbook_with_minimum_prices_for_managers_only(
    client, sales1, pricer, standard
):
    client.force_login(pricer)
    for_pricer = client.get(export_url(standard))
    client.force_login(sales1)
    for_sales = client.get(export_url(standard))

    assert for_pricer["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="prices-std-' in for_pricer["Content-Disposition"]
    assert [(r["SKU"], r["含税单价"], r["最低价"]) for r in read_export(for_pricer.content)] == [
        ("BV-1", 100, 90)
    ]
    assert "最低价" not in read_export(for_sales.content)[0]


def test_the_export_is_refused_to_portal_accounts(client, portal1, standard):
    client.force_login(portal1)

    assert client.get(export_url(standard)).status_code == 403

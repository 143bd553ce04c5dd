"""Importing customers from .xlsx / .csv and exporting the filtered list to .xlsx."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.core.models import AccessLog, AuditEntry
from orderdesk.customers import selectors
from orderdesk.customers.models import Contact, Customer
from orderdesk.customers.services import export_customers, import_customers
from tests.factories.customers import make_customer, valid_mobile, valid_uscc

HEADERS = ["客户名称", "统一社会信用代码", "省份", "城市", "区县", "类型", "状态", "负责人",
           "联系人", "职务", "手机", "邮箱"]  # fmt: skip
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def row(serial: int, **overrides: Any) -> list[Any]:
    cells = {
        "客户名称": f"宁波导入{serial}号贸易有限公司",
        "统一社会信用代码": valid_uscc(900 + serial),
        "省份": "浙江",
        "城市": "宁波市",
        "区县": "鄞州区",
        "类型": "公司",
        "状态": "合作中",
        "负责人": "",
        "联系人": f"联系人{serial}",
        "职务": "采购",
        "手机": int(valid_mobile(900 + serial)),  # Excel keeps typed mobiles as numbers
        "邮箱": f"buyer{serial}@example.com",
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


def read_export(data: bytes) -> tuple[Any, list[dict[str, Any]]]:
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    return sheet, [dict(zip(rows[0], cells, strict=True)) for cells in rows[1:]]


@pytest.fixture
def cs1(make_user: Any) -> Any:
    return make_user("cs1", "customer_service")


# --- import --------------------------------------------------------------------------------


def test_xlsx_rows_become_customers_with_primary_contact_owner_and_audit(cs1, sales1):
    data = xlsx([row(1, 负责人="sales1"), row(2)])

    report = import_customers(data, "客户.xlsx", by=cs1)

    assert report.errors == []
    assert report.rows == 2
    first = Customer.objects.get(uscc=valid_uscc(901))
    assert first.name == "宁波导入1号贸易有限公司"
    assert first.province == "浙江省"
    assert first.status == "active"
    assert first.owner == sales1
    assert Customer.objects.get(uscc=valid_uscc(902)).owner == cs1
    contact = Contact.objects.get(customer=first)
    assert (contact.name, contact.mobile, contact.is_primary) == (
        "联系人1",
        valid_mobile(901),
        True,
    )
    assert [c.code for c in report.created] == list(
        Customer.objects.order_by("id").values_list("code", flat=True)
    )
    assert AuditEntry.objects.filter(action="create_customer").count() == 2
    summary = AuditEntry.objects.get(action="import_customers")
    assert summary.actor == cs1
    assert summary.changes["file"] == [None, "客户.xlsx"]
    assert summary.changes["customers"] == [None, 2]


ENGLISH_HEADERS = ["name", "USCC", "province", "city", "district", "type", "status", "owner",
                   "contact_name", "contact_title", "contact_mobile", "contact_email"]  # fmt: skip


@pytest.mark.parametrize(
    ("encoding", "headers"),
    [
        ("gb18030", HEADERS),
        ("gb18030", ENGLISH_HEADERS),
        ("utf-8-sig", HEADERS),
        ("utf-8", ENGLISH_HEADERS),
    ],
)
def test_csv_is_read_in_gb18030_and_utf8_with_chinese_or_english_headers(
    cs1, sales1, encoding, headers
):
    cells = ["深圳市南山区华强电子有限公司", valid_uscc(7), "广东省", "深圳市", "南山区", "公司",
             "潜在客户", "sales1", "王经理", "总经理", "+86 139 0000 0007",
             "wang@example.com"]  # fmt: skip

    report = import_customers(csv_file([cells], headers, encoding), "客户.csv", by=cs1)

    assert report.errors == []
    customer = Customer.objects.get()
    assert (customer.name, customer.uscc, customer.city, customer.status, customer.owner) == (
        "深圳市南山区华强电子有限公司",
        valid_uscc(7),
        "深圳市",
        "prospect",
        sales1,
    )
    assert customer.contacts.get().mobile == "13900000007"


def test_row_numbers_are_those_excel_shows_even_after_empty_rows(cs1):
    data = xlsx([row(1), [None] * len(HEADERS), row(2, 省份="火星省")])

    report = import_customers(data, "客户.xlsx", by=cs1)

    assert [(error.row, error.column) for error in report.errors] == [(4, "省份")]
    assert report.rows == 2


def test_one_invalid_row_imports_nothing_and_names_each_bad_cell(cs1):
    bad_uscc = valid_uscc(902)[:-1] + ("0" if valid_uscc(902)[-1] != "0" else "1")
    data = xlsx(
        [row(1), row(2, 统一社会信用代码=bad_uscc), row(3, 省份="火星省"), row(4, 手机="12345")]
    )

    report = import_customers(data, "客户.xlsx", by=cs1)

    assert [(error.row, error.column) for error in report.errors] == [
        (3, "统一社会信用代码"),
        (4, "省份"),
        (5, "手机"),
    ]
    assert "火星省" in report.errors[1].message
    assert report.created == []
    assert not Customer.objects.exists()
    assert not AuditEntry.objects.filter(
        action__in=["create_customer", "import_customers"]
    ).exists()


def test_valid_only_imports_the_valid_rows_and_reports_the_others(cs1):
    data = xlsx([row(1), row(2, 省份="火星省"), row(3)])

    report = import_customers(data, "客户.xlsx", by=cs1, valid_only=True)

    assert report.invalid_rows == [3]
    assert sorted(Customer.objects.values_list("uscc", flat=True)) == [
        valid_uscc(901),
        valid_uscc(903),
    ]
    assert AuditEntry.objects.get(action="import_customers").changes["customers"] == [None, 2]


def test_duplicate_uscc_in_the_file_or_in_the_database_is_an_error(cs1):
    existing = make_customer(cs1, uscc=valid_uscc(901))
    data = xlsx([row(1), row(2), row(3, 统一社会信用代码=valid_uscc(902))])

    report = import_customers(data, "客户.xlsx", by=cs1)

    assert [(error.row, error.column) for error in report.errors] == [
        (2, "统一社会信用代码"),
        (4, "统一社会信用代码"),
    ]
    assert existing.code in report.errors[0].message
    assert "row 3" in report.errors[1].message
    assert Customer.objects.count() == 1


def test_same_name_as_an_existing_customer_is_a_warning_never_a_merge(cs1):
    existing = make_customer(cs1, name="宁波导入1号贸易有限公司", uscc=valid_uscc(5))

    report = import_customers(
        xlsx([row(1, 客户名称="宁波导入1号贸易（有限公司）")]), "a.xlsx", by=cs1
    )

    assert report.errors == []
    assert [(w.row, w.column) for w in report.warnings] == [(2, "客户名称")]
    assert existing.code in report.warnings[0].message
    assert Customer.objects.count() == 2


def test_unknown_owner_is_a_row_error_and_an_empty_one_falls_back_to_default_owner(cs1, sales1):
    data = xlsx([row(1, 负责人="nobody"), row(2)])

    report = import_customers(data, "a.xlsx", by=cs1, default_owner=sales1, valid_only=True)

    assert [(e.row, e.column) for e in report.errors] == [(2, "负责人")]
    assert Customer.objects.get().owner == sales1


def test_unreadable_values_are_row_errors_in_their_columns(cs1):
    data = xlsx([row(1, 类型="合伙", 状态="睡着了")])

    report = import_customers(data, "a.xlsx", by=cs1)

    assert {(e.row, e.column) for e in report.errors} == {(2, "类型"), (2, "状态")}
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (PNG, "客户.xlsx"),
        (os.urandom(2048), "客户.xlsx"),
        (PNG + os.urandom(512), "客户.csv"),
        (b"PK\x03\x04" + os.urandom(300), "客户.xlsx"),
        (xlsx([row(1)]), "客户.xls"),
        (b"", "客户.csv"),
    ],
    ids=["png", "random-bytes", "png-as-csv", "broken-zip", "wrong-extension", "empty"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(cs1, data, filename):
    with pytest.raises(ValidationFailed) as refused:
        import_customers(data, filename, by=cs1)

    assert refused.value.code == "not_a_spreadsheet"
    assert "file" in refused.value.fields
    assert not Customer.objects.exists()


def test_a_sheet_without_a_name_column_is_refused(cs1):
    with pytest.raises(ValidationFailed) as refused:
        import_customers(xlsx([["x"]], headers=["备注"]), "a.xlsx", by=cs1)

    assert refused.value.code == "missing_columns"
    assert "客户名称" in refused.value.fields["file"]


def test_more_than_ten_thousand_rows_are_refused(cs1):
    rows = [[f"客户{serial}"] for serial in range(10_001)]

    with pytest.raises(ValidationFailed) as refused:
        import_customers(csv_file(rows, ["客户名称"], "utf-8"), "big.csv", by=cs1)

    assert refused.value.code == "too_many_rows"
    assert "10000" in refused.value.fields["file"]


def test_sales_may_not_import(sales1):
    with pytest.raises(NotAllowed) as refused:
        import_customers(xlsx([row(1)]), "a.xlsx", by=sales1)

    assert refused.value.code == "permission_denied"
    assert not Customer.objects.exists()


# --- export --------------------------------------------------------------------------------


def test_export_holds_only_the_customers_the_user_sees_with_primary_contact(sales1, make_user):
    other = make_user("sales2", "sales")
    own = make_customer(sales1)
    make_customer(other)

    data = export_customers(selectors.search(sales1), user=sales1)

    sheet, rows = read_export(data)
    assert [r["客户编号"] for r in rows] == [own.code]
    contact = own.contacts.get()
    assert (rows[0]["联系人"], rows[0]["手机"], rows[0]["负责人"]) == (
        contact.name,
        contact.mobile,
        "sales1",
    )
    assert "信用等级" not in rows[0]
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"


def test_export_masks_mobiles_for_a_role_without_personal_data_and_logs_nothing(sales1, make_user):
    aftersales = make_user("as1", "aftersales")
    customer = make_customer(sales1)
    mobile = customer.contacts.get().mobile

    _sheet, rows = read_export(export_customers(selectors.search(aftersales), user=aftersales))

    assert rows[0]["手机"] == mobile[:3] + "****" + mobile[-4:]
    assert not AccessLog.objects.exists()


def test_export_logs_each_unmasked_customer_for_a_role_with_personal_data(cs1, sales1):
    customers = [make_customer(sales1) for _ in range(3)]

    _sheet, rows = read_export(export_customers(selectors.search(cs1), user=cs1))

    assert len(rows) == 3
    logged = AccessLog.objects.filter(actor=cs1, channel="export", what="personal_data")
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(
        str(c.pk) for c in customers
    )


def test_export_shows_credit_only_to_roles_that_see_credit_files(finance1, sales1):
    make_customer(sales1)

    _sheet, rows = read_export(export_customers(selectors.search(finance1), user=finance1))

    assert (rows[0]["信用等级"], rows[0]["信用额度"]) == ("C", 0)


def test_export_follows_the_list_filter_and_keeps_formula_like_text_as_text(cs1, sales1):
    make_customer(sales1, name="=HYPERLINK(1)贸易公司")
    make_customer(sales1, province="广东省", city="广州市", district="天河区")

    data = export_customers(selectors.search(cs1, province="浙江"), user=cs1)

    sheet, rows = read_export(data)
    assert [r["客户名称"] for r in rows] == ["=HYPERLINK(1)贸易公司"]
    assert sheet["B2"].data_type == "s"


def test_an_exported_file_reads_back_through_the_import(cs1, sales1):
    make_customer(sales1)

    data = export_customers(selectors.search(cs1), user=cs1)
    report = import_customers(data, "export.xlsx", by=cs1)

    # The same customers already exist: refused by USCC, not merged.
    assert [(e.row, e.column) for e in report.errors] == [(2, "统一社会信用代码")]
    assert Customer.objects.count() == 1

"""Importing customers from a spreadsheet (客户资料批量导入).

Every row is checked first with the same rules as creating one customer by hand
(``validation.clean_customer`` / ``clean_contact`` through ``create_customer``'s helpers), so
the report names every bad cell at once: row number as Excel shows it, the column header as
written in the file, and the message. Then, in one transaction, the rows are saved through
``records.insert_customers``, the write path ``create_customer`` uses too, so codes, credit
files and audit entries are exactly those of a customer created on the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import DomainError
from orderdesk.core.maintenance import refresh_statistics
from orderdesk.core.spreadsheets import (
    ImportReport as BaseImportReport,
)
from orderdesk.core.spreadsheets import (
    Row,
    RowError,
    Sheet,
    chunks,
    parse_decimal,
    require_columns,
    unknown_column_warnings,
)
from orderdesk.core.spreadsheets import cell_errors as place_cell_errors

from .. import spreadsheets
from ..models import Contact, Customer
from ..validation import clean_customer
from .records import NewCustomer, build_contacts, check_owner, insert_customers

MAX_ROWS = 10_000
IMPORT = "customers.import_customers"
CREATE = "customers.create_customers"
CHOICE_FIELDS = ("type", "status", "source_channel")
CONTACT_COLUMNS = {
    "contact_name": "name",
    "contact_title": "title",
    "contact_mobile": "mobile",
    "contact_phone": "phone",
    "contact_email": "email",
}
# Cells that are not customer fields or are handled apart.
SPECIAL_COLUMNS = {"code", "owner", "expected_amount", *CHOICE_FIELDS, *CONTACT_COLUMNS}
CHUNK = 500


@dataclass
class ImportReport(BaseImportReport):
    """With any error nothing is imported unless ``valid_only``. Warnings (possible
    duplicates, ignored columns) keep no row out: such rows become separate customers,
    never merged."""

    created: list[Customer] = field(default_factory=list)


@dataclass
class Candidate:
    """One checked row: the validated, unsaved customer and its contacts."""

    row: Row
    values: dict[str, Any]
    contacts: list[dict[str, Any]]
    customer: Customer  # validated, unsaved: its cleaned USCC and name key
    mobile: str


def import_customers(
    data: bytes,
    filename: str,
    *,
    by: Any,
    valid_only: bool = False,
    default_owner: Any = None,
) -> ImportReport:
    """Import customers from an .xlsx or .csv file (at most 10,000 rows).

    All or nothing: if any row is invalid nothing is imported, unless ``valid_only``, which
    imports the valid rows and reports the others. The same USCC as an existing customer or
    as another row is an error; the same name or contact mobile as an existing customer (or
    the same name as another row) is a warning: the row becomes a separate customer, never
    merged. The owner column holds a username; empty means ``default_owner``, else ``by``.
    Needs the import permission, and the create permission each row's creation checks.
    """
    permissions.require(by, IMPORT)
    permissions.require(by, CREATE)
    if default_owner is not None:
        check_owner(default_owner, by)
    sheet = spreadsheets.read_sheet(data, filename, max_rows=MAX_ROWS)
    require_columns(sheet, ("name",))
    report = ImportReport(filename=filename, rows=len(sheet.rows))
    report.warnings += unknown_column_warnings(sheet)
    if "code" in sheet.columns:
        report.warnings.append(
            RowError(
                1,
                sheet.columns["code"],
                _("Customer codes are assigned by the numbering rule; this column is ignored."),
            )
        )
    candidates = check_rows(sheet, report, by=by, default_owner=default_owner or by)
    invalid = set(report.invalid_rows)
    valid = [candidate for candidate in candidates if candidate.row.number not in invalid]
    if not valid or (invalid and not valid_only):
        return report
    try:
        with transaction.atomic():
            create_all(valid, sheet, report, by=by, valid_only=valid_only)
            if report.created:
                # Thousands of new rows: fresh planner statistics keep searches indexed.
                transaction.on_commit(refresh_statistics)
                audit.record(
                    by,
                    "import_customers",
                    by=by,
                    changes={
                        "file": (None, filename),
                        "customers": (None, len(report.created)),
                        "codes": (None, f"{report.created[0].code} – {report.created[-1].code}"),
                    },
                )
    except _Abandoned:
        report.created = []
    return report


class _Abandoned(Exception):
    """A row failed while creating in all-or-nothing mode: roll everything back."""


def create_all(
    valid: Sequence[Candidate], sheet: Sheet, report: ImportReport, *, by: Any, valid_only: bool
) -> None:
    """Save the checked rows through the same write path as a customer created by hand,
    in chunks of bulk inserts (10,000 rows take seconds, not minutes)."""
    for chunk in chunks(valid, CHUNK):
        save_chunk(list(chunk), sheet, report, by=by, valid_only=valid_only)


def save_chunk(
    chunk: list[Candidate], sheet: Sheet, report: ImportReport, *, by: Any, valid_only: bool
) -> None:
    rows: list[NewCustomer] = [
        (candidate.customer, build_contacts(candidate.contacts)[0], []) for candidate in chunk
    ]
    try:
        with transaction.atomic():
            report.created += insert_customers(rows, by=by)
    except DomainError as error:
        # Rows were checked above; only a customer saved meanwhile by someone else with the
        # same USCC lands here. Report those rows; with valid_only, save the others.
        taken = set(
            Customer.objects.exclude(uscc="")
            .filter(uscc__in=[c.customer.uscc for c in chunk if c.customer.uscc])
            .values_list("uscc", flat=True)
        )
        clashing = [c for c in chunk if c.customer.uscc in taken] or chunk
        for candidate in clashing:
            report.errors += cell_errors(candidate.row.number, sheet, error_fields(error))
        if not valid_only:
            raise _Abandoned from error
        rest = [c for c in chunk if c not in clashing]
        if rest:
            save_chunk(rest, sheet, report, by=by, valid_only=valid_only)


def check_rows(
    sheet: Sheet, report: ImportReport, *, by: Any, default_owner: Any
) -> list[Candidate]:
    """Validate every row; record errors and warnings; return the rows as candidates."""
    owners = active_users(row.values["owner"] for row in sheet.rows if "owner" in row.values)
    candidates: list[Candidate] = []
    first_row_of_uscc: dict[str, int] = {}
    first_row_of_name: dict[str, int] = {}
    for row in sheet.rows:
        values, contacts, errors = row_arguments(row, owners, default_owner)
        if "owner" not in errors:
            try:
                check_owner(values["owner"], by)
            except DomainError as error:
                errors["owner"] = error.fields.get("owner") or str(error.message)
        customer = Customer()
        errors = clean_customer(customer, values) | errors
        contact_rows, contact_errors = build_contacts(contacts)
        errors |= contact_errors
        if customer.uscc and "uscc" not in errors:
            first = first_row_of_uscc.setdefault(customer.uscc, row.number)
            if first != row.number:
                errors["uscc"] = _("Same unified social credit code as row %(row)d.") % {
                    "row": first
                }
        if customer.name_key and "name" not in errors:
            first = first_row_of_name.setdefault(customer.name_key, row.number)
            if first != row.number:
                report.warnings.append(
                    RowError(
                        row.number,
                        sheet.column("name"),
                        _("Same name as row %(row)d; both become separate customers.")
                        % {"row": first},
                    )
                )
        report.errors += cell_errors(row.number, sheet, errors)
        mobile = contact_rows[0].mobile if contact_rows else ""
        candidates.append(Candidate(row, values, contacts, customer, mobile))
    check_existing(candidates, sheet, report)
    report.sort()
    return candidates


def row_arguments(
    row: Row, owners: Mapping[str, Any], default_owner: Any
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, str]]:
    """The row's cells as ``create_customer`` arguments, and the cells that cannot be read."""
    cells = row.values
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        name: text for name, text in cells.items() if name not in SPECIAL_COLUMNS
    }
    for name in CHOICE_FIELDS:
        if name in cells:
            column = spreadsheets.CHOICE_COLUMNS[name]
            value = column.value(cells[name])
            if value is None:
                errors[name] = column.unknown(cells[name])
            else:
                values[name] = value
    if "expected_amount" in cells:
        try:
            values["expected_amount"] = parse_decimal(cells["expected_amount"])
        except InvalidOperation:
            errors["expected_amount"] = _("Enter an amount in yuan, e.g. 50000 or 12800.50.")
    values["owner"] = default_owner
    if "owner" in cells:
        owner = owners.get(cells["owner"])
        if owner is None:
            errors["owner"] = _("No active user with the username %(name)s.") % {
                "name": cells["owner"]
            }
        else:
            values["owner"] = owner
    contact = {key: cells[column] for column, key in CONTACT_COLUMNS.items() if column in cells}
    contacts = [{**contact, "is_primary": True}] if contact else []
    return values, contacts, errors


def active_users(usernames: Iterable[str]) -> dict[str, Any]:
    names = sorted(set(usernames))
    users: dict[str, Any] = {}
    for chunk in chunks(names, CHUNK):
        users |= {
            user.username: user
            for user in get_user_model().objects.filter(username__in=chunk, is_active=True)
        }
    return users


def check_existing(candidates: Sequence[Candidate], sheet: Sheet, report: ImportReport) -> None:
    """Duplicates of customers already in the database, looked up in bulk."""
    by_uscc = {c.customer.uscc: c for c in candidates if c.customer.uscc}
    for chunk in chunks(sorted(by_uscc), CHUNK):
        # The same condition as the partial unique index, so the database can use it.
        with_uscc = Customer.objects.exclude(uscc="")
        for existing in with_uscc.filter(uscc__in=chunk).only("code", "name", "uscc"):
            candidate = by_uscc[existing.uscc]
            report.errors.append(
                RowError(
                    candidate.row.number,
                    sheet.column("uscc"),
                    _("Customer %(code)s %(name)s already has this unified social credit code.")
                    % {"code": existing.code, "name": existing.name},
                )
            )
    live = Customer.objects.filter(merged_into__isnull=True)
    by_name: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.customer.name_key:
            by_name.setdefault(candidate.customer.name_key, []).append(candidate)
    for chunk in chunks(sorted(by_name), CHUNK):
        for existing in live.filter(name_key__in=chunk).only("code", "name", "name_key"):
            for candidate in by_name[existing.name_key]:
                report.warnings.append(
                    RowError(
                        candidate.row.number,
                        sheet.column("name"),
                        _(
                            "Same name as customer %(code)s %(name)s; check that this is a "
                            "different customer (it is imported as a separate one)."
                        )
                        % {"code": existing.code, "name": existing.name},
                    )
                )
    by_mobile: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        if candidate.mobile:
            by_mobile.setdefault(candidate.mobile, []).append(candidate)
    for chunk in chunks(sorted(by_mobile), CHUNK):
        contacts = (
            Contact.objects.filter(mobile__in=chunk, customer__merged_into__isnull=True)
            .select_related("customer")
            .only("mobile", "customer__code", "customer__name")
        )
        for contact in contacts:
            for candidate in by_mobile[contact.mobile]:
                report.warnings.append(
                    RowError(
                        candidate.row.number,
                        sheet.column("contact_mobile"),
                        _(
                            "Customer %(code)s %(name)s has a contact with this mobile; check "
                            "that this is a different customer."
                        )
                        % {"code": contact.customer.code, "name": contact.customer.name},
                    )
                )


def cell_errors(row: int, sheet: Sheet, errors: Mapping[str, str]) -> list[RowError]:
    """Field errors of the services, placed in the file's columns."""
    return place_cell_errors(row, sheet, errors, column_of)


def column_of(field_name: str) -> str:
    """``contacts.0.mobile`` -> ``contact_mobile``; customer fields keep their name."""
    if field_name.startswith("contacts."):
        return "contact_" + field_name.rsplit(".", 1)[-1]
    if field_name == "contacts":
        return "contact_name"
    return field_name


def error_fields(error: DomainError) -> dict[str, str]:
    return dict(error.fields) or {"name": str(error.message)}

"""Exporting the filtered customer list to Excel (客户列表导出).

The rows come from ``selectors.search`` (so only customers the user may see, filtered as the
list shows them) and pass through ``selectors.mask_or_log`` like every page and API
response: masked roles get 138****5678 in the file too, other roles' views are logged with the
channel ``export``. Credit columns appear only for roles that may see credit files. Customers
are read 500 at a time with their contacts, so a 10,000-row export never holds every record.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone

from orderdesk.core.spreadsheets import batches, write_xlsx

from . import selectors
from .models import Customer
from .spreadsheets import HEADERS, choice_word

CHUNK = 500
COLUMNS = (
    "code",
    "name",
    "short_name",
    "type",
    "status",
    "industry",
    "uscc",
    "province",
    "city",
    "district",
    "address",
    "phone",
    "owner",
    "contact_name",
    "contact_title",
    "contact_mobile",
    "contact_email",
    "invoice_title",
    "tax_number",
    "bank_name",
    "bank_account",
    "source_channel",
)
CREDIT_COLUMNS = (("grade", "信用等级"), ("credit_limit", "信用额度"))
CREATED_HEADER = "创建时间"


def export_customers(customers_queryset: QuerySet[Customer], *, user: Any) -> bytes:
    """The customers of ``customers_queryset`` (from ``selectors.search``) as an .xlsx file."""
    with_credit = selectors.can_see_credit(user)
    headers = [HEADERS[name] for name in COLUMNS]
    if with_credit:
        headers += [header for _name, header in CREDIT_COLUMNS]
    headers.append(CREATED_HEADER)

    def shown(chunk: list[Customer]) -> list[Customer]:
        customers = selectors.mask_or_log(chunk, user, channel="export")
        if with_credit:
            selectors.log_credit_views(customers, user, channel="export")
        return customers

    rows = (
        customer_row(customer, with_credit=with_credit)
        for chunk in batches(customers_queryset.iterator(chunk_size=CHUNK), CHUNK)
        for customer in shown(list(chunk))
    )
    return write_xlsx(headers, rows, title="客户", sample=CHUNK)


def customer_row(customer: Customer, *, with_credit: bool) -> list[Any]:
    # mask_or_log prefetched (and, for masked roles, masked) the contacts: read them here.
    contact = next((c for c in customer.contacts.all() if c.is_primary and c.left_on is None), None)
    cells: dict[str, Any] = {
        name: getattr(customer, name)
        for name in COLUMNS
        if not name.startswith("contact_") and name != "owner"
    }
    cells["owner"] = customer.owner.username
    for name in ("type", "status", "source_channel"):
        cells[name] = choice_word(name, cells[name])
    for name in ("name", "title", "mobile", "email"):
        cells[f"contact_{name}"] = getattr(contact, name) if contact else ""
    row = [cells[name] for name in COLUMNS]
    if with_credit:
        try:
            credit = customer.credit
        except ObjectDoesNotExist:
            row += ["", None]
        else:
            row += [credit.grade, credit.credit_limit]
    row.append(timezone.localtime(customer.created_at).replace(tzinfo=None))
    return row

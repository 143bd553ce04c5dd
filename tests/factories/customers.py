"""Customers made through the real service, so codes, credit files and audit rows exist."""

from __future__ import annotations

import itertools
from typing import Any

from orderdesk.core.uscc import uscc_check_char
from orderdesk.customers import services
from orderdesk.customers.models import Customer

_serial = itertools.count(1)


def valid_uscc(serial: int) -> str:
    """A checksum-valid USCC for test number ``serial`` (region 330106, 杭州西湖区)."""
    body = f"91330106{serial:09d}"
    return body + uscc_check_char(body)


def valid_mobile(serial: int) -> str:
    return f"138{serial:08d}"


def customer_values(**overrides: Any) -> dict[str, Any]:
    serial = next(_serial)
    return {
        "name": f"杭州测试{serial}号机械有限公司",
        "type": "company",
        "uscc": valid_uscc(serial),
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "address": f"文三路{serial}号",
        "industry": "机械制造",
        "status": "active",
        **overrides,
    }


def contact_values(serial: int | None = None, **overrides: Any) -> dict[str, Any]:
    serial = serial if serial is not None else next(_serial)
    return {
        "name": f"联系人{serial}",
        "title": "采购经理",
        "mobile": valid_mobile(serial),
        "email": f"buyer{serial}@example.com",
        **overrides,
    }


def make_customer(owner: Any, *, contacts: int = 1, by: Any = None, **overrides: Any) -> Customer:
    values = customer_values(owner=owner, **overrides)
    return services.create_customer(
        values,
        contacts=[contact_values() for _ in range(contacts)],
        by=by or owner,
        confirm_duplicates=True,
    )

"""Warehouses and their locations (仓库、库位)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions

from ..models import Location, Warehouse
from .ledger import raise_if
from .stock import MANAGE

WAREHOUSE_FIELDS = ("code", "name", "province", "city", "address", "is_active")


def create_warehouse(values: Mapping[str, Any], *, by: Any) -> Warehouse:
    """Open a warehouse; the code is unique and never reused."""
    permissions.require(by, MANAGE)
    warehouse = Warehouse(**{key: values[key] for key in WAREHOUSE_FIELDS if key in values})
    errors: dict[str, str] = {}
    if not str(warehouse.code or "").strip():
        errors["code"] = _("Enter a code.")
    elif Warehouse.objects.filter(code=warehouse.code).exists():
        errors["code"] = _("This code is already used.")
    if not str(warehouse.name or "").strip():
        errors["name"] = _("Enter a name.")
    raise_if(errors)
    with transaction.atomic():
        warehouse.save()
        audit.record(
            warehouse,
            "warehouse_created",
            by=by,
            changes={key: (None, getattr(warehouse, key)) for key in WAREHOUSE_FIELDS},
        )
    return warehouse


def add_location(warehouse: Warehouse, code: str, *, by: Any, name: str = "") -> Location:
    permissions.require(by, MANAGE)
    code = (code or "").strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("Enter a code.")
    elif Location.objects.filter(warehouse=warehouse, code=code).exists():
        errors["code"] = _("This code is already used in this warehouse.")
    raise_if(errors)
    with transaction.atomic():
        location = Location.objects.create(warehouse=warehouse, code=code, name=name)
        audit.record(location, "location_created", by=by, changes={"code": (None, code)})
    return location

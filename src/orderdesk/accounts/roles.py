"""The roles of MISSION.md as Django groups, with their permissions.

Group names are stable English slugs; people see the translated label. ``sync_roles`` is
called by data migrations: each later issue that adds permissions adds them here and ships
a migration that calls it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    name: str
    label: Any
    department: str
    permissions: tuple[str, ...] = ()


AUDIT = "core.view_auditentry"
ROLES: tuple[Role, ...] = (
    Role("sales", _("Sales"), "sales"),
    Role("sales_manager", _("Sales manager"), "sales", (AUDIT,)),
    Role("customer_service", _("Customer service"), "customer_service"),
    Role("finance", _("Finance"), "finance", (AUDIT,)),
    Role("warehouse", _("Warehouse"), "warehouse"),
    Role("production", _("Production / technical"), "production"),
    Role("logistics", _("Logistics"), "logistics"),
    Role("aftersales", _("After-sales"), "aftersales"),
    Role("legal", _("Legal"), "legal", (AUDIT,)),
    Role("general_manager", _("General manager"), "management", (AUDIT,)),
    Role(
        "administrator",
        _("Administrator"),
        "it",
        (
            AUDIT,
            "core.manage_company",
            "core.manage_numbering",
            "core.manage_calendar",
            "accounts.manage_users",
            "accounts.manage_api_tokens",
        ),
    ),
    Role("customer", _("Customer"), ""),
)
ROLE_BY_NAME = {role.name: role for role in ROLES}

DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("sales", "销售部"),
    ("customer_service", "客服部"),
    ("finance", "财务部"),
    ("warehouse", "仓储部"),
    ("production", "生产技术部"),
    ("logistics", "物流部"),
    ("aftersales", "售后服务部"),
    ("legal", "法务部"),
    ("management", "总经理办公室"),
    ("it", "信息部"),
)


def role_label(group_name: str) -> str:
    role = ROLE_BY_NAME.get(group_name)
    return str(role.label) if role else group_name


def sync_roles(apps: Any, schema_editor: Any = None) -> None:
    """Create the departments, groups and permissions above (idempotent)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    department_model = apps.get_model("accounts", "Department")
    for code, name in DEPARTMENTS:
        department_model.objects.get_or_create(code=code, defaults={"name": name})

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _created = group_model.objects.get_or_create(name=role.name)
        permissions = []
        for dotted in role.permissions:
            app_label, codename = dotted.split(".")
            permissions.append(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)

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
# Customer master data (issue 3): who sees which customers, personal data and credit.
OWN, TEAM, ALL = (
    "customers.view_own_customers",
    "customers.view_team_customers",
    "customers.view_all_customers",
)
CREATE, EDIT = "customers.create_customers", "customers.edit_customers"
PERSONAL, CREDIT = "customers.view_personal_data", "customers.view_credit_file"
MANAGE_CREDIT, MERGE = "customers.manage_credit", "customers.merge_customers"
IMPORT = "customers.import_customers"
# Catalog, prices and stock (issue 4).
PRODUCTS = "catalog.manage_products"
PRICES = "pricing.manage_prices"
STOCK, RESERVE = "inventory.manage_stock", "inventory.reserve_stock"
# Sales orders (issue 5).
ORDERS_ALL, ORDERS_TEAM = "orders.view_all_orders", "orders.view_team_orders"
ENTER, CANCEL, RELEASE = "orders.enter_orders", "orders.cancel_orders", "orders.release_orders"
REVIEW_SALES, REVIEW_FINANCE = "orders.review_sales", "orders.review_finance"
REVIEW_WAREHOUSE, REVIEW_PRODUCTION = "orders.review_warehouse", "orders.review_production"
CREDIT_EXCESS, ORDER_SETTINGS = "orders.approve_credit_excess", "orders.manage_order_settings"
PRODUCTION = "production.manage_production_orders"
PREPARE = "preparation.prepare_orders"
SHIP, CARRIERS = "shipping.ship_orders", "shipping.manage_carriers"
CLEAR, URGENT = "shipping.clear_shipments", "shipping.approve_urgent_shipments"
DELIVERY, EXCEPTIONS = "shipping.confirm_deliveries", "shipping.report_delivery_exceptions"
CASES = "aftersales.handle_cases"
INVOICE, PAYMENTS = "billing.issue_invoices", "billing.record_payments"
RECEIVABLES, BILLING = "billing.view_receivables", "billing.manage_billing_settings"
# Order changes (issue 8).
CHANGES, LOGISTICS_CHANGES = "changes.request_changes", "changes.approve_logistics_changes"

ROLES: tuple[Role, ...] = (
    Role(
        "sales",
        _("Sales"),
        "sales",
        (
            OWN,
            CREATE,
            EDIT,
            PERSONAL,
            RESERVE,
            ENTER,
            CANCEL,
            DELIVERY,
            EXCEPTIONS,
            RECEIVABLES,
            CHANGES,
        ),
    ),
    Role(
        "sales_manager",
        _("Sales manager"),
        "sales",
        (
            AUDIT,
            TEAM,
            CREATE,
            EDIT,
            PERSONAL,
            CREDIT,
            MANAGE_CREDIT,
            MERGE,
            IMPORT,
            PRODUCTS,
            PRICES,
            RESERVE,
            ORDERS_TEAM,
            ENTER,
            CANCEL,
            RELEASE,
            REVIEW_SALES,
            DELIVERY,
            EXCEPTIONS,
            RECEIVABLES,
            CHANGES,
        ),
    ),
    Role(
        "customer_service",
        _("Customer service"),
        "customer_service",
        (
            ALL,
            CREATE,
            EDIT,
            PERSONAL,
            IMPORT,
            RESERVE,
            ORDERS_ALL,
            ENTER,
            CANCEL,
            RELEASE,
            DELIVERY,
            EXCEPTIONS,
            CASES,
            RECEIVABLES,
            CHANGES,
        ),
    ),
    Role(
        "customer_service_manager",
        _("Customer service supervisor"),
        "customer_service",
        (
            AUDIT,
            ALL,
            CREATE,
            EDIT,
            PERSONAL,
            IMPORT,
            RESERVE,
            ORDERS_ALL,
            ENTER,
            CANCEL,
            RELEASE,
            DELIVERY,
            EXCEPTIONS,
            CASES,
            URGENT,
            CHANGES,
        ),
    ),
    Role(
        "finance",
        _("Finance"),
        "finance",
        (
            AUDIT,
            ALL,
            EDIT,
            PERSONAL,
            CREDIT,
            MANAGE_CREDIT,
            PRICES,
            ORDERS_ALL,
            REVIEW_FINANCE,
            CLEAR,
            INVOICE,
            PAYMENTS,
            RECEIVABLES,
            BILLING,
        ),
    ),
    Role(
        "warehouse",
        _("Warehouse"),
        "warehouse",
        (STOCK, RESERVE, ORDERS_ALL, REVIEW_WAREHOUSE, PREPARE, SHIP, DELIVERY, EXCEPTIONS),
    ),
    Role(
        "production",
        _("Production / technical"),
        "production",
        (PRODUCTS, ORDERS_ALL, REVIEW_PRODUCTION, PRODUCTION),
    ),
    Role(
        "logistics",
        _("Logistics"),
        "logistics",
        (ORDERS_ALL, SHIP, CARRIERS, DELIVERY, EXCEPTIONS, LOGISTICS_CHANGES),
    ),
    Role("aftersales", _("After-sales"), "aftersales", (ALL, ORDERS_ALL, EXCEPTIONS, CASES)),
    Role("legal", _("Legal"), "legal", (AUDIT, ORDERS_ALL)),
    Role(
        "general_manager",
        _("General manager"),
        "management",
        (
            AUDIT,
            ALL,
            EDIT,
            PERSONAL,
            CREDIT,
            MANAGE_CREDIT,
            MERGE,
            PRICES,
            ORDERS_ALL,
            CANCEL,
            RELEASE,
            CREDIT_EXCESS,
            ORDER_SETTINGS,
            CLEAR,
            URGENT,
            RECEIVABLES,
            BILLING,
        ),
    ),
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
            ALL,
            CREATE,
            IMPORT,
            PRODUCTS,
            STOCK,
            ORDERS_ALL,
            ORDER_SETTINGS,
            PRODUCTION,
            PREPARE,
            SHIP,
            CARRIERS,
            BILLING,
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
    """Create the departments, groups and permissions above (idempotent).

    Every app that adds permissions to ``ROLES`` ships a migration calling this, which
    depends on the previous such migration, so the last one grants everything.
    """
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
            # An earlier migration runs before later apps' tables (and permissions) exist;
            # the migration that adds them calls sync_roles again and grants them then.
            permission = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)

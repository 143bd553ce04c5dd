"""``load_demo``: the demo company, its branches, one login per role, customers and catalog.

``orderdesk demo`` (and so ``make run`` on first start) calls it. The company, branches and
users are written with the ORM rather than through services: there is no acting user yet
whose permissions could be checked. Every such write is still audited, by the system with
the reason "demo data", in the same transaction.

Customers go through the real customer services, acting as the people who would do it in
the company: the owning salesperson creates the record, notes needs and logs
interactions, finance grades it. So codes come from the numbering rule and every row has
its audit entry, exactly as if the demo had been typed in. The catalog goes the same way:
production creates the products in one category per product family, the warehouse books
opening stock into two warehouses (and a purchase request for sold-out items), finance sets
the standard and grade price lists and two promotions. Sales orders in every state come
last, entered and reviewed through the order services (see ``orders.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TextIO

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import SYSTEM_USERNAME, Department, User
from orderdesk.accounts.roles import (
    CREATE,
    DEPARTMENTS,
    EDIT,
    MANAGE_CREDIT,
    PRICES,
    PRODUCTS,
    STOCK,
    role_label,
)
from orderdesk.accounts.selectors import system_user
from orderdesk.catalog import models as catalog_models
from orderdesk.catalog import services as catalog_services
from orderdesk.core import audit, permissions
from orderdesk.core.maintenance import refresh_statistics
from orderdesk.core.models import Branch, CompanyProfile
from orderdesk.core.workcalendar import add_working_days
from orderdesk.customers import models as customer_models
from orderdesk.customers import services as customer_services
from orderdesk.inventory import services as inventory_services
from orderdesk.inventory.models import Warehouse
from orderdesk.pricing import services as pricing_services
from orderdesk.pricing.models import PriceList, PriceListKind, Promotion, PromotionKind

from .billing import create_billing
from .cast import acting
from .changes import create_changes
from .generators import (
    Company,
    Customer,
    Product,
    attachment_bytes,
    company,
    generate_customers,
    generate_products,
    mobile,
    stock_quantities,
)
from .orders import OrdersResult, create_orders, mail_held
from .preparation import create_pick_lists
from .production import create_production
from .shipping import create_shipments

DEMO_REASON = "demo data"
OPENING_STOCK_NOTE = "演示数据：期初库存"
DEMO_EMAIL_DOMAIN = "demo.orderdesk.local"
COMPANY_TRADE = "机械"  # the demo company makes and sells machinery and its parts


@dataclass(frozen=True)
class DemoBranch:
    code: str  # province initials + serial, as in order numbers (GD001-20120102-03)
    name: str
    province: str
    city: str
    address: str


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str  # group name, see accounts.roles
    department: str  # department code
    supervisor: str | None  # username of the person overdue work escalates to
    branch: str | None  # branch code, for sales staff


DEMO_BRANCHES: tuple[DemoBranch, ...] = (
    DemoBranch("GD001", "广州天河营业部", "广东省", "广州市", "天河区体育西路56号1506室"),
    DemoBranch("GD002", "深圳南山营业部", "广东省", "深圳市", "南山区科技南路18号"),
    DemoBranch("ZJ001", "杭州滨江营业部", "浙江省", "杭州市", "滨江区江南大道588号"),
    DemoBranch("JS001", "苏州吴中营业部", "江苏省", "苏州市", "吴中区东吴北路99号"),
)

# Supervisors come before the people who report to them, so each exists when needed.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("gm", "周建国", "general_manager", "management", None, None),
    DemoUser("admin", "高宇航", "administrator", "it", None, None),
    DemoUser("salesmgr", "陈志强", "sales_manager", "sales", "gm", None),
    DemoUser("sales1", "李明辉", "sales", "sales", "salesmgr", "GD001"),
    DemoUser("sales2", "王晓燕", "sales", "sales", "salesmgr", "ZJ001"),
    DemoUser("sales3", "刘洋", "sales", "sales", "salesmgr", "JS001"),
    DemoUser("csmgr", "蒋文华", "customer_service_manager", "customer_service", "gm", None),
    DemoUser("cs1", "赵丽娟", "customer_service", "customer_service", "csmgr", None),
    DemoUser("finance1", "孙雅琴", "finance", "finance", "gm", None),
    DemoUser("warehouse1", "吴建军", "warehouse", "warehouse", "gm", None),
    DemoUser("production1", "郑海峰", "production", "production", "gm", None),
    DemoUser("logistics1", "黄文斌", "logistics", "logistics", "gm", None),
    DemoUser("aftersales1", "何俊杰", "aftersales", "aftersales", "gm", None),
    DemoUser("legal1", "林静怡", "legal", "legal", "gm", None),
)
ADMINISTRATOR = "admin"

# Who owns the customers of which province: each salesperson covers the region around
# their branch (sales1 Guangzhou: the south and south-west; sales2 Hangzhou: Zhejiang,
# Shanghai and the centre; sales3 Suzhou: Jiangsu and the north).
# fmt: off
TERRITORIES: dict[str, tuple[str, ...]] = {
    "sales1": ("广东省", "广西壮族自治区", "海南省", "福建省", "湖南省", "江西省", "云南省",
               "贵州省", "四川省", "重庆市"),
    "sales2": ("浙江省", "上海市", "安徽省", "湖北省", "河南省", "陕西省", "甘肃省"),
    "sales3": ("江苏省", "山东省", "北京市", "天津市", "河北省", "山西省", "辽宁省", "吉林省",
               "黑龙江省", "内蒙古自治区"),
}
# fmt: on
SALES_ROLE = "sales"
CREDIT_GRADER = "finance1"
CREDIT_REASON = "演示数据：初始信用评级"
# The generator's source channels that the customer record names differently.
SOURCE_CHANNELS: dict[str, str] = {
    "b2b_platform": customer_models.SourceChannel.ECOMMERCE,
    "walk_in": customer_models.SourceChannel.OTHER,
}
SHIPPING_LABELS = ("仓库", "分厂")  # the default delivery address, then a second plant


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str  # the role's label in the active language
    display_name: str


@dataclass(frozen=True)
class DemoResult:
    seed: int
    company_profile_filled: bool  # False when the profile already had a tax number
    branches_created: int
    users_created: int
    customers_created: int  # 0 when the database already had customers
    customers: list[Customer]  # the generated records, stored or not
    products: list[Product]
    logins: list[DemoLogin]
    catalog: CatalogResult = dataclasses.field(default_factory=lambda: CatalogResult())
    orders: OrdersResult = dataclasses.field(default_factory=OrdersResult)
    fulfilment: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def customer_count(self) -> int:
        return len(self.customers)

    @property
    def product_count(self) -> int:
        return len(self.products)


def load_demo(
    *, customers: int = 200, products: int = 500, seed: int = 2026, stdout: TextIO | None = None
) -> DemoResult:
    """Fill an installation with demo data; running it again changes nothing.

    In one transaction: the company profile, only while it has no tax number (a real
    company's data is never overwritten); the branches of ``DEMO_BRANCHES`` and the users of
    ``DEMO_USERS`` that do not exist yet (existing ones are left as they are), all users
    with the password ``settings.ORDERDESK_DEMO_PASSWORD``; and ``customers`` customers with
    their contacts, delivery addresses, grades, needs and interactions, only while the
    database has no customer at all. The generated customers and products are the same for
    the same seed. A summary goes to ``stdout`` when given.
    """
    if customers < 0 or products < 0:
        raise ValueError("The numbers of customers and products cannot be negative.")
    generated_customers = generate_customers(customers, seed=seed)
    generated_products = generate_products(products, seed=seed)
    with mail_held(), transaction.atomic():
        profile = fill_company_profile(demo_company(seed))
        branches_created = create_branches()
        users_created = create_users()
        customers_created = create_customers(generated_customers)
        catalog = create_catalog(generated_products, seed=seed)
        orders = create_orders(seed=seed)
        # Fulfilment (issue 6) works on the released orders: production first, so what it
        # completed and reserved is picked too; then shipments.
        fulfilment = (
            create_production(seed=seed)
            | create_pick_lists(seed=seed)
            | create_shipments(seed=seed)
            | create_billing(seed=seed)  # invoices and payments for what was shipped
            | create_changes(seed=seed)  # change requests on released orders
        )
    refresh_statistics()
    result = DemoResult(
        seed=seed,
        company_profile_filled=profile is not None,
        branches_created=branches_created,
        users_created=users_created,
        customers_created=customers_created,
        customers=generated_customers,
        products=generated_products,
        logins=demo_logins(),
        catalog=catalog,
        orders=orders,
        fulfilment=fulfilment,
    )
    if stdout is not None:
        write_summary(result, profile, stdout)
    return result


def database_is_empty() -> bool:
    """True while nobody but the built-in system account has an account."""
    return not User.objects.exclude(username=SYSTEM_USERNAME).exists()


def demo_company(seed: int) -> Company:
    """The company the demo runs as: a machinery maker, the same for the same seed."""
    return company(random.Random(f"{seed}:company"), trade=COMPANY_TRADE)


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin(spec.username, role_label(spec.role), spec.display_name) for spec in DEMO_USERS
    ]


def fill_company_profile(demo: Company) -> CompanyProfile | None:
    """Write ``demo`` into the profile row unless it already has a tax number."""
    profile = CompanyProfile.objects.select_for_update().filter(pk=1).first()
    created = profile is None
    if profile is None:
        profile = CompanyProfile(pk=1)
    elif profile.tax_number:
        return None
    values = {
        "name": demo.name,
        "abbreviation": demo.abbreviation,
        "tax_number": demo.uscc,
        "address": str(demo.address),
        "phone": demo.phone,
        "bank_name": demo.bank_name,
        "bank_account": demo.bank_account,
    }
    before = audit.snapshot(profile, values) if not created else dict.fromkeys(values, "")
    for field, value in values.items():
        setattr(profile, field, value)
    profile.full_clean()
    profile.save()
    audit.record(
        profile,
        "create_company_profile" if created else "update_company_profile",
        by=None,
        changes=audit.diff(before, audit.snapshot(profile, values)),
        reason=DEMO_REASON,
    )
    return profile


def create_branches() -> int:
    """Open the demo branches that do not exist yet; returns how many were opened."""
    existing = set(
        Branch.objects.filter(code__in=[spec.code for spec in DEMO_BRANCHES]).values_list(
            "code", flat=True
        )
    )
    created = 0
    for spec in DEMO_BRANCHES:
        if spec.code in existing:
            continue
        branch = Branch(
            code=spec.code,
            name=spec.name,
            province=spec.province,
            city=spec.city,
            address=spec.address,
        )
        branch.full_clean()
        branch.save()
        audit.record(
            branch,
            "create_branch",
            by=None,
            changes={
                field: ("", getattr(branch, field))
                for field in ("code", "name", "province", "city", "address")
            },
            reason=DEMO_REASON,
        )
        created += 1
    return created


def create_users() -> int:
    """Create the demo users that do not exist yet; returns how many were created."""
    existing = set(
        User.objects.filter(username__in=[spec.username for spec in DEMO_USERS]).values_list(
            "username", flat=True
        )
    )
    department_names = dict(DEPARTMENTS)
    created = 0
    for spec in DEMO_USERS:
        if spec.username in existing:
            continue
        department, _created = Department.objects.get_or_create(
            code=spec.department, defaults={"name": department_names[spec.department]}
        )
        is_administrator = spec.username == ADMINISTRATOR
        user = User(
            username=spec.username,
            email=f"{spec.username}@{DEMO_EMAIL_DOMAIN}",
            display_name=spec.display_name,
            # Seeded by the username alone, so a login keeps its number whatever the seed.
            phone=mobile(random.Random(f"user:{spec.username}")),
            department=department,
            supervisor=(User.objects.get(username=spec.supervisor) if spec.supervisor else None),
            branch=Branch.objects.get(code=spec.branch) if spec.branch else None,
            is_staff=is_administrator,
            is_superuser=is_administrator,
        )
        user.set_password(settings.ORDERDESK_DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=spec.role)])
        audit.record(
            user, "create_user", by=None, changes=user_changes(user, spec), reason=DEMO_REASON
        )
        created += 1
    return created


def create_customers(records: Sequence[Customer]) -> int:
    """Store the generated customers unless the database has customers already.

    Each customer is owned by the salesperson whose territory holds its registered
    province, and is created, noted and logged by them; finance sets the grade. Where a
    demo user was changed by hand and lacks the permission, the system account acts
    instead. Returns how many customers were created (none without any demo salesperson).
    """
    if not records or customer_models.Customer.objects.exists():
        return 0
    owners = territory_owners()
    if not owners:
        return 0
    system = system_user()
    grader = User.objects.filter(username=CREDIT_GRADER).first()
    if grader is None or not permissions.has(grader, MANAGE_CREDIT):
        grader = system
    actors = {
        owner.pk: owner
        if permissions.has(owner, CREATE) and permissions.has(owner, EDIT)
        else system
        for owner in owners.values()
    }
    fallback = owners[min(owners)]
    for record in records:
        owner = owners.get(record.registered_address.province, fallback)
        create_customer(record, owner=owner, by=actors[owner.pk], grader=grader)
    return len(records)


def territory_owners() -> dict[str, User]:
    """The owning salesperson per province. A demo salesperson who is missing, inactive or
    no longer in the sales role hands their provinces to the first remaining one."""
    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=TERRITORIES, is_active=True, groups__name=SALES_ROLE
        )
    }
    if not users:
        return {}
    stand_in = users[min(users)]
    return {
        province: users.get(username, stand_in)
        for username, provinces in TERRITORIES.items()
        for province in provinces
    }


def create_customer(record: Customer, *, owner: User, by: User, grader: User) -> None:
    """One generated customer, through the services, in the order it would happen."""
    home = record.registered_address
    customer = customer_services.create_customer(
        {
            "name": record.name,
            "short_name": record.short_name,
            "type": customer_models.CustomerType.COMPANY,
            "industry": record.industry,
            "business_scope": record.business_scope,
            "uscc": record.uscc,
            "phone": record.phone,
            "province": home.province,
            "city": home.city,
            "district": home.district,
            "address": home.detail,
            "invoice_title": record.invoice_title,
            "tax_number": record.uscc,  # a company's tax number is its USCC
            "bank_name": record.bank_name,
            "bank_account": record.bank_account,
            "cooperation_intent": record.cooperation_intent,
            "first_product": record.first_product,
            "expected_amount": record.expected_amount,
            "source_channel": SOURCE_CHANNELS.get(record.source_channel, record.source_channel),
            "owner": owner,
            "status": record.status,
        },
        contacts=[
            {
                "name": person.name,
                "title": person.title,
                "mobile": person.mobile,
                "email": person.email,
                "is_primary": person.is_primary,
            }
            for person in record.contacts
        ],
        addresses=[
            {
                "label": SHIPPING_LABELS[position],
                "province": entry.address.province,
                "city": entry.address.city,
                "district": entry.address.district,
                "detail": entry.address.detail,
                "receiver": entry.receiver,
                "receiver_phone": entry.phone,
                "is_default": entry.is_default,
            }
            for position, entry in enumerate(record.addresses[1:])
        ],
        by=by,
        # Names and USCCs are distinct by construction; a shared mobile would be a fluke.
        confirm_duplicates=True,
    )
    contacts = list(customer.contacts.order_by("pk"))
    if record.grade != customer_models.Grade.C or record.credit_limit is not None:
        customer_services.set_credit(
            customer,
            grade=record.grade,
            credit_limit=record.credit_limit,
            by=grader,
            reason=CREDIT_REASON,
        )
    for text in record.needs:
        customer_services.record_need(customer, text, by=by)
    for item in record.interactions:
        files = []
        if item.attachment:
            content_type = "image/png" if item.attachment.endswith(".png") else "text/plain"
            files.append(
                SimpleUploadedFile(item.attachment, attachment_bytes(record, item), content_type)
            )
        customer_services.record_interaction(
            customer,
            {
                "kind": item.kind,
                "happened_at": item.happened_at,
                "contact": contacts[item.contact],
                "summary": item.summary,
            },
            by=by,
            files=files,
        )
    for departure in record.departures:
        customer_services.mark_contact_left(
            contacts[departure.contact], by=by, reason=departure.reason, left_on=departure.left_on
        )


def user_changes(user: User, spec: DemoUser) -> dict[str, tuple[Any, Any]]:
    return {
        "username": ("", user.username),
        "display_name": ("", user.display_name),
        "email": ("", user.email),
        "role": ("", spec.role),
        "department": (None, user.department),
        "supervisor": (None, user.supervisor),
        "branch": (None, user.branch),
        "is_superuser": (False, user.is_superuser),
    }


def write_summary(result: DemoResult, profile: CompanyProfile | None, stdout: TextIO) -> None:
    if profile is not None:
        stdout.write(
            _("Company profile: %(name)s (%(abbreviation)s), tax number %(tax_number)s.\n")
            % {
                "name": profile.name,
                "abbreviation": profile.abbreviation,
                "tax_number": profile.tax_number,
            }
        )
    else:
        stdout.write(_("Company profile kept: it already has a tax number.\n"))
    stdout.write(_("Branches opened: %(count)d.\n") % {"count": result.branches_created})
    stdout.write(
        _("Demo users created: %(count)d (existing users were left as they are).\n")
        % {"count": result.users_created}
    )
    if result.customers_created:
        stored = result.customers[: result.customers_created]
        stdout.write(
            _(
                "Customers created: %(count)d in %(provinces)d provinces, with contacts, "
                "grades, needs and interactions (seed %(seed)d).\n"
            )
            % {
                "count": result.customers_created,
                "provinces": len({record.registered_address.province for record in stored}),
                "seed": result.seed,
            }
        )
    elif result.customer_count:
        stdout.write(
            _(
                "No customers loaded: the database already has customers, or no demo "
                "salesperson is left to own them.\n"
            )
        )
    catalog = result.catalog
    if catalog.products_created:
        stdout.write(
            _(
                "Products created: %(count)d in %(categories)d categories (seed %(seed)d); "
                "stock booked %(receipts)d times in %(warehouses)d warehouses, "
                "%(requests)d sold-out items with restock on the way.\n"
            )
            % {
                "count": catalog.products_created,
                "categories": len({record.category for record in result.products}),
                "seed": result.seed,
                "receipts": catalog.stock_receipts,
                "warehouses": len(DEMO_WAREHOUSES),
                "requests": catalog.purchase_requests,
            }
        )
        stdout.write(
            _(
                "Prices: %(prices)d in %(lists)d price lists (standard and grades A, B); "
                "promotions: %(promotions)d.\n"
            )
            % {
                "prices": catalog.prices_set,
                "lists": catalog.price_lists_created,
                "promotions": catalog.promotions_created,
            }
        )
    elif result.product_count:
        stdout.write(_("No products loaded: the database already has products.\n"))
    if result.orders.orders_created:
        stdout.write(
            _(
                "Sales orders created: %(count)d in %(statuses)d statuses, %(overdue)d review "
                "steps overdue, order %(blocked)s blocked by credit.\n"
            )
            % {
                "count": result.orders.orders_created,
                "statuses": len(result.orders.statuses),
                "overdue": result.orders.overdue_steps,
                "blocked": result.orders.credit_blocked or "-",
            }
        )
    if any(result.fulfilment.values()):
        stdout.write(
            _(
                "Fulfilment: %(production)d production orders, %(pick_lists)d pick lists, "
                "%(shipments)d shipments.\n"
            )
            % {
                "production": result.fulfilment.get("production_orders", 0),
                "pick_lists": result.fulfilment.get("pick_lists", 0),
                "shipments": result.fulfilment.get("shipments", 0),
            }
        )
    if result.fulfilment.get("invoices"):
        stdout.write(
            _("Billing: %(invoices)d invoices, %(payments)d payments.\n")
            % {
                "invoices": result.fulfilment["invoices"],
                "payments": result.fulfilment.get("payments", 0),
            }
        )
    if result.fulfilment.get("changes"):
        count = result.fulfilment["changes"]
        stdout.write(_("Order changes: %(count)d change requests.\n") % {"count": count})
    if result.fulfilment.get("statements"):
        stdout.write(
            _("Statements: %(count)d for last month.\n")
            % {"count": result.fulfilment["statements"]}
        )


# --- Catalog, stock and prices (issue 4) ---------------------------------------------------


@dataclass(frozen=True)
class DemoWarehouse:
    code: str
    name: str
    province: str
    city: str
    address: str


DEMO_WAREHOUSES: tuple[DemoWarehouse, ...] = (
    DemoWarehouse("SZ01", "华东总仓", "江苏省", "苏州市", "吴中区吴中经济开发区东太湖路28号"),
    DemoWarehouse("GZ01", "华南仓", "广东省", "广州市", "白云区太和镇永兴村物流园B3栋"),
)
PRODUCT_MAKER = "production1"  # production / technical keeps the product files
STOCK_KEEPER = "warehouse1"
PRICE_SETTER = "finance1"
# Families that are work rather than goods: made (done) to order, never in stock.
SERVICE_FAMILIES = frozenset({"AZ", "JF"})
CUSTOM_EVERY = 40  # every 40th product is custom-made: technical review before ordering
PROHIBITED_EVERY = 97  # every 97th product is no longer sold
PRICES_FROM = dt.date(2026, 1, 1)
STANDARD_LIST = "std-2026"
# Grade price lists: grade, code, percent off the list price, every n-th product.
GRADE_LISTS: tuple[tuple[str, str, Decimal, int], ...] = (
    ("A", "grade-a-2026", Decimal(5), 2),
    ("B", "grade-b-2026", Decimal(2), 3),
)
FLOOR_SHARE = Decimal("0.85")  # the minimum price is 85 % of the list price
# Quantity breaks (from quantity, share of the list price) for every n-th stocked product.
QUANTITY_BREAKS: tuple[tuple[int, Decimal], ...] = ((10, Decimal("0.97")), (50, Decimal("0.93")))
BREAK_EVERY = 25
PROMOTIONS_FROM, PROMOTIONS_UNTIL = dt.date(2026, 11, 1), dt.date(2026, 12, 31)
PROMOTION_CATEGORY = "zc"  # bearings
FEN = Decimal("0.01")


@dataclass(frozen=True)
class CatalogResult:
    categories_created: int = 0
    products_created: int = 0  # 0 when the database already had products
    warehouses_created: int = 0
    stock_receipts: int = 0
    purchase_requests: int = 0
    price_lists_created: int = 0
    prices_set: int = 0
    promotions_created: int = 0


def family_code(record: Product) -> str:
    return record.sku.split("-", 1)[0]


def product_flags(record: Product, index: int) -> dict[str, Any]:
    """Sales kind, supply and active flag of the n-th generated product (1-based)."""
    family = family_code(record)
    if index % PROHIBITED_EVERY == 0:
        kind = catalog_models.SalesKind.PROHIBITED
    elif index % CUSTOM_EVERY == 0:
        kind = catalog_models.SalesKind.CUSTOM
    else:
        kind = catalog_models.SalesKind.NORMAL
    make_to_order = family in SERVICE_FAMILIES or kind == catalog_models.SalesKind.CUSTOM
    return {
        "sales_kind": kind,
        "supply": (
            catalog_models.Supply.MAKE_TO_ORDER
            if make_to_order
            else catalog_models.Supply.MAKE_TO_STOCK
        ),
    }


def share_of(price: Decimal, share: Decimal) -> Decimal:
    return (price * share).quantize(FEN, rounding=ROUND_HALF_UP)


def create_catalog(records: Sequence[Product], *, seed: int) -> CatalogResult:
    """Store the generated products with categories, stock in the demo warehouses, the
    standard and grade price lists and two promotions, unless products exist already.

    Everything goes through the services, as the person who would do it: production keeps
    the product files, the warehouse books the stock, finance sets prices and promotions.
    Stock quantities come from the seed; sold-out items get a purchase request, so their
    restock date shows.
    """
    if not records or catalog_models.Product.objects.exists():
        return CatalogResult()
    maker = acting(PRODUCT_MAKER, PRODUCTS)
    keeper = acting(STOCK_KEEPER, STOCK)
    pricer = acting(PRICE_SETTER, PRICES)

    categories, categories_created = demo_categories(records, by=maker)
    products: list[tuple[Product, catalog_models.Product]] = []
    for index, record in enumerate(records, start=1):
        stored = catalog_services.create_product(
            {
                "sku": record.sku,
                "name": record.name,
                "spec": record.spec,
                "model_number": record.model,
                "category": categories[family_code(record)],
                "unit": record.unit,
                "tax_rate": record.tax_rate,
                "lead_time_days": record.lead_time_days,
                **product_flags(record, index),
            },
            by=maker,
        )
        products.append((record, stored))

    warehouses, warehouses_created = demo_warehouses(by=keeper)
    receipts, requests = stock_up(products, warehouses, seed=seed, by=keeper)
    lists_created, prices_set = price_up(products, by=pricer)
    promotions_created = demo_promotions(categories, by=pricer)
    return CatalogResult(
        categories_created=categories_created,
        products_created=len(products),
        warehouses_created=warehouses_created,
        stock_receipts=receipts,
        purchase_requests=requests,
        price_lists_created=lists_created,
        prices_set=prices_set,
        promotions_created=promotions_created,
    )


def demo_categories(
    records: Sequence[Product], *, by: User
) -> tuple[dict[str, catalog_models.Category], int]:
    """One category per product family (code = the SKU prefix), existing ones reused."""
    names = {family_code(record): record.category for record in records}
    existing = {
        category.code: category
        for category in catalog_models.Category.objects.filter(
            code__in=[code.lower() for code in names]
        )
    }
    categories: dict[str, catalog_models.Category] = {}
    created = 0
    for code, name in names.items():
        category = existing.get(code.lower())
        if category is None:
            category = catalog_services.create_category({"code": code.lower(), "name": name}, by=by)
            created += 1
        categories[code] = category
    return categories, created


def demo_warehouses(*, by: User) -> tuple[list[Warehouse], int]:
    existing = {
        warehouse.code: warehouse
        for warehouse in Warehouse.objects.filter(code__in=[w.code for w in DEMO_WAREHOUSES])
    }
    warehouses = []
    created = 0
    for spec in DEMO_WAREHOUSES:
        warehouse = existing.get(spec.code)
        if warehouse is None:
            warehouse = inventory_services.create_warehouse(
                {
                    "code": spec.code,
                    "name": spec.name,
                    "province": spec.province,
                    "city": spec.city,
                    "address": spec.address,
                },
                by=by,
            )
            created += 1
        warehouses.append(warehouse)
    return warehouses, created


def stock_up(
    products: Sequence[tuple[Product, catalog_models.Product]],
    warehouses: Sequence[Warehouse],
    *,
    seed: int,
    by: User,
) -> tuple[int, int]:
    """Opening stock of every make-to-stock item that is sold; returns (receipts, purchase
    requests). A sold-out item has restock on the way to the main warehouse."""
    main, second = warehouses[0], warehouses[1]
    today = timezone.localdate()
    receipts = requests = 0
    for record, product in products:
        if not product.orderable or product.supply != catalog_models.Supply.MAKE_TO_STOCK:
            continue
        rng = random.Random(f"{seed}:stock:{record.sku}")
        quantities = stock_quantities(rng, record)
        if quantities == (0, 0):
            inventory_services.create_purchase_request(
                product,
                main,
                rng.randint(10, 100),
                expected_on=add_working_days(today, max(1, product.lead_time_days)),
                by=by,
                note=OPENING_STOCK_NOTE,
            )
            requests += 1
            continue
        for warehouse, quantity in zip((main, second), quantities, strict=True):
            if quantity:
                inventory_services.receive_stock(
                    product, warehouse, quantity, by=by, reason=OPENING_STOCK_NOTE
                )
                receipts += 1
    return receipts, requests


def price_up(
    products: Sequence[tuple[Product, catalog_models.Product]], *, by: User
) -> tuple[int, int]:
    """The standard list (every product that is sold: list price, floor 85 %), quantity
    breaks on a few stocked items, and the grade lists on a subset. Returns (lists created,
    prices set)."""
    standard, created = price_list(
        STANDARD_LIST, "2026年标准价格表", PriceListKind.STANDARD, "", by=by
    )
    grade_lists = []
    for grade, code, _percent, _every in GRADE_LISTS:
        found, new = price_list(
            code, f"2026年{grade}级客户价格表", PriceListKind.GRADE, grade, by=by
        )
        grade_lists.append(found)
        created += new
    prices = 0
    for position, (record, product) in enumerate(products, start=1):
        if product.sales_kind == catalog_models.SalesKind.PROHIBITED:
            continue
        floor = share_of(record.list_price, FLOOR_SHARE)
        set_price(standard, product, {"unit_price": record.list_price, "floor_price": floor}, by=by)
        prices += 1
        stocked = product.supply == catalog_models.Supply.MAKE_TO_STOCK
        if stocked and position % BREAK_EVERY == 1:
            for quantity, share in QUANTITY_BREAKS:
                set_price(
                    standard,
                    product,
                    {
                        "min_quantity": quantity,
                        "unit_price": share_of(record.list_price, share),
                        "floor_price": floor,
                    },
                    by=by,
                )
                prices += 1
        for grade_list, (_grade, _code, percent, every) in zip(
            grade_lists, GRADE_LISTS, strict=True
        ):
            if position % every == 0:
                off = share_of(record.list_price, (100 - percent) / 100)
                set_price(grade_list, product, {"unit_price": off, "floor_price": floor}, by=by)
                prices += 1
    return created, prices


def price_list(code: str, name: str, kind: str, grade: str, *, by: User) -> tuple[PriceList, int]:
    """The demo price list ``code``, opened (valid from 2026-01-01, open-ended) if missing."""
    existing = PriceList.objects.filter(code=code).first()
    if existing is not None:
        return existing, 0
    created = pricing_services.create_price_list(
        {
            "code": code,
            "name": name,
            "kind": kind,
            "grade": grade,
            "valid_from": PRICES_FROM,
            "valid_until": None,
            "prices_include_tax": True,
        },
        by=by,
    )
    return created, 1


def set_price(
    target: PriceList, product: catalog_models.Product, values: dict[str, Any], *, by: User
) -> None:
    pricing_services.set_price(target, product, values, by=by)


def demo_promotions(categories: dict[str, catalog_models.Category], *, by: User) -> int:
    """Two promotions live until the end of 2026: 5 % off bearings and 满减 (¥2,000 off an
    order of ¥50,000 or more); neither combines with another."""
    specs: list[dict[str, Any]] = [
        {
            "code": "zc-2026-q4",
            "name": "轴承年末促销 九五折",
            "kind": PromotionKind.PERCENT,
            "percent_off": Decimal(5),
            "categories": [
                category
                for code, category in categories.items()
                if code.lower() == PROMOTION_CATEGORY
            ],
        },
        {
            "code": "mj-50000-2000",
            "name": "年末满减 满5万减2000元",
            "kind": PromotionKind.SPEND_THRESHOLD,
            "threshold_amount": Decimal(50_000),
            "amount_off": Decimal(2_000),
        },
    ]
    existing = set(
        Promotion.objects.filter(code__in=[spec["code"] for spec in specs]).values_list(
            "code", flat=True
        )
    )
    created = 0
    for spec in specs:
        if spec["code"] in existing:
            continue
        pricing_services.create_promotion(
            {
                **spec,
                "valid_from": PROMOTIONS_FROM,
                "valid_until": PROMOTIONS_UNTIL,
                "stackable": False,
            },
            by=by,
        )
        created += 1
    return created

"""``load_demo``: the demo company, its sales branches, one login per role and customers.

``orderdesk demo`` (and so ``make run`` on first start) calls it. The company, branches and
users are written with the ORM rather than through services: there is no acting user yet
whose permissions could be checked. Every such write is still audited, by the system with
the reason "demo data", in the same transaction.

Customers go through the real customer services, acting as the people who would do it in
the company: the owning salesperson creates the record, notes needs and logs
interactions, finance grades it. So codes come from the numbering rule and every row has
its audit entry, exactly as if the demo had been typed in. Products are generated and
returned but not stored yet: their tables come with the catalog app.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.accounts.models import SYSTEM_USERNAME, Department, User
from orderdesk.accounts.roles import CREATE, DEPARTMENTS, EDIT, MANAGE_CREDIT, role_label
from orderdesk.accounts.selectors import system_user
from orderdesk.core import audit, permissions
from orderdesk.core.maintenance import refresh_statistics
from orderdesk.core.models import Branch, CompanyProfile
from orderdesk.customers import models as customer_models
from orderdesk.customers import services as customer_services

from .generators import (
    Company,
    Customer,
    Product,
    attachment_bytes,
    company,
    generate_customers,
    generate_products,
    mobile,
)

DEMO_REASON = "demo data"
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
    DemoUser("cs1", "赵丽娟", "customer_service", "customer_service", "salesmgr", None),
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

    @property
    def customer_count(self) -> int:
        return len(self.customers)

    @property
    def product_count(self) -> int:
        return len(self.products)


def load_demo(
    *, customers: int = 200, products: int = 100, seed: int = 2026, stdout: TextIO | None = None
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
    with transaction.atomic():
        profile = fill_company_profile(demo_company(seed))
        branches_created = create_branches()
        users_created = create_users()
        customers_created = create_customers(generated_customers)
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
    stdout.write(
        _("Generated %(products)d products (seed %(seed)d); they are not stored yet.\n")
        % {"products": result.product_count, "seed": result.seed}
    )

"""``load_demo``: the demo company, its sales branches and one login per role.

``orderdesk demo`` calls it. The rows are written with the ORM rather than through the
services: seed data has no acting user whose permissions could be checked, and the services
take one change from one person at a time. Every write is still audited, by the system with
the reason "demo data", in the same transaction. Customers and products are generated and
returned but not stored yet: their tables come with the customers and catalog apps.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, TextIO

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from orderdesk.accounts.models import SYSTEM_USERNAME, Department, User
from orderdesk.accounts.roles import DEPARTMENTS, role_label
from orderdesk.core import audit
from orderdesk.core.models import Branch, CompanyProfile

from .generators import (
    Company,
    Customer,
    Product,
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
    customers: list[Customer]
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
    with the password ``settings.ORDERDESK_DEMO_PASSWORD``. The generated customers and
    products are the same for the same seed. A summary goes to ``stdout`` when given.
    """
    if customers < 0 or products < 0:
        raise ValueError("The numbers of customers and products cannot be negative.")
    generated_customers = generate_customers(customers, seed=seed)
    generated_products = generate_products(products, seed=seed)
    with transaction.atomic():
        profile = fill_company_profile(demo_company(seed))
        branches_created = create_branches()
        users_created = create_users()
    result = DemoResult(
        seed=seed,
        company_profile_filled=profile is not None,
        branches_created=branches_created,
        users_created=users_created,
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
    stdout.write(
        _("Generated %(customers)d customers and %(products)d products (seed %(seed)d).\n")
        % {
            "customers": result.customer_count,
            "products": result.product_count,
            "seed": result.seed,
        }
    )

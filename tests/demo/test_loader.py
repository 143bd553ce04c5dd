"""load_demo: company profile, branches and one login per role, idempotent and audited."""

import io
import re

import phonenumbers
import pytest
from django.conf import settings

from orderdesk.accounts.models import User
from orderdesk.accounts.roles import ROLE_BY_NAME, ROLES
from orderdesk.core.audit import entries_for
from orderdesk.core.models import AuditEntry, Branch, CompanyProfile
from orderdesk.core.uscc import is_valid_uscc
from orderdesk.demo.generators import generate_customers, generate_products
from orderdesk.demo.loader import (
    DEMO_BRANCHES,
    DEMO_USERS,
    database_is_empty,
    load_demo,
)

DEMO_USERNAMES = [spec.username for spec in DEMO_USERS]
TOP_USERS = {"gm", "admin"}


def demo_users() -> dict[str, User]:
    users = User.objects.filter(username__in=DEMO_USERNAMES).select_related(
        "department", "supervisor", "branch"
    )
    return {user.username: user for user in users}


def test_loads_one_login_per_role_with_department_supervisor_and_branch(db):
    load_demo(customers=5, products=5)

    users = demo_users()
    assert set(users) == set(DEMO_USERNAMES)
    for spec in DEMO_USERS:
        user = users[spec.username]
        assert user.department is not None
        assert user.department.code == spec.department
        assert list(user.groups.values_list("name", flat=True)) == [spec.role]
        assert user.display_name == spec.display_name
        assert user.email == f"{spec.username}@demo.orderdesk.local"
        assert phonenumbers.number_type(phonenumbers.parse(user.phone, "CN")) == (
            phonenumbers.PhoneNumberType.MOBILE
        )
        if spec.username in TOP_USERS:
            assert user.supervisor is None
        else:
            assert user.supervisor is not None
            assert user.supervisor.username == spec.supervisor


def test_escalation_reaches_the_general_manager(db):
    load_demo(customers=0, products=0)

    users = demo_users()
    assert users["sales1"].supervisor == users["salesmgr"]
    assert users["sales2"].supervisor == users["salesmgr"]
    assert users["salesmgr"].supervisor == users["gm"]
    for username in DEMO_USERNAMES:
        user = users[username]
        for _ in range(len(DEMO_USERS)):
            if user.supervisor is None:
                break
            user = user.supervisor
        assert user.username in TOP_USERS


def test_admin_is_a_superuser_in_the_administrator_group(db):
    load_demo(customers=0, products=0)

    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.groups.filter(name="administrator").exists()
    assert (
        not User.objects.filter(username__in=DEMO_USERNAMES, is_superuser=True)
        .exclude(username="admin")
        .exists()
    )


def test_salespeople_belong_to_a_branch(db):
    load_demo(customers=0, products=0)

    salespeople = User.objects.filter(username__in=DEMO_USERNAMES, groups__name="sales")
    assert salespeople.count() >= 2
    for user in salespeople:
        assert user.branch is not None
        assert re.fullmatch(r"[A-Z]{2}\d{3}", user.branch.code)


def test_every_staff_role_has_a_demo_user_in_its_department():
    for role in ROLES:
        if role.name != "customer":
            assert role.name in {spec.role for spec in DEMO_USERS}
    for spec in DEMO_USERS:
        assert spec.department == ROLE_BY_NAME[spec.role].department


def test_demo_password_works_for_every_demo_user(db):
    load_demo(customers=0, products=0)

    for user in User.objects.filter(username__in=DEMO_USERNAMES):
        assert user.check_password(settings.ORDERDESK_DEMO_PASSWORD)
        assert user.is_active


def test_branches_are_opened(db):
    result = load_demo(customers=0, products=0)

    assert result.branches_created == len(DEMO_BRANCHES)
    codes = set(Branch.objects.values_list("code", flat=True))
    assert codes >= {"GD001", "GD002", "ZJ001", "JS001"}
    for branch in Branch.objects.all():
        branch.full_clean()


def test_company_profile_gets_a_valid_tax_number_and_an_audit_entry(db):
    load_demo(customers=0, products=0)

    profile = CompanyProfile.objects.get(pk=1)
    assert is_valid_uscc(profile.tax_number)
    assert profile.name.endswith("公司")
    assert re.fullmatch(r"[A-Z]{2,10}", profile.abbreviation)
    assert all((profile.address, profile.phone, profile.bank_name, profile.bank_account))
    entry = entries_for(profile).get()
    assert entry.actor is None
    assert entry.actor_name == "system"
    assert entry.reason == "demo data"
    assert entry.changes["abbreviation"] == ["OD", profile.abbreviation]


def test_writes_are_audited_as_demo_data(db):
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    load_demo(customers=0, products=0)

    entries = list(AuditEntry.objects.filter(pk__gt=last))
    assert len(entries) == 1 + len(DEMO_BRANCHES) + len(DEMO_USERS)
    assert {entry.reason for entry in entries} == {"demo data"}
    assert {entry.actor_id for entry in entries} == {None}


def test_running_twice_changes_nothing(db):
    load_demo(customers=5, products=5)
    counts = (User.objects.count(), Branch.objects.count(), AuditEntry.objects.count())
    profile = CompanyProfile.objects.values().get(pk=1)

    again = load_demo(customers=5, products=5)

    assert (User.objects.count(), Branch.objects.count(), AuditEntry.objects.count()) == counts
    assert CompanyProfile.objects.values().get(pk=1) == profile
    assert again.users_created == 0
    assert again.branches_created == 0
    assert not again.company_profile_filled


def test_a_second_run_with_another_seed_keeps_the_company(db):
    load_demo(customers=0, products=0, seed=1)
    profile = CompanyProfile.objects.values().get(pk=1)

    load_demo(customers=0, products=0, seed=2)

    assert CompanyProfile.objects.values().get(pk=1) == profile


def test_existing_users_are_left_alone(db, make_user):
    make_user("sales1", "finance", display_name="原有用户")

    result = load_demo(customers=0, products=0)

    user = User.objects.get(username="sales1")
    assert user.display_name == "原有用户"
    assert list(user.groups.values_list("name", flat=True)) == ["finance"]
    assert not user.check_password(settings.ORDERDESK_DEMO_PASSWORD)
    assert result.users_created == len(DEMO_USERS) - 1


def test_a_filled_in_company_profile_is_kept(db):
    CompanyProfile.objects.filter(pk=1).update(
        name="真实公司有限公司", abbreviation="REAL", tax_number="91110000802100433B"
    )

    result = load_demo(customers=0, products=0)

    profile = CompanyProfile.objects.get(pk=1)
    assert (profile.name, profile.abbreviation) == ("真实公司有限公司", "REAL")
    assert not result.company_profile_filled


def test_generated_records_are_returned_and_deterministic(db):
    result = load_demo(customers=12, products=8, seed=99)

    assert result.customer_count == 12
    assert result.customers_created == 12
    assert result.product_count == 8
    assert result.customers == generate_customers(12, seed=99)
    assert result.products == generate_products(8, seed=99)
    again = load_demo(customers=12, products=8, seed=99)
    assert again.customers == result.customers
    assert again.customers_created == 0


def test_logins_list_every_demo_user_with_a_role_label(db):
    result = load_demo(customers=0, products=0)

    assert [login.username for login in result.logins] == DEMO_USERNAMES
    assert all(login.role and login.display_name for login in result.logins)


def test_database_is_empty_until_someone_but_the_system_account_exists(db):
    assert User.objects.filter(username="system").exists()
    assert database_is_empty()

    load_demo(customers=0, products=0)

    assert not database_is_empty()


def test_summary_goes_to_stdout(db):
    out = io.StringIO()

    load_demo(customers=3, products=2, stdout=out)

    profile = CompanyProfile.objects.get(pk=1)
    assert profile.tax_number in out.getvalue()


def test_negative_counts_are_refused(db):
    with pytest.raises(ValueError, match="negative"):
        load_demo(customers=-1)

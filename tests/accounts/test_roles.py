from django.contrib.auth.models import Group

from orderdesk.accounts import selectors
from orderdesk.accounts.models import Department
from orderdesk.accounts.roles import DEPARTMENTS, ROLES
from orderdesk.core import permissions


def test_every_role_of_the_mission_exists_as_a_group(db):
    names = set(Group.objects.values_list("name", flat=True))

    assert {role.name for role in ROLES} <= names
    assert {
        "sales",
        "sales_manager",
        "customer_service",
        "finance",
        "warehouse",
        "production",
        "logistics",
        "aftersales",
        "legal",
        "general_manager",
        "administrator",
        "customer",
    } <= names


def test_role_permissions_match_the_declaration(db):
    for role in ROLES:
        group = Group.objects.get(name=role.name)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(role.permissions), role.name


def test_departments_exist_for_every_role(db):
    codes = set(Department.objects.values_list("code", flat=True))

    assert {code for code, _name in DEPARTMENTS} <= codes
    assert {role.department for role in ROLES if role.department} <= codes


def test_permissions_follow_the_role(admin1, sales1):
    assert permissions.has(admin1, "core.manage_numbering")
    assert not permissions.has(sales1, "core.manage_numbering")


def test_system_account_cannot_log_in_but_may_act(db, client):
    system = selectors.system_user()

    assert system.is_system
    assert not system.has_usable_password()
    assert permissions.has(system, "core.manage_company")
    response = client.post("/accounts/login/", {"username": "system", "password": ""})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200

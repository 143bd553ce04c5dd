"""Who sees which customers, credit files and personal data: a role × action matrix."""

import pytest

from orderdesk.core.models import AccessLog
from orderdesk.customers import selectors
from tests.factories.customers import make_customer

ROLES = [
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
]

# role: (sees others' customers, sees credit file, sees personal data unmasked)
EXPECTED = {
    "sales": (False, False, True),
    "sales_manager": (True, True, True),  # team only: the owner below reports to the manager
    "customer_service": (True, False, True),
    "finance": (True, True, True),
    "warehouse": (False, False, False),
    "production": (False, False, False),
    "logistics": (False, False, False),
    "aftersales": (True, False, False),
    "legal": (False, False, False),
    "general_manager": (True, True, True),
    "administrator": (True, False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role, make_user):
    viewer = make_user(f"viewer_{role}", role)
    owner = make_user("owner", "sales", supervisor=viewer)
    customer = make_customer(owner)
    sees_others, sees_credit, sees_personal = EXPECTED[role]

    visible = list(selectors.customers_visible_to(viewer))
    shown = selectors.mask_or_log(visible, viewer, channel="html")

    assert (customer in visible) is sees_others
    assert selectors.can_see_credit(viewer) is sees_credit
    if visible:
        mobile = shown[0].contacts.all()[0].mobile
        assert ("****" not in mobile) is sees_personal
        assert AccessLog.objects.filter(actor=viewer).exists() is sees_personal


def test_sales_see_only_their_own_customers(make_user):
    sales1, sales2 = make_user("s1", "sales"), make_user("s2", "sales")
    own, other = make_customer(sales1), make_customer(sales2)

    assert list(selectors.customers_visible_to(sales1)) == [own]
    assert not selectors.can_edit(sales1, other)


def test_manager_sees_the_whole_team_but_not_other_teams(make_user):
    manager = make_user("mgr", "sales_manager")
    lead = make_user("lead", "sales", supervisor=manager)
    junior = make_user("junior", "sales", supervisor=lead)
    outsider = make_user("outsider", "sales")
    team = {make_customer(lead), make_customer(junior)}
    make_customer(outsider)

    assert set(selectors.customers_visible_to(manager)) == team


def test_masking_covers_bank_accounts_and_logs_unmasked_views(make_user):
    owner = make_user("owner", "sales")
    aftersales = make_user("as1", "aftersales")
    customer = make_customer(owner, bank_account="6222020200112233445")

    masked = selectors.mask_or_log(
        [selectors.customer_for(aftersales, customer.pk)], aftersales, channel="api"
    )[0]
    seen = selectors.mask_or_log(
        [selectors.customer_for(owner, customer.pk)], owner, channel="api"
    )[0]

    assert masked.bank_account == "**** 3445"
    assert seen.bank_account == "6222020200112233445"
    log = AccessLog.objects.get()
    assert (log.actor, log.what, log.channel) == (owner, "personal_data", "api")


def test_exporting_credit_columns_logs_each_credit_file_seen(make_user):
    from orderdesk.customers.exporting import export_customers

    owner = make_user("owner", "sales")
    finance = make_user("fin", "finance")
    customers = [make_customer(owner), make_customer(owner)]

    export_customers(selectors.search(finance), user=finance)

    logged = AccessLog.objects.filter(actor=finance, what="credit_file", channel="export")
    assert {entry.object_id for entry in logged} == {str(c.credit.pk) for c in customers}

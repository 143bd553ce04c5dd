import pytest

from orderdesk.core.errors import NotAllowed
from orderdesk.core.models import AuditEntry
from orderdesk.customers import selectors, services
from tests.factories.customers import make_customer


def test_manager_merges_a_duplicate_into_the_survivor(make_user):
    manager = make_user("mgr", "sales_manager")
    sales = make_user("s1", "sales", supervisor=manager)
    survivor = make_customer(sales)
    duplicate = make_customer(sales, contacts=2)
    services.record_need(duplicate, "要求木箱包装", by=sales)

    services.merge_customers(survivor, duplicate, by=manager, reason="同一客户重复建档")

    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert survivor.contacts.count() == 3
    assert survivor.contacts.filter(is_primary=True).count() == 1
    assert survivor.needs.count() == 1
    assert list(selectors.customers_visible_to(manager)) == [survivor]
    assert AuditEntry.objects.filter(action="merge_customer", reason="同一客户重复建档").exists()


def test_sales_cannot_merge(sales1):
    first, second = make_customer(sales1), make_customer(sales1)

    with pytest.raises(NotAllowed):
        services.merge_customers(first, second, by=sales1, reason="重复")

    second.refresh_from_db()
    assert second.merged_into is None

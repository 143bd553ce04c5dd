from orderdesk.core.models import AuditEntry
from orderdesk.customers import selectors
from tests.factories.customers import make_customer


def test_create_customer_assigns_code_credit_file_and_audit(sales1):
    customer = make_customer(sales1, contacts=2)

    assert customer.code.startswith("OD")
    assert customer.credit.grade == "C"
    assert customer.contacts.filter(is_primary=True).count() == 1
    assert AuditEntry.objects.filter(action="create_customer", object_id=str(customer.pk)).exists()
    assert list(selectors.search(sales1, q=customer.pinyin[:4])) == [customer]

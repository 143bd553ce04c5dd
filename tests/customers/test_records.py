import pytest

from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.core.models import AuditEntry
from orderdesk.customers import selectors, services
from orderdesk.customers.errors import DuplicateUscc, PossibleDuplicate
from orderdesk.customers.models import Contact, Customer
from tests.factories.customers import contact_values, customer_values, make_customer, valid_uscc


def test_customer_code_follows_the_numbering_rule_and_never_changes(sales1):
    first = make_customer(sales1)
    second = make_customer(sales1)

    services.update_customer(second, {"name": "改名后的公司"}, by=sales1, reason="客户更名")

    second.refresh_from_db()
    assert first.code.endswith("0001")
    assert second.code.endswith("0002")
    assert second.name == "改名后的公司"


def test_invalid_fields_are_all_named_and_nothing_is_written(sales1):
    values = customer_values(
        uscc="91330106000000001X",
        province="火星省",
        phone="12",
        name="<script>alert(1)</script>",
        owner=sales1,
    )

    with pytest.raises(ValidationFailed) as refused:
        services.create_customer(
            values, contacts=[contact_values(mobile="123", email="x@")], by=sales1
        )

    fields = refused.value.fields
    assert {"uscc", "province", "phone", "name", "contacts.0.mobile", "contacts.0.email"} <= set(
        fields
    )
    assert Customer.objects.count() == 0
    assert Contact.objects.count() == 0


def test_over_long_name_is_refused(sales1):
    with pytest.raises(ValidationFailed) as refused:
        services.create_customer(customer_values(name="公" * 201), by=sales1)

    assert "name" in refused.value.fields


def test_individuals_need_no_uscc(sales1):
    customer = services.create_customer(
        customer_values(type="individual", uscc="", name="张三"), by=sales1
    )

    assert customer.uscc == ""


def test_same_uscc_is_refused_naming_the_existing_customer(sales1):
    existing = make_customer(sales1, uscc=valid_uscc(9001))

    with pytest.raises(DuplicateUscc) as refused:
        services.create_customer(customer_values(uscc=valid_uscc(9001)), by=sales1)

    assert refused.value.status == 409
    assert existing.code in str(refused.value.message)
    assert Customer.objects.count() == 1


def test_same_normalised_name_needs_confirmation(sales1):
    existing = make_customer(sales1, name="杭州电子有限公司")
    values = customer_values(name="杭州 电子 有限责任公司")

    with pytest.raises(PossibleDuplicate) as warned:
        services.create_customer(values, by=sales1)
    confirmed = services.create_customer(values, by=sales1, confirm_duplicates=True)

    assert warned.value.matches[0]["code"] == existing.code
    assert warned.value.matches[0]["reason"] == "same_name"
    assert confirmed.pk != existing.pk


def test_same_contact_mobile_needs_confirmation(sales1):
    existing = make_customer(sales1)
    mobile = existing.contacts.get().mobile

    with pytest.raises(PossibleDuplicate) as warned:
        services.create_customer(
            customer_values(), contacts=[contact_values(mobile=mobile)], by=sales1
        )

    assert warned.value.matches[0]["reason"] == "same_mobile"


def test_update_needs_a_reason_and_records_before_and_after(sales1):
    customer = make_customer(sales1, industry="机械制造")

    with pytest.raises(ValidationFailed) as refused:
        services.update_customer(customer, {"industry": "电子"}, by=sales1, reason=" ")
    services.update_customer(customer, {"industry": "电子"}, by=sales1, reason="主营业务调整")

    assert refused.value.code == "reason_required"
    entry = AuditEntry.objects.get(action="update_customer")
    assert entry.changes == {"industry": ["机械制造", "电子"]}
    assert entry.reason == "主营业务调整"


def test_update_to_an_existing_uscc_is_refused(sales1):
    make_customer(sales1, uscc=valid_uscc(9101))
    other = make_customer(sales1, uscc=valid_uscc(9102))

    with pytest.raises(DuplicateUscc):
        services.update_customer(other, {"uscc": valid_uscc(9101)}, by=sales1, reason="更正")

    other.refresh_from_db()
    assert other.uscc == valid_uscc(9102)


def test_sales_cannot_give_customers_to_someone_else(sales1, make_user):
    sales2 = make_user("sales2", "sales")

    with pytest.raises(NotAllowed):
        services.create_customer(customer_values(owner=sales2), by=sales1)


def test_manager_assigns_within_the_team(make_user):
    manager = make_user("mgr", "sales_manager")
    member = make_user("member", "sales", supervisor=manager)
    outsider = make_user("outsider", "sales")

    mine = services.create_customer(customer_values(owner=member), by=manager)

    assert mine.owner == member
    with pytest.raises(NotAllowed):
        services.create_customer(customer_values(owner=outsider), by=manager)


def test_delivery_addresses_keep_region_fields(sales1):
    customer = services.create_customer(
        customer_values(),
        by=sales1,
        addresses=[
            {
                "province": "广东",
                "city": "深圳市",
                "district": "南山区",
                "detail": "科技园1号",
                "receiver": "王五",
                "receiver_phone": "13900001111",
            }
        ],
    )

    address = customer.addresses.get()
    assert (address.province, address.city, address.district) == ("广东省", "深圳市", "南山区")
    assert address.is_default


def test_search_finds_by_code_pinyin_uscc_contact_and_phone(sales1):
    customer = make_customer(sales1, name="宁波海天塑机有限公司", uscc=valid_uscc(9201))
    contact = customer.contacts.get()
    make_customer(sales1, name="苏州其他公司")

    for q in (customer.code, "nbht", "海天", valid_uscc(9201), contact.name, contact.mobile[-6:]):
        assert list(selectors.search(sales1, q=q)) == [customer], q

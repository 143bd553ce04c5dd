"""Demo customers: stored through the customer services, spread over the country, graded,
with contacts, needs and interactions; loaded once, the same for the same seed."""

import datetime as dt
import io
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from orderdesk.accounts.models import User
from orderdesk.core.models import AuditEntry, CompanyProfile
from orderdesk.core.regions import PROVINCE_NAMES
from orderdesk.core.uscc import is_valid_uscc
from orderdesk.customers.models import (
    Attachment,
    Contact,
    CreditFile,
    Customer,
    CustomerType,
    Grade,
    GradeTerms,
    Interaction,
    InteractionKind,
    Need,
    SourceChannel,
)
from orderdesk.demo import data
from orderdesk.demo.generators import generate_customers
from orderdesk.demo.loader import (
    CREDIT_REASON,
    DEMO_USERS,
    SOURCE_CHANNELS,
    TERRITORIES,
    load_demo,
)
from tests.factories.customers import make_customer

REFERENCE = dt.datetime.combine(data.REFERENCE_DATE, dt.time(), tzinfo=ZoneInfo(data.TIME_ZONE))


def audit_entries(model, action):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), action=action
    )


def owner_by_province():
    return {province: username for username, names in TERRITORIES.items() for province in names}


def test_the_default_demo_has_200_customers_over_20_provinces_with_contacts_grades_and_interactions(
    db,
):
    result = load_demo()

    customers = list(Customer.objects.prefetch_related("contacts", "interactions"))
    assert result.customers_created == len(customers) == 200
    provinces = {customer.province for customer in customers}
    assert len(provinces) >= 20
    assert provinces <= set(PROVINCE_NAMES)
    for customer in customers:
        contacts = list(customer.contacts.all())
        active = [contact for contact in contacts if contact.left_on is None]
        assert contacts
        assert [contact.is_primary for contact in active].count(True) == 1
        assert is_valid_uscc(customer.uscc)
        assert 1 <= len(customer.interactions.all()) <= 4
    grades = Counter(CreditFile.objects.values_list("grade", flat=True))
    assert set(grades) == set(Grade.values)
    assert sum(grades.values()) == 200
    assert 0.2 <= grades["A"] / 200 <= 0.4
    assert 0.35 <= grades["B"] / 200 <= 0.55
    assert 0.15 <= grades["C"] / 200 <= 0.35
    statuses = Counter(customer.status for customer in customers)
    assert statuses["active"] > 100
    assert statuses["prospect"] > 0
    assert statuses["dormant"] > 0
    assert 1 <= statuses["blacklisted"] <= 2
    assert Contact.objects.filter(left_on__isnull=False).exists()
    assert Need.objects.exists()
    assert Attachment.objects.exists()
    assert audit_entries(Customer, "create_customer").count() == 200


def test_customers_are_stored_as_generated(db):
    result = load_demo(customers=15, products=0, seed=5)

    assert result.customers_created == 15
    for record in result.customers:
        customer = Customer.objects.get(uscc=record.uscc)
        home = record.registered_address
        assert customer.name == record.name
        assert customer.type == CustomerType.COMPANY
        assert (customer.province, customer.city, customer.district, customer.address) == (
            home.province,
            home.city,
            home.district,
            home.detail,
        )
        assert customer.tax_number == record.uscc
        assert customer.bank_account == record.bank_account
        assert customer.status == record.status
        assert customer.first_product == record.first_product
        assert customer.expected_amount == record.expected_amount
        assert customer.source_channel in SourceChannel.values
        assert sorted(customer.contacts.values_list("name", "mobile")) == sorted(
            (contact.name, contact.mobile) for contact in record.contacts
        )
        assert customer.addresses.count() == len(record.addresses) - 1
        assert customer.addresses.filter(is_default=True).count() == 1
        assert sorted(customer.needs.values_list("text", flat=True)) == sorted(record.needs)
        assert list(
            customer.interactions.order_by("happened_at").values_list("happened_at", "summary")
        ) == [(item.happened_at, item.summary) for item in record.interactions]


def test_codes_come_from_the_numbering_rule_in_generation_order(db):
    result = load_demo(customers=15, products=0, seed=5)

    stored = list(Customer.objects.order_by("code").values_list("code", "name", "uscc"))
    assert [(name, uscc) for _code, name, uscc in stored] == [
        (record.name, record.uscc) for record in generate_customers(15, seed=5)
    ]
    assert [(name, uscc) for _code, name, uscc in stored] == [
        (record.name, record.uscc) for record in result.customers
    ]
    prefix = f"{CompanyProfile.objects.get(pk=1).abbreviation}{timezone.localdate():%Y}"
    assert [code for code, _name, _uscc in stored] == [f"{prefix}{n:04d}" for n in range(1, 16)]


def test_a_second_run_adds_no_customers_whatever_the_seed(db):
    load_demo(customers=10, products=0)
    counts = [model.objects.count() for model in (Customer, Contact, Interaction, Need, AuditEntry)]

    again = load_demo(customers=10, products=0)
    other_seed = load_demo(customers=25, products=0, seed=8)

    assert again.customers_created == 0
    assert other_seed.customers_created == 0
    assert [
        model.objects.count() for model in (Customer, Contact, Interaction, Need, AuditEntry)
    ] == counts


def test_no_customers_are_loaded_into_a_database_that_has_customers(db, make_user):
    seller = make_user("seller9", "sales")
    make_customer(seller)

    result = load_demo(customers=10, products=0)

    assert result.customers_created == 0
    assert Customer.objects.count() == 1


def test_customers_belong_to_the_salesperson_of_their_territory(db):
    load_demo(customers=15, products=0)

    territory = owner_by_province()
    owners = Counter()
    for customer in Customer.objects.select_related("owner"):
        assert customer.owner.username == territory[customer.province]
        owners[customer.owner.username] += 1
    assert set(owners) == set(TERRITORIES)


def test_the_owner_creates_notes_and_logs_their_customers(db):
    load_demo(customers=15, products=0)

    for customer in Customer.objects.select_related("owner"):
        created = audit_entries(Customer, "create_customer").get(object_id=str(customer.pk))
        assert created.actor == customer.owner
        assert set(customer.needs.values_list("recorded_by", flat=True)) <= {customer.owner_id}
        assert set(customer.interactions.values_list("recorded_by", flat=True)) == {
            customer.owner_id
        }


def test_every_demo_province_has_one_territory_held_by_a_demo_salesperson():
    salespeople = {spec.username for spec in DEMO_USERS if spec.role == "sales"}
    assigned = [province for names in TERRITORIES.values() for province in names]

    assert set(TERRITORIES) == salespeople
    assert len(assigned) == len(set(assigned))
    assert {province.name for province in data.PROVINCES} == set(assigned)


def test_generated_source_channels_map_onto_the_customer_choices():
    for value, _label in data.SOURCE_CHANNELS:
        assert SOURCE_CHANNELS.get(value, value) in SourceChannel.values


def test_grades_are_set_by_finance_with_the_demo_reason(db):
    result = load_demo(customers=15, products=0)

    finance = User.objects.get(username="finance1")
    terms = {row.grade: row.payment_terms for row in GradeTerms.objects.all()}
    graded = [record for record in result.customers if record.grade != "C"]
    assert graded
    for record in result.customers:
        credit = CreditFile.objects.get(customer__uscc=record.uscc)
        assert credit.grade == record.grade
        assert credit.payment_terms == terms[record.grade]
        entries = audit_entries(CreditFile, "set_credit").filter(object_id=str(credit.pk))
        if record in graded:
            assert credit.credit_limit == record.credit_limit
            assert credit.graded_by == finance
            entry = entries.get()
            assert entry.actor == finance
            assert entry.reason == CREDIT_REASON
            assert entry.changes["grade"] == ["C", record.grade]
        else:
            assert not entries.exists()


def test_contacts_who_left_are_kept_marked_with_the_reason_and_hand_over_the_primary_role(db):
    result = load_demo(customers=15, products=0)

    departures = [(record, d) for record in result.customers for d in record.departures]
    assert any(departure.contact == 0 for _record, departure in departures)
    assert len(departures) >= 5
    for record, departure in departures:
        person = record.contacts[departure.contact]
        contact = Contact.objects.get(customer__uscc=record.uscc, mobile=person.mobile)
        assert contact.left_on == departure.left_on
        assert not contact.is_primary
        entry = audit_entries(Contact, "mark_contact_left").get(object_id=str(contact.pk))
        assert entry.reason == departure.reason
        others = Contact.objects.filter(customer=contact.customer, left_on__isnull=True)
        assert others.filter(is_primary=True).count() == 1


def test_interactions_lie_in_the_twelve_months_before_the_reference_date(db):
    load_demo(customers=15, products=0)

    interactions = list(Interaction.objects.select_related("contact"))
    assert {item.kind for item in interactions} <= set(InteractionKind.values)
    for item in interactions:
        assert REFERENCE - dt.timedelta(days=365) <= item.happened_at < REFERENCE
        assert item.contact.customer_id == item.customer_id
        assert item.person == item.contact.name
        if item.contact.left_on is not None:
            assert item.happened_at.date() < item.contact.left_on


def test_some_interactions_keep_a_fax_scan_or_an_e_mail_in_the_storage(db):
    load_demo(customers=15, products=0)

    attachments = list(Attachment.objects.select_related("interaction"))
    assert attachments
    for attachment in attachments:
        content = attachment.file.read()
        assert len(content) == attachment.size > 0
        if attachment.name.endswith(".png"):
            assert attachment.interaction.kind == "fax"
            assert content.startswith(b"\x89PNG")
            assert attachment.content_type == "image/png"
        else:
            assert attachment.interaction.kind == "email"
            assert attachment.interaction.summary in content.decode()


def test_a_salesperson_who_left_the_sales_role_hands_over_their_territory(db, make_user):
    make_user("sales1", "finance")

    load_demo(customers=15, products=0)

    territory = owner_by_province()
    owners = Customer.objects.values_list("province", "owner__username")
    handed_over = {owner for province, owner in owners if territory[province] == "sales1"}
    assert "sales1" not in {owner for _province, owner in owners}
    assert handed_over == {"sales2"}


def test_summary_names_the_customers_and_their_provinces(db):
    out = io.StringIO()

    result = load_demo(customers=12, products=3, stdout=out)

    provinces = {record.registered_address.province for record in result.customers}
    assert f"Customers created: 12 in {len(provinces)} provinces" in out.getvalue()
    again = io.StringIO()
    load_demo(customers=12, products=3, stdout=again)
    assert "No customers loaded" in again.getvalue()


@pytest.mark.parametrize("count", [0, 1])
def test_small_counts_load_exactly_that_many(db, count):
    result = load_demo(customers=count, products=0)

    assert result.customers_created == count
    assert Customer.objects.count() == count

"""Creating and changing customer records (客户档案)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from orderdesk.core import audit, numbering, permissions
from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.core.reasons import require_reason

from .. import selectors
from ..errors import DuplicateUscc, PossibleDuplicate
from ..models import Address, Contact, CreditFile, Customer, Grade, GradeTerms
from ..validation import (
    CUSTOMER_FIELDS,
    clean_address,
    clean_contact,
    clean_customer,
    raise_if,
)

AUDITED_CUSTOMER_FIELDS = CUSTOMER_FIELDS


def create_customer(
    values: Mapping[str, Any],
    *,
    contacts: Sequence[Mapping[str, Any]] = (),
    addresses: Sequence[Mapping[str, Any]] = (),
    by: Any,
    confirm_duplicates: bool = False,
) -> Customer:
    """Open a customer record with its contacts and delivery addresses (新客户建档).

    The code comes from the ``customer`` numbering rule. The same USCC as a live customer
    is refused; the same normalised name or contact mobile must be confirmed
    (``confirm_duplicates``) so sales look before they create a second record.
    """
    permissions.require(by, "customers.create_customers")
    values = {"owner": by, **values}
    check_owner(values["owner"], by)
    customer = Customer()
    errors = clean_customer(customer, values)
    contact_rows, contact_errors = build_contacts(contacts)
    address_rows, address_errors = build_addresses(addresses)
    raise_if(errors | contact_errors | address_errors)
    check_duplicates(customer, contact_rows, confirm_duplicates=confirm_duplicates)
    with transaction.atomic():
        insert_customers([(customer, contact_rows, address_rows)], by=by)
    return customer


NewCustomer = tuple[Customer, Sequence[Contact], Sequence[Address]]


def insert_customers(rows: Sequence[NewCustomer], *, by: Any) -> list[Customer]:
    """Save validated customers with their contacts, addresses, credit files and audit
    entries: one numbering draw and a few bulk inserts for any number of rows.

    The one write path for new customers (the form, the API and imports); callers validate
    and check duplicates first, inside the caller's transaction.
    """
    customers = [customer for customer, _contacts, _addresses in rows]
    codes = numbering.next_numbers("customer", len(customers))
    for customer, code in zip(customers, codes, strict=True):
        customer.code = code
    try:
        with transaction.atomic():
            Customer.objects.bulk_create(customers, batch_size=500)
    except IntegrityError as error:
        # Another user saved the same USCC meanwhile: the unique constraint decides.
        usccs = [customer.uscc for customer in customers if customer.uscc]
        if existing := Customer.objects.filter(uscc__in=usccs).exclude(uscc="").first():
            raise uscc_conflict(existing) from error
        raise
    contacts, addresses = [], []
    for customer, customer_contacts, customer_addresses in rows:
        for contact in customer_contacts:
            contact.customer = customer
            contacts.append(contact)
        for address in customer_addresses:
            address.customer = customer
            addresses.append(address)
    Contact.objects.bulk_create(contacts, batch_size=500)
    Address.objects.bulk_create(addresses, batch_size=500)
    open_credit_files(customers)
    audit.record_many(
        [
            (customer, "create_customer", creation_changes(customer, customer_contacts))
            for customer, customer_contacts, _addresses in rows
        ],
        by=by,
    )
    return customers


def creation_changes(customer: Customer, contacts: Sequence[Contact]) -> dict[str, Any]:
    fields = audit.snapshot(customer, ("code", *AUDITED_CUSTOMER_FIELDS))
    changes = {name: (None, value) for name, value in fields.items() if value not in ("", None)}
    return changes | {"contacts": (None, [contact.name for contact in contacts])}


def update_customer(
    customer: Customer, values: Mapping[str, Any], *, by: Any, reason: str
) -> Customer:
    """Change a customer's data; every change states why (变更原因)."""
    reason = require_reason(reason)
    require_edit(by, customer)
    if "owner" in values:
        check_owner(values["owner"], by)
    with transaction.atomic():
        customer = selectors.lock_customer(customer.pk)
        before = audit.snapshot(customer, AUDITED_CUSTOMER_FIELDS)
        raise_if(clean_customer(customer, values))
        changes = audit.diff(before, audit.snapshot(customer, AUDITED_CUSTOMER_FIELDS))
        if "uscc" in changes and customer.uscc:
            duplicate = selectors.find_duplicates(
                name="", uscc=customer.uscc, mobiles=(), exclude=customer.pk
            ).uscc
            if duplicate:
                raise uscc_conflict(duplicate)
        if changes:
            customer.save()
            audit.record(customer, "update_customer", by=by, changes=changes, reason=reason)
    return customer


def add_address(
    customer: Customer, values: Mapping[str, Any], *, by: Any, reason: str = ""
) -> Address:
    require_edit(by, customer)
    address = Address(customer=customer)
    raise_if(clean_address(address, values))
    with transaction.atomic():
        selectors.lock_customer(customer.pk)
        if address.is_default:
            customer.addresses.update(is_default=False)
        address.save()
        audit.record(
            customer, "add_address", by=by, reason=reason, changes={"address": (None, str(address))}
        )
    return address


def remove_address(address: Address, *, by: Any, reason: str) -> None:
    reason = require_reason(reason)
    require_edit(by, address.customer)
    with transaction.atomic():
        selectors.lock_customer(address.customer_id)
        audit.record(
            address.customer,
            "remove_address",
            by=by,
            reason=reason,
            changes={"address": (str(address), None)},
        )
        address.delete()


# --- shared pieces ------------------------------------------------------------------------


def require_edit(by: Any, customer: Customer) -> None:
    if not selectors.can_edit(by, customer):
        raise NotAllowed(_("You may not change this customer."), code="customer_not_editable")


def check_owner(owner: Any, by: Any) -> None:
    """Sales create and keep customers for themselves; managers assign within their team."""
    if owner is None or not getattr(owner, "is_active", False):
        raise ValidationFailed(
            _("Choose an active salesperson as owner."),
            fields={"owner": _("Unknown or inactive user.")},
        )
    if owner == by or permissions.has(by, selectors.ALL):
        return
    if permissions.has(by, selectors.TEAM) and owner.pk in selectors.team_of(by):
        return
    raise NotAllowed(
        _("You may only assign customers to yourself or your team."),
        code="owner_not_allowed",
        fields={"owner": _("Not in your team.")},
    )


def build_contacts(rows: Sequence[Mapping[str, Any]]) -> tuple[list[Contact], dict[str, str]]:
    contacts: list[Contact] = []
    errors: dict[str, str] = {}
    for index, row in enumerate(rows):
        contact = Contact()
        errors |= clean_contact(contact, row, prefix=f"contacts.{index}.")
        contacts.append(contact)
    primaries = [contact for contact in contacts if contact.is_primary]
    if len(primaries) > 1:
        errors["contacts"] = _("Only one contact can be the primary contact.")
    elif contacts and not primaries:
        contacts[0].is_primary = True
    return contacts, errors


def build_addresses(rows: Sequence[Mapping[str, Any]]) -> tuple[list[Address], dict[str, str]]:
    addresses: list[Address] = []
    errors: dict[str, str] = {}
    for index, row in enumerate(rows):
        address = Address()
        errors |= clean_address(address, row, prefix=f"addresses.{index}.")
        addresses.append(address)
    if addresses and not any(address.is_default for address in addresses):
        addresses[0].is_default = True
    return addresses, errors


def check_duplicates(
    customer: Customer, contacts: Sequence[Contact], *, confirm_duplicates: bool
) -> None:
    report = selectors.find_duplicates(
        name=customer.name, uscc=customer.uscc, mobiles=[contact.mobile for contact in contacts]
    )
    if report.uscc:
        raise uscc_conflict(report.uscc)
    if report.similar and not confirm_duplicates:
        names = "、".join(f"{c.code} {c.name}" for c, _reason in report.similar)
        raise PossibleDuplicate(
            _("Possible duplicate of %(names)s. Check them, then confirm to create anyway.")
            % {"names": names},
            matches=report.describe(),
            fields={"confirm_duplicates": _("Confirm that this is a different customer.")},
        )


def uscc_conflict(existing: Customer) -> DuplicateUscc:
    return DuplicateUscc(
        _("Customer %(code)s %(name)s already has this unified social credit code.")
        % {"code": existing.code, "name": existing.name},
        fields={
            "uscc": _("Already used by %(code)s %(name)s.")
            % {"code": existing.code, "name": existing.name}
        },
    )


def open_credit_files(customers: Sequence[Customer]) -> None:
    """New customers start at grade C (full prepayment) until finance grades them."""
    terms = GradeTerms.objects.filter(grade=Grade.C).first()
    CreditFile.objects.bulk_create(
        [
            CreditFile(
                customer=customer,
                grade=Grade.C,
                payment_terms=terms.payment_terms if terms else "",
                credit_limit=terms.default_credit_limit if terms else 0,
            )
            for customer in customers
        ],
        batch_size=500,
    )

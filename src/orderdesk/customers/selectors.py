"""Reads for customers: who may see which customer, search, duplicates, and masking.

Ownership rule (seed 000 §二(六), MISSION §11): a salesperson sees their own customers, a
sales manager their team's (everyone who reports to them, directly or not), customer
service, finance, after-sales and the general manager see all. Personal data (contact
mobiles, bank accounts) is masked without ``view_personal_data``; each unmasked view is
written to the access log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from orderdesk.core import access, permissions
from orderdesk.core.errors import NotAllowed, NotFound
from orderdesk.core.models import AuditEntry

from . import normalize
from .models import Contact, CreditFile, Customer

OWN = "customers.view_own_customers"
TEAM = "customers.view_team_customers"
ALL = "customers.view_all_customers"
EDIT = "customers.edit_customers"
PERSONAL = "customers.view_personal_data"
CREDIT = "customers.view_credit_file"
SORTS = {
    "code": "code",
    "-code": "-code",
    "name": "name_key",
    "-name": "-name_key",
    # Creation order is primary-key order: sorting by the key lets the database walk the
    # table newest-first and stop at the first page instead of sorting every match.
    "created": "id",
    "-created": "-id",
    "province": "province",
}


def team_of(user: Any) -> list[int]:
    """The user and everyone below them in the supervisor tree."""
    user_model = get_user_model()
    team, frontier = {user.pk}, {user.pk}
    while frontier:
        frontier = (
            set(user_model.objects.filter(supervisor__in=frontier).values_list("pk", flat=True))
            - team
        )
        team |= frontier
    return sorted(team)


def customers_visible_to(user: Any) -> QuerySet[Customer]:
    """Live (not merged-away) customers this user may see."""
    customers = Customer.objects.filter(merged_into__isnull=True)
    if permissions.has(user, ALL):
        return customers
    if permissions.has(user, TEAM):
        return customers.filter(owner__in=team_of(user))
    if permissions.has(user, OWN):
        return customers.filter(owner=user)
    return customers.none()


def customer_for(user: Any, customer_id: int) -> Customer:
    """One customer the user may see; missing and hidden look the same (404)."""
    customer = (
        customers_visible_to(user).select_related("owner", "credit").filter(pk=customer_id).first()
    )
    if customer is None:
        raise NotFound(_("No such customer."), code="customer_not_found")
    return customer


def can_edit(user: Any, customer: Customer) -> bool:
    return (
        permissions.has(user, EDIT) and customers_visible_to(user).filter(pk=customer.pk).exists()
    )


def can_see_credit(user: Any) -> bool:
    return permissions.has(user, CREDIT)


def can_see_personal_data(user: Any) -> bool:
    return permissions.has(user, PERSONAL)


def search(
    user: Any,
    *,
    q: str = "",
    grade: str = "",
    province: str = "",
    owner: str = "",
    status: str = "",
    sort: str = "-created",
) -> QuerySet[Customer]:
    """The list page, the API list and the export all start here."""
    customers = customers_visible_to(user).select_related("owner", "credit")
    if q := q.strip():
        customers = customers.filter(matches(q))
    if grade and can_see_credit(user):  # else the filter would reveal grades
        customers = customers.filter(credit__grade=grade)
    if province:
        customers = customers.filter(province__startswith=province)
    if owner:
        customers = customers.filter(owner__username=owner)
    if status:
        customers = customers.filter(status=status)
    order = SORTS.get(sort, "-id")
    return customers.order_by(*dict.fromkeys((order, "-id")))


def matches(q: str) -> Q:
    """Code, name (normalised, or pinyin initials), USCC, contact name or phone.

    The query's shape picks the columns, so each search touches few of them: digits look
    in contacts' phone numbers, Latin letters in codes and pinyin initials (which keep
    Latin letters, so "abb" finds ABB（中国）有限公司), anything else in names.
    """
    condition = Q(code=q.upper())
    if len(q) == 18:
        condition |= Q(uscc=q.upper())
    digits = normalize.normalize_mobile(q)
    if len(digits) >= 4 and digits == re.sub(r"[\s+\-]", "", q):
        # Contacts' mobiles and phones (the issue's "contact name or phone").
        contacts = Contact.objects.filter(Q(mobile__contains=digits) | Q(phone__contains=digits))
        return condition | Q(pk__in=contacts.values("customer_id"))
    if q.isascii() and q.replace(" ", "").isalnum():
        initials = q.replace(" ", "").lower()
        # A range instead of LIKE 'x%' so both SQLite and PostgreSQL use the index.
        return condition | Q(pinyin__gte=initials, pinyin__lt=initials + "{")
    # Chinese has no letter case: plain LIKE spares the database an UPPER() on every row.
    if any(char.isascii() and char.isalpha() for char in q):
        condition |= Q(short_name__icontains=q) | Q(name__icontains=q)
    else:
        condition |= Q(short_name__contains=q) | Q(name__contains=q)
    if (key := normalize.name_key(q)) and key != q:
        condition |= Q(name_key__contains=key)
    return condition | Q(pk__in=Contact.objects.filter(name=q).values("customer_id"))


@dataclass
class DuplicateReport:
    uscc: Customer | None = None
    similar: list[tuple[Customer, str]] = field(default_factory=list)

    def describe(self) -> list[dict[str, Any]]:
        return [
            {"id": customer.pk, "code": customer.code, "name": customer.name, "reason": reason}
            for customer, reason in self.similar
        ]


def find_duplicates(
    *, name: str, uscc: str, mobiles: Sequence[str], exclude: int | None = None
) -> DuplicateReport:
    """Existing live customers with the same USCC, normalised name or contact mobile."""
    live = Customer.objects.filter(merged_into__isnull=True)
    if exclude is not None:
        live = live.exclude(pk=exclude)
    report = DuplicateReport()
    if uscc:
        # The partial unique index's own condition, so SQLite uses the index.
        report.uscc = live.exclude(uscc="").filter(uscc=uscc).first()
    seen: set[int] = set()
    if key := normalize.name_key(name):
        for customer in live.filter(name_key=key)[:5]:
            report.similar.append((customer, "same_name"))
            seen.add(customer.pk)
    numbers = [number for number in mobiles if number]
    if numbers:
        for customer in live.filter(contacts__mobile__in=numbers).distinct()[:5]:
            if customer.pk not in seen:
                report.similar.append((customer, "same_mobile"))
    return report


def mask_or_log(
    customers: Iterable[Customer], user: Any, *, channel: str, contacts: bool = True
) -> list[Customer]:
    """Mask personal data in these (unsaved, display-only) instances, or log that the user
    saw it unmasked. Every page, API response and export passes through here."""
    customers = list(customers)
    # Masking edits the cached contacts, so they must be the ones the caller renders.
    prefetch_related_objects(customers, "contacts")
    if can_see_personal_data(user):
        if customers:
            access.record_views(customers, by=user, what="personal_data", channel=channel)
        return customers
    for customer in customers:
        customer.bank_account = normalize.mask_account(customer.bank_account)
        if contacts:
            for contact in customer.contacts.all():
                contact.mobile = normalize.mask_mobile(contact.mobile)
        customer._masked = True  # type: ignore[attr-defined]
    return customers


def lock_customer(customer_id: int) -> Customer:
    return Customer.objects.select_for_update().get(pk=customer_id)


def lock_customers(*customer_ids: int) -> list[Customer]:
    """Lock in primary-key order, so two merges never deadlock."""
    return list(Customer.objects.select_for_update().filter(pk__in=customer_ids).order_by("pk"))


def history(customer: Customer) -> QuerySet[AuditEntry]:
    """The customer's timeline: changes to the record, its contacts and its credit file."""
    types = ContentType.objects.get_for_models(
        Customer, Contact, CreditFile, for_concrete_models=False
    )
    contact_ids = [
        str(pk) for pk in Contact.objects.filter(customer=customer).values_list("pk", flat=True)
    ]
    credit_ids = [
        str(pk) for pk in CreditFile.objects.filter(customer=customer).values_list("pk", flat=True)
    ]
    return AuditEntry.objects.filter(
        Q(content_type=types[Customer], object_id=str(customer.pk))
        | Q(content_type=types[Contact], object_id__in=contact_ids)
        | Q(content_type=types[CreditFile], object_id__in=credit_ids)
    ).select_related("content_type")


# Audited fields that hold personal data: the history masks them like the record itself.
PERSONAL_FIELDS = {"mobile": normalize.mask_mobile, "bank_account": normalize.mask_account}


def history_for(
    user: Any, customer: Customer, *, channel: str, limit: int = 100, offset: int = 0
) -> list[AuditEntry]:
    """The timeline as this user may see it: personal data in the changes masked without
    ``view_personal_data`` (the entries are display copies and can never be saved)."""
    entries = list(history(customer)[offset : offset + limit])
    if can_see_personal_data(user):
        access.record_view(customer, by=user, what="personal_data", channel=channel)
        return entries
    for entry in entries:
        entry.changes = {
            name: [
                PERSONAL_FIELDS[name](value) if isinstance(value, str) else value
                for value in values
            ]
            if name in PERSONAL_FIELDS and isinstance(values, list)
            else values
            for name, values in (entry.changes or {}).items()
        }
    return entries


def log_credit_views(customers: Sequence[Customer], user: Any, *, channel: str) -> None:
    """Record that ``user`` saw these customers' credit files (lists and exports)."""
    credits = [
        credit
        for customer in customers
        if (credit := getattr(customer, "credit", None)) is not None
    ]
    if credits and can_see_credit(user):
        access.record_views(credits, by=user, what="credit_file", channel=channel)


def credit_file_for(user: Any, customer: Customer, *, channel: str) -> CreditFile:
    """The customer's credit file for finance, sales managers and the general manager;
    each view is written to the access log (credit data is confidential, MISSION §11)."""
    if not can_see_credit(user):
        raise NotAllowed(
            _("Only finance, sales managers and the general manager see credit files."),
            code="permission_denied",
        )
    credit = CreditFile.objects.filter(customer=customer).first()
    if credit is None:
        raise NotFound(_("This customer has no credit file yet."), code="credit_file_not_found")
    access.record_view(credit, by=user, what="credit_file", channel=channel)
    return credit

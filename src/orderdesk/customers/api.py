"""REST endpoints for customers at /api/v1/customers (issue 3, capability 10).

Every endpoint parses input, fetches the customer through ``selectors.customer_for`` (one 404
for missing and hidden), calls one service and renders. Every customer shown passes through
``selectors.mask_or_log(channel="api")``: mobiles and bank accounts are masked for roles
without ``view_personal_data``, and unmasked views are written to the access log. Credit
fields (``grade``, ``credit_limit``, ``payment_terms``) are ``null`` for roles without
``view_credit_file``; ``/credit`` answers them with 403.

Creating POSTs accept an ``Idempotency-Key`` header, handled for the whole API by
``core.idempotency.IdempotencyMiddleware``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.errors import HttpError

from orderdesk.core import permissions
from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.core.models import AuditEntry

from . import selectors, services
from .models import Attachment, Contact, CreditFile, Customer, Interaction
from .schemas import (
    ContactAddIn,
    ContactChangeIn,
    ContactLeftIn,
    ContactOut,
    CreditIn,
    CreditOut,
    CustomerChangeIn,
    CustomerDetailOut,
    CustomerFilter,
    CustomerIn,
    CustomerListOut,
    HistoryEntryOut,
    InteractionIn,
    InteractionOut,
    MergeIn,
    NeedIn,
    NeedOut,
    ReasonIn,
)

router = Router(tags=["customers"])

MANAGE_CREDIT = "customers.manage_credit"
MERGE = "customers.merge_customers"


# --- customers ------------------------------------------------------------------------------


@router.get("", response=CustomerListOut, summary="List and search customers you may see")
def list_customers(request: HttpRequest, filters: Query[CustomerFilter]) -> dict[str, Any]:
    user = request.user
    customers = selectors.search(
        user,
        q=filters.q,
        grade=filters.grade,
        province=filters.province,
        owner=filters.owner,
        status=filters.status,
        sort=filters.sort,
    )
    page = selectors.mask_or_log(
        customers[filters.offset : filters.offset + filters.limit], user, channel="api"
    )
    credit_visible = selectors.can_see_credit(user)
    return {
        "count": customers.count(),
        "items": [customer_out(customer, credit_visible=credit_visible) for customer in page],
    }


@router.post(
    "",
    response={201: CustomerDetailOut},
    summary="Create a customer (409 on a duplicate USCC or a possible duplicate)",
)
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status[dict[str, Any]]:
    """Retries are safe with an ``Idempotency-Key`` header (core.idempotency)."""
    user: Any = request.user
    values = payload.dict(exclude={"contacts", "addresses", "confirm_duplicates", "owner"})
    if payload.owner:
        values["owner"] = user_named(payload.owner)
    customer = services.create_customer(
        values,
        contacts=[contact.dict() for contact in payload.contacts],
        addresses=[address.dict() for address in payload.addresses],
        by=user,
        confirm_duplicates=payload.confirm_duplicates,
    )
    return Status(201, customer_detail(user, customer.pk))


@router.get("/{customer_id}", response=CustomerDetailOut, summary="One customer, in full")
def get_customer(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    return customer_detail(request.user, customer_id)


@router.patch(
    "/{customer_id}",
    response=CustomerDetailOut,
    summary="Change a customer (only the fields sent; a reason is required)",
)
def update_customer(
    request: HttpRequest, customer_id: int, payload: CustomerChangeIn
) -> dict[str, Any]:
    user = request.user
    customer = selectors.customer_for(user, customer_id)
    values = payload.dict(exclude_unset=True, exclude={"reason", "owner"})
    if payload.owner:
        values["owner"] = user_named(payload.owner)
    services.update_customer(customer, values, by=user, reason=payload.reason)
    return customer_detail(user, customer_id)


@router.post(
    "/{customer_id}/merge",
    response=CustomerDetailOut,
    summary="Merge the customer merged_id INTO this one (managers)",
)
def merge_customer(request: HttpRequest, customer_id: int, payload: MergeIn) -> dict[str, Any]:
    user = request.user
    survivor = selectors.customer_for(user, customer_id)
    merged = selectors.customer_for(user, payload.merged_id)
    services.merge_customers(survivor, merged, by=user, reason=payload.reason)
    return customer_detail(user, customer_id)


@router.get(
    "/{customer_id}/history",
    response=list[HistoryEntryOut],
    summary="The change history of the customer, its contacts and credit file, newest first",
)
def customer_history(
    request: HttpRequest, customer_id: int, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    user = request.user
    customer = selectors.customer_for(user, customer_id)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    entries = selectors.history_for(user, customer, channel="api", limit=limit, offset=offset)
    return [history_entry(entry) for entry in entries]


# --- contacts -------------------------------------------------------------------------------


@router.get("/{customer_id}/contacts", response=list[ContactOut], summary="Contacts")
def list_contacts(request: HttpRequest, customer_id: int) -> list[dict[str, Any]]:
    customer = shown(request.user, selectors.customer_for(request.user, customer_id))
    return [contact_out(contact) for contact in customer.contacts.all()]


@router.post("/{customer_id}/contacts", response={201: ContactOut}, summary="Add a contact")
def add_contact(
    request: HttpRequest, customer_id: int, payload: ContactAddIn
) -> Status[dict[str, Any]]:
    user = request.user
    customer = selectors.customer_for(user, customer_id)
    contact = services.add_contact(
        customer, payload.dict(exclude={"reason"}), by=user, reason=payload.reason
    )
    return Status(201, shown_contact(user, customer, contact.pk))


@router.patch(
    "/{customer_id}/contacts/{contact_id}",
    response=ContactOut,
    summary="Change a contact (only the fields sent; a reason is required)",
)
def update_contact(
    request: HttpRequest, customer_id: int, contact_id: int, payload: ContactChangeIn
) -> dict[str, Any]:
    user = request.user
    customer = selectors.customer_for(user, customer_id)
    contact = get_object_or_404(Contact, pk=contact_id, customer=customer)
    services.update_contact(
        contact,
        payload.dict(exclude_unset=True, exclude={"reason"}),
        by=user,
        reason=payload.reason,
    )
    return shown_contact(user, customer, contact_id)


@router.post(
    "/{customer_id}/contacts/{contact_id}/left",
    response=ContactOut,
    summary="Mark that a contact left (kept for history; may name the new primary contact)",
)
def mark_contact_left(
    request: HttpRequest, customer_id: int, contact_id: int, payload: ContactLeftIn
) -> dict[str, Any]:
    user = request.user
    customer = selectors.customer_for(user, customer_id)
    contact = get_object_or_404(Contact, pk=contact_id, customer=customer)
    new_primary = None
    if payload.new_primary is not None:
        new_primary = customer.contacts.filter(pk=payload.new_primary).first()
        if new_primary is None:
            raise ValidationFailed(
                _("Choose an active contact of this customer."),
                fields={"new_primary": _("Not a contact of this customer.")},
            )
    services.mark_contact_left(
        contact, by=user, reason=payload.reason, left_on=payload.left_on, new_primary=new_primary
    )
    return shown_contact(user, customer, contact_id)


# --- credit file ----------------------------------------------------------------------------


@router.get(
    "/{customer_id}/credit",
    response=CreditOut,
    summary="The credit file (finance, sales managers, general manager)",
)
def get_credit(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    customer = selectors.customer_for(request.user, customer_id)
    credit = selectors.credit_file_for(request.user, customer, channel="api")
    return credit_out(request.user, credit)


@router.put(
    "/{customer_id}/credit",
    response=CreditOut,
    summary="Set grade, limit and terms by hand (with a reason)",
)
def set_credit(request: HttpRequest, customer_id: int, payload: CreditIn) -> dict[str, Any]:
    user = request.user
    customer = credit_customer(user, customer_id)
    credit = services.set_credit(
        customer,
        grade=payload.grade,
        credit_limit=payload.credit_limit,
        payment_terms=payload.payment_terms,
        by=user,
        reason=payload.reason,
    )
    return credit_out(user, credit)


@router.post(
    "/{customer_id}/credit/evaluate",
    response=CreditOut,
    summary="Score the customer's history and propose a grade",
)
def evaluate_credit(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    user = request.user
    customer = credit_customer(user, customer_id)
    return credit_out(user, credit_service("evaluate_credit")(customer, by=user))


@router.post(
    "/{customer_id}/credit/apply",
    response=CreditOut,
    summary="Apply the proposed grade (with a reason)",
)
def apply_credit_proposal(
    request: HttpRequest, customer_id: int, payload: ReasonIn
) -> dict[str, Any]:
    user = request.user
    customer = credit_customer(user, customer_id)
    credit = credit_service("apply_credit_proposal")(customer, by=user, reason=payload.reason)
    return credit_out(user, credit)


# --- needs and interactions -----------------------------------------------------------------


@router.get("/{customer_id}/needs", response=list[NeedOut], summary="Needs and preferences")
def list_needs(request: HttpRequest, customer_id: int) -> list[dict[str, Any]]:
    customer = selectors.customer_for(request.user, customer_id)
    return [need_out(need) for need in customer.needs.select_related("recorded_by")]


@router.post("/{customer_id}/needs", response={201: NeedOut}, summary="Record a need")
def record_need(request: HttpRequest, customer_id: int, payload: NeedIn) -> Status[dict[str, Any]]:
    user = request.user
    customer = selectors.customer_for(user, customer_id)
    need = services.record_need(customer, payload.text, by=user)
    return Status(201, need_out(need))


@router.get(
    "/{customer_id}/interactions",
    response=list[InteractionOut],
    summary="Interaction log (calls, visits, e-mails, chats, faxes), newest first",
)
def list_interactions(
    request: HttpRequest, customer_id: int, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    customer = selectors.customer_for(request.user, customer_id)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    interactions = interactions_of(customer)[offset : offset + limit]
    return [interaction_out(interaction) for interaction in interactions]


@router.post(
    "/{customer_id}/interactions",
    response={201: InteractionOut},
    summary="Log an interaction (multipart: the fields and any number of `attachments`)",
)
def record_interaction(
    request: HttpRequest,
    customer_id: int,
    payload: Form[InteractionIn],
    attachments: File[list[UploadedFile] | None] = None,
) -> Status[dict[str, Any]]:
    user = request.user
    customer = selectors.customer_for(user, customer_id)
    contact = None
    if payload.contact is not None:
        contact = customer.contacts.filter(pk=payload.contact).first()
        if contact is None:
            raise ValidationFailed(
                _("Please correct the marked fields."),
                fields={"contact": _("Choose a contact of this customer.")},
            )
    happened_at = payload.happened_at
    if happened_at is not None and timezone.is_naive(happened_at):
        happened_at = timezone.make_aware(happened_at)  # the company's time zone
    interaction = services.record_interaction(
        customer,
        {
            "kind": payload.kind,
            "happened_at": happened_at,
            "contact": contact,
            "person": payload.person,
            "summary": payload.summary,
        },
        by=user,
        files=attachments or [],
    )
    return Status(201, interaction_out(interactions_of(customer).get(pk=interaction.pk)))


@router.get(
    "/{customer_id}/attachments/{attachment_id}",
    url_name="customer_attachment",
    summary="Download an interaction attachment",
)
def download_attachment(request: HttpRequest, customer_id: int, attachment_id: int) -> FileResponse:
    customer = selectors.customer_for(request.user, customer_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, interaction__customer=customer)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )


# --- rendering ------------------------------------------------------------------------------


def customer_out(customer: Customer, *, credit_visible: bool) -> dict[str, Any]:
    """A customer already passed through ``mask_or_log`` (its contacts are the masked ones)."""
    credit: CreditFile | None = getattr(customer, "credit", None) if credit_visible else None
    return {
        "id": customer.pk,
        "code": customer.code,
        "name": customer.name,
        "short_name": customer.short_name,
        "type": customer.type,
        "industry": customer.industry,
        "business_scope": customer.business_scope,
        "uscc": customer.uscc,
        "phone": customer.phone,
        "website": customer.website,
        "province": customer.province,
        "city": customer.city,
        "district": customer.district,
        "address": customer.address,
        "invoice_title": customer.invoice_title,
        "tax_number": customer.tax_number,
        "bank_name": customer.bank_name,
        "bank_account": customer.bank_account,
        "cooperation_intent": customer.cooperation_intent,
        "first_product": customer.first_product,
        "expected_amount": amount(customer.expected_amount),
        "source_channel": customer.source_channel,
        "status": customer.status,
        "owner": customer.owner.username,
        "grade": credit.grade if credit else None,
        "credit_limit": amount(credit.credit_limit) if credit else None,
        "payment_terms": credit.payment_terms if credit else None,
        "contacts": [contact_out(contact) for contact in customer.contacts.all()],
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def customer_detail(user: Any, customer_id: int) -> dict[str, Any]:
    customer = shown(user, selectors.customer_for(user, customer_id))
    can_edit = selectors.can_edit(user, customer)
    return {
        **customer_out(customer, credit_visible=selectors.can_see_credit(user)),
        "addresses": [
            {
                "id": address.pk,
                "label": address.label,
                "province": address.province,
                "city": address.city,
                "district": address.district,
                "detail": address.detail,
                "receiver": address.receiver,
                "receiver_phone": address.receiver_phone,
                "is_default": address.is_default,
            }
            for address in customer.addresses.all()
        ],
        "can_edit": can_edit,
        "actions": customer_actions(user, customer, can_edit=can_edit),
    }


def customer_actions(user: Any, customer: Customer, *, can_edit: bool) -> list[str]:
    """Hints for clients: what this user may try (the services decide)."""
    actions = ["update", "add_contact", "record_need", "record_interaction"] if can_edit else []
    if selectors.can_see_credit(user):
        actions.append("view_credit")
        actions += credit_actions(user, getattr(customer, "credit", None))
    if permissions.has(user, MERGE):
        actions.append("merge")
    return actions


def credit_actions(user: Any, credit: CreditFile | None) -> list[str]:
    """For users who see the credit file: evaluating needs only that; grading needs more."""
    actions = ["evaluate_credit"]
    if permissions.has(user, MANAGE_CREDIT):
        actions.append("set_credit")
        if credit is not None and credit.proposed_grade:
            actions.append("apply_credit_proposal")
    return actions


def shown(user: Any, customer: Customer) -> Customer:
    [customer] = selectors.mask_or_log([customer], user, channel="api")
    return customer


def shown_contact(user: Any, customer: Customer, contact_id: int) -> dict[str, Any]:
    customer = shown(user, Customer.objects.get(pk=customer.pk))
    return contact_out(next(c for c in customer.contacts.all() if c.pk == contact_id))


def contact_out(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "name": contact.name,
        "title": contact.title,
        "mobile": contact.mobile,
        "phone": contact.phone,
        "email": contact.email,
        "notes": contact.notes,
        "is_primary": contact.is_primary,
        "left_on": contact.left_on,
        "has_left": contact.has_left,
    }


def credit_customer(user: Any, customer_id: int) -> Customer:
    customer = selectors.customer_for(user, customer_id)
    if not selectors.can_see_credit(user):
        raise NotAllowed(
            _("Only finance, sales managers and the general manager see credit files."),
            code="permission_denied",
        )
    return customer


def credit_out(user: Any, credit: CreditFile) -> dict[str, Any]:
    return {
        "grade": credit.grade,
        "credit_limit": amount(credit.credit_limit),
        "payment_terms": credit.payment_terms,
        "proposed_grade": credit.proposed_grade,
        "proposed_score": amount(credit.proposed_score),
        "evaluation": credit.evaluation or {},
        "evaluated_at": credit.evaluated_at,
        "graded_at": credit.graded_at,
        "graded_by": credit.graded_by.username if credit.graded_by else None,
        "actions": credit_actions(user, credit),
    }


def credit_service(name: str) -> Any:
    """The grade evaluation services, looked up when called (they live in services.credit)."""
    from .services import credit

    function = getattr(credit, name, None)
    if function is None:
        raise HttpError(501, _("The credit evaluation is not available yet."))
    return function


def history_entry(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "at": entry.at,
        "actor": entry.actor_name,
        "action": entry.action,
        "object_type": entry.content_type.model,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes or {},
        "reason": entry.reason,
    }


def need_out(need: Any) -> dict[str, Any]:
    return {
        "id": need.pk,
        "text": need.text,
        "recorded_by": need.recorded_by.username,
        "created_at": need.created_at,
    }


def interactions_of(customer: Customer) -> QuerySet[Interaction]:
    return customer.interactions.select_related("recorded_by").prefetch_related("attachments")


def interaction_out(interaction: Interaction) -> dict[str, Any]:
    customer_id = interaction.customer_id
    return {
        "id": interaction.pk,
        "kind": interaction.kind,
        "happened_at": interaction.happened_at,
        "contact": interaction.contact_id,
        "person": interaction.person,
        "summary": interaction.summary,
        "recorded_by": interaction.recorded_by.username,
        "created_at": interaction.created_at,
        "attachments": [
            {
                "id": attachment.pk,
                "name": attachment.name,
                "size": attachment.size,
                "content_type": attachment.content_type,
                "url": reverse(
                    "api-1:customer_attachment",
                    kwargs={"customer_id": customer_id, "attachment_id": attachment.pk},
                ),
            }
            for attachment in interaction.attachments.all()
        ],
    }


def amount(value: Any) -> str | None:
    return None if value is None else str(value)


# --- input helpers --------------------------------------------------------------------------


def user_named(username: str) -> Any:
    """The owner named in the request, or a 422 naming the ``owner`` field."""
    owner = get_user_model().objects.filter(username=username).first()
    if owner is None:
        raise ValidationFailed(
            _("Choose an active salesperson as owner."),
            code="invalid_customer",
            fields={"owner": _("Unknown user: %s.") % username},
        )
    return owner

"""Order revisions (订单版本): numbered snapshots of an order and the customer's acknowledgement
of each revised confirmation.

- :func:`snapshot` is the order as a change can touch it — the header fields a change request
  may change, number, status, version, totals and every line — in JSON (amounts, quantities and
  rates as decimal strings, dates ISO), so a revision reads the same whatever happens to the
  order, its products or its lines later.
- v1 is the order as approved (:func:`ensure_base_revision`, made before the first change is
  applied); each applied change request adds the next one (:func:`record_revision`).
- :func:`diff` compares two snapshots: header fields and totals, and lines matched by their
  id (changed fields, lines added, lines removed); :func:`effect` is what the customer cares
  about — the total and the promised date, before and after.
- The revised confirmation (PDF of the revision, ``documents.py``) goes to the customer's
  contact with a link (:func:`send_acknowledgement`); the customer acknowledges it on the
  public page (:func:`acknowledge_by_token`) or staff note an acknowledgement received by
  phone or otherwise (:func:`record_acknowledgement`).

Each write is one transaction with its audit entry on the order.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from orderdesk.accounts.selectors import system_user
from orderdesk.core import audit, permissions
from orderdesk.core.errors import Conflict, NotFound, ValidationFailed
from orderdesk.core.money import yuan
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.documents import day, person, plain_number
from orderdesk.orders.models import ConfirmationStatus, Order, OrderLine, OrderStatus, PaymentMethod
from orderdesk.orders.services.confirmation import (
    clean_name_note,
    company_name,
    customer_mail,
    recipients,
    send,
)

from .models import AcknowledgementStatus, ChangeRequest, OrderRevision

SEND = "orders.enter_orders"
"""Sales and customer service send revised confirmations and record acknowledgements, as
they do for the first confirmation."""
HEADER_FIELDS = (
    "requested_date",
    "promised_date",
    "delivery_province",
    "delivery_city",
    "delivery_district",
    "delivery_address",
    "consignee",
    "consignee_phone",
    "payment_method",
    "payment_terms",
)
"""The order fields a change request may change (README, ``proposal["header"]``)."""
DATE_FIELDS = frozenset({"requested_date", "promised_date"})
TOTALS = (("net", "net_amount"), ("tax", "tax_amount"), ("gross", "total_amount"))
LINE_FIELDS = (
    "product",
    "quantity",
    "unit",
    "unit_price",
    "discount_percent",
    "tax_rate",
    "line_total",
)
"""What :func:`diff` compares on a line kept from one revision to the next."""
NUMBERS = frozenset({"quantity", "unit_price", "discount_percent", "tax_rate", "line_total"})
A = AcknowledgementStatus


# --- snapshots ------------------------------------------------------------------------------


def snapshot(order: Order) -> dict[str, Any]:
    """The order now, as a revision keeps it (JSON-safe)."""
    return {
        "number": order.number,
        "status": order.status,
        "version": order.version,
        "header": {field: plain(getattr(order, field)) for field in HEADER_FIELDS},
        "totals": {key: str(getattr(order, field)) for key, field in TOTALS},
        "lines": [line_snapshot(line) for line in order.lines.order_by("line_no")],
    }


def line_snapshot(line: OrderLine) -> dict[str, Any]:
    return {
        "line_id": line.pk,
        "line_no": line.line_no,
        "product_id": line.product_id,
        "sku": line.sku,
        "name": line.name,
        "spec": line.spec,
        "unit": line.unit,
        "quantity": str(line.quantity),
        "list_price": str(line.list_price),
        "unit_price": str(line.unit_price),
        "discount_percent": str(line.discount_percent),
        "tax_rate": str(line.tax_rate),
        "net_amount": str(line.net_amount),
        "tax_amount": str(line.tax_amount),
        "line_total": str(line.line_total),
        "note": line.note,
    }


def plain(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# --- differences ----------------------------------------------------------------------------


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed from snapshot ``before`` to ``after``: one item per header field, line
    field, added or removed line and total, in the order a reader checks them (status and
    header, lines by number, totals last).

    Each item: ``where`` ("header" or "line"), ``change`` ("changed", "added", "removed"),
    ``line_id``, ``line_no``, ``sku``, ``field``, ``label`` (translated), ``before`` and
    ``after`` (the stored values) and ``shown`` (both as a person reads them)."""
    items: list[dict[str, Any]] = []
    if before.get("status") != after.get("status"):
        items.append(
            header_item(
                "status", status_label(before.get("status")), status_label(after.get("status"))
            )
            | {"before": before.get("status"), "after": after.get("status")}
        )
    old_header, new_header = before.get("header") or {}, after.get("header") or {}
    for field in HEADER_FIELDS:
        old, new = old_header.get(field), new_header.get(field)
        if (old or None) != (new or None):
            items.append(
                header_item(field, shown_header(field, old), shown_header(field, new))
                | {"before": old, "after": new}
            )
    items += line_changes(before.get("lines") or [], after.get("lines") or [])
    old_totals, new_totals = before.get("totals") or {}, after.get("totals") or {}
    for key, field in TOTALS:
        old, new = old_totals.get(key), new_totals.get(key)
        if number(old) != number(new):
            items.append(header_item(field, money(old), money(new)) | {"before": old, "after": new})
    return items


def header_item(field: str, shown_before: str, shown_after: str) -> dict[str, Any]:
    return {
        "where": "header",
        "change": "changed",
        "line_id": None,
        "line_no": None,
        "sku": "",
        "field": field,
        "label": field_label(Order, field),
        "shown": [shown_before, shown_after],
    }


def line_changes(old_lines: list[dict[str, Any]], new_lines: list[dict[str, Any]]) -> list[dict]:
    """Lines matched by id: a kept line's changed fields, removed lines, added lines — in
    line-number order."""
    old_by_id = {line["line_id"]: line for line in old_lines}
    new_by_id = {line["line_id"]: line for line in new_lines}
    items: list[tuple[int, int, dict[str, Any]]] = []
    for line in old_lines:
        kept = new_by_id.get(line["line_id"])
        if kept is None:
            items.append((line["line_no"], 1, line_item(line, "removed", None, line)))
            continue
        for field in LINE_FIELDS:
            old, new = line_value(line, field), line_value(kept, field)
            changed = number(old) != number(new) if field in NUMBERS else old != new
            if changed:
                item = line_item(kept, "changed", field, None) | {
                    "before": old,
                    "after": new,
                    "shown": [shown_line(line, field), shown_line(kept, field)],
                }
                items.append((kept["line_no"], 0, item))
    for line in new_lines:
        if line["line_id"] not in old_by_id:
            items.append((line["line_no"], 2, line_item(line, "added", None, line)))
    items.sort(key=lambda entry: (entry[0], entry[1]))
    return [item for _no, _rank, item in items]


def line_item(
    line: dict[str, Any], change: str, field: str | None, whole: dict[str, Any] | None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "where": "line",
        "change": change,
        "line_id": line["line_id"],
        "line_no": line["line_no"],
        "sku": line["sku"],
        "field": field or "line",
        "label": field_label(OrderLine, field) if field else change_label(change),
    }
    if whole is not None:
        summary = line_summary(whole)
        item |= {
            "before": whole if change == "removed" else None,
            "after": whole if change == "added" else None,
            "shown": [summary, "—"] if change == "removed" else ["—", summary],
        }
    return item


def line_value(line: dict[str, Any], field: str) -> Any:
    if field == "product":
        return " ".join(part for part in (line["sku"], line["name"], line["spec"]) if part)
    return line.get(field)


def shown_line(line: dict[str, Any], field: str) -> str:
    value = line_value(line, field)
    if field == "quantity":
        return f"{plain_number(Decimal(value))} {line['unit']}"
    if field in ("unit_price", "line_total"):
        return money(value)
    if field == "discount_percent":
        return f"{plain_number(Decimal(value))}%"
    if field == "tax_rate":
        return f"{plain_number(Decimal(value) * 100)}%"
    return str(value or "—")


def line_summary(line: dict[str, Any]) -> str:
    """ "SKU name spec, 5 台 × ¥113.00 = ¥565.00"."""
    product = " ".join(part for part in (line["sku"], line["name"], line["spec"]) if part)
    return _("{product}, {quantity} {unit} × {price} = {total}").format(
        product=product,
        quantity=plain_number(Decimal(line["quantity"])),
        unit=line["unit"],
        price=money(line["unit_price"]),
        total=money(line["line_total"]),
    )


def shown_header(field: str, value: Any) -> str:
    if not value:
        return "—"
    if field == "payment_method" and value in PaymentMethod.values:
        return str(PaymentMethod(value).label)
    return str(value)


def status_label(value: Any) -> str:
    return str(OrderStatus(value).label) if value in OrderStatus.values else str(value or "—")


def field_label(model: type[Order] | type[OrderLine], field: str) -> str:
    if field == "product":
        return _("Product / specification")
    return capfirst(str(getattr(model._meta.get_field(field), "verbose_name", field)))


def change_label(change: str) -> str:
    return _("Line added") if change == "added" else _("Line removed")


def number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except ArithmeticError:
        return None


def money(value: Any) -> str:
    amount = number(value)
    return yuan(amount) if amount is not None else "—"


def effect(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """The effect on price and date of going from ``before`` to ``after``: totals, the
    difference, the promised (and requested) date before and after, and one sentence."""
    old_total = number(((before or {}).get("totals") or {}).get("gross"))
    new_total = number((after.get("totals") or {}).get("gross"))
    difference = (new_total or Decimal(0)) - (old_total or Decimal(0))
    old_header, new_header = (before or {}).get("header") or {}, after.get("header") or {}
    dates = {
        field: [old_header.get(field), new_header.get(field)]
        for field in ("promised_date", "requested_date")
    }
    price_changed = before is not None and difference != 0
    date_changed = before is not None and dates["promised_date"][0] != dates["promised_date"][1]
    parts = []
    if price_changed:
        parts.append(
            _("the total goes from {before} to {after} ({difference})").format(
                before=money(old_total),
                after=money(new_total),
                difference=("+" if difference > 0 else "") + yuan(difference),
            )
        )
    else:
        parts.append(_("the total stays {total}").format(total=money(new_total)))
    if date_changed:
        parts.append(
            _("the promised delivery date moves from {before} to {after}").format(
                before=dates["promised_date"][0] or "—", after=dates["promised_date"][1] or "—"
            )
        )
    else:
        parts.append(
            _("the promised delivery date stays {date}").format(
                date=dates["promised_date"][1] or "—"
            )
        )
    cancelled = after.get("status") == OrderStatus.CANCELLED and (
        before is None or before.get("status") != OrderStatus.CANCELLED
    )
    sentence = "; ".join(parts)
    if cancelled:
        sentence = _("The order is cancelled.")
    return {
        "total": [str(old_total) if old_total is not None else None, str(new_total)],
        "shown_total": [money(old_total), money(new_total)],
        "difference": str(difference),
        "shown_difference": ("+" if difference > 0 else "") + yuan(difference),
        "price_changed": price_changed,
        "promised_date": dates["promised_date"],
        "requested_date": dates["requested_date"],
        "date_changed": date_changed,
        "cancelled": cancelled,
        "text": capfirst(sentence) + ("" if sentence.endswith(".") else "."),
    }


# --- reads ----------------------------------------------------------------------------------


def revisions_of(order: Order) -> list[OrderRevision]:
    return list(
        OrderRevision.objects.filter(order=order)
        .select_related("change_request", "created_by")
        .order_by("number")
    )


def previous(revision: OrderRevision) -> OrderRevision | None:
    return (
        OrderRevision.objects.filter(order_id=revision.order_id, number__lt=revision.number)
        .order_by("-number")
        .first()
    )


def is_latest(revision: OrderRevision) -> bool:
    return not OrderRevision.objects.filter(
        order_id=revision.order_id, number__gt=revision.number
    ).exists()


def changes_since_previous(revision: OrderRevision) -> tuple[list[dict[str, Any]], dict]:
    """What this revision changed and its effect on price and date, against the one before."""
    before = previous(revision)
    old = before.snapshot if before is not None else None
    return (diff(old, revision.snapshot) if old is not None else []), effect(old, revision.snapshot)


def revision_for_token(token: str) -> OrderRevision:
    """The revision an acknowledgement link points to; a wrong link is a 404."""
    token = (token or "").strip()
    revision = (
        OrderRevision.objects.select_related("order", "order__customer", "order__salesperson")
        .filter(ack_token=token)
        .first()
        if 20 <= len(token) <= 64
        else None
    )
    if revision is None:
        raise NotFound(
            _("This link is not valid. Please contact your salesperson."),
            code="acknowledgement_link_invalid",
        )
    return revision


def public_url(revision: OrderRevision) -> str:
    path = reverse("changes:acknowledge_public", args=[revision.ack_token])
    return f"{settings.ORDERDESK_BASE_URL}{path}"


# --- writes ---------------------------------------------------------------------------------


def ensure_base_revision(order: Order, *, by: Any) -> OrderRevision:
    """v1: the order as approved, recorded once, before its first change is applied. Its
    acknowledgement is the order's own confirmation (订单确认书), copied from the order."""
    with transaction.atomic():
        locked = order_selectors.lock_order(order.pk)
        first = OrderRevision.objects.filter(order=locked).order_by("number").first()
        if first is not None:
            return first
        confirmed = locked.confirmation_status == ConfirmationStatus.CONFIRMED
        revision = OrderRevision.objects.create(
            order=locked,
            number=1,
            snapshot=snapshot(locked),
            created_by=by,
            ack_status=A.ACKNOWLEDGED
            if confirmed
            else A.SENT
            if locked.confirmation_status == ConfirmationStatus.SENT
            else A.NOT_SENT,
            sent_at=locked.confirmation_sent_at,
            acknowledged_at=locked.confirmed_at if confirmed else None,
            acknowledged_by_name=locked.confirmed_by_name if confirmed else "",
            ack_note=locked.confirmation_note if confirmed else "",
        )
        audit.record(
            locked,
            "revision_recorded",
            by=by,
            changes={"revision": (None, 1)},
            reason=_("The order as approved, before its first change."),
        )
    return revision


def record_revision(order: Order, request: ChangeRequest | None, *, by: Any) -> OrderRevision:
    """The next revision: the order as it is now, after ``request`` was applied. The caller
    records the base revision (:func:`ensure_base_revision`) before changing the order."""
    with transaction.atomic():
        locked = order_selectors.lock_order(order.pk)
        last = OrderRevision.objects.filter(order=locked).order_by("-number").first()
        if last is None:
            raise RuntimeError("record the base revision before applying the first change")
        revision = OrderRevision.objects.create(
            order=locked,
            number=last.number + 1,
            snapshot=snapshot(locked),
            change_request=request,
            created_by=by,
        )
        audit.record(
            locked,
            "revision_recorded",
            by=by,
            changes={
                "revision": (last.number, revision.number),
                "change_request": (None, request.number if request else None),
            },
            reason=request.reason if request is not None else "",
        )
    return revision


def send_acknowledgement(revision: OrderRevision, *, by: Any) -> OrderRevision:
    """E-mail the revised order confirmation (PDF) to the customer's contact with a link to
    acknowledge it; the e-mail and the page state the effect on price and date.

    The latest revision only (an older one was superseded); v1 is the order's own
    confirmation, sent from the order page. Sending again re-sends the same link."""
    permissions.require(by, SEND)
    with transaction.atomic():
        order = order_selectors.lock_visible_order(by, revision.order_id)
        revision = OrderRevision.objects.select_for_update().get(pk=revision.pk)
        require_open(revision)
        to = recipients(order)
        if not to:
            raise ValidationFailed(
                _(
                    "The customer's contact has no e-mail address: add one to the contact, or "
                    "send the PDF another way and record the customer's acknowledgement."
                ),
                code="no_contact_email",
                fields={"contact_id": _("No contact with an e-mail address.")},
            )
        before = revision.ack_status
        if before == A.NOT_SENT:
            revision.ack_status = A.SENT
            revision.ack_token = secrets.token_urlsafe(32)
        revision.sent_at = timezone.now()
        revision.save(update_fields=["ack_status", "ack_token", "sent_at"])
        audit.record(
            order,
            "revision_sent" if before == A.NOT_SENT else "revision_resent",
            by=by,
            changes={
                "revision": (None, revision.number),
                "ack_status": (before, revision.ack_status),
                "sent_to": (None, ", ".join(to)),
            },
        )
        transaction.on_commit(partial(mail_revision, revision.pk, to))
    return revision


def acknowledge_by_token(token: str, *, name: str, note: str = "") -> OrderRevision:
    """The customer acknowledges the revised order on the public page of the e-mailed link.
    A second acknowledgement is a 409."""
    name, note = clean_name_note(name, note, name_required=True)
    with transaction.atomic():
        found = revision_for_token(token)
        order = order_selectors.lock_order(found.order_id)
        revision = OrderRevision.objects.select_for_update().get(pk=found.pk)
        require_open(revision)
        acknowledge(order, revision, name=name, note=note, by=system_user(), via="link")
    return revision


def record_acknowledgement(
    revision: OrderRevision, *, by: Any, name: str, note: str = ""
) -> OrderRevision:
    """Staff note the customer's acknowledgement received another way (by phone, a signed
    copy, an e-mail reply); the name defaults to the order's contact."""
    permissions.require(by, SEND)
    name, note = clean_name_note(name, note)
    with transaction.atomic():
        order = order_selectors.lock_visible_order(by, revision.order_id)
        revision = OrderRevision.objects.select_for_update().get(pk=revision.pk)
        require_open(revision)
        acknowledge(
            order,
            revision,
            name=name or order.contact_name or order.customer.name,
            note=note,
            by=by,
            via="recorded",
        )
    return revision


def require_open(revision: OrderRevision) -> None:
    """Only the latest revision after a change, not yet acknowledged, is sent or
    acknowledged."""
    if revision.number == 1:
        raise Conflict(
            _(
                "Revision 1 is the order as approved: its confirmation is sent and confirmed "
                "from the order page."
            ),
            code="base_revision",
        )
    if revision.ack_status == A.ACKNOWLEDGED:
        raise Conflict(
            _("The customer already acknowledged revision {number} on {date}.").format(
                number=revision.number,
                date=timezone.localtime(revision.acknowledged_at).strftime("%Y-%m-%d")
                if revision.acknowledged_at
                else "",
            ),
            code="already_acknowledged",
        )
    if not is_latest(revision):
        raise Conflict(
            _(
                "Revision {number} was superseded by a later change; send or acknowledge the "
                "latest revision."
            ).format(number=revision.number),
            code="revision_superseded",
        )


def acknowledge(
    order: Order, revision: OrderRevision, *, name: str, note: str, by: Any, via: str
) -> None:
    before = revision.ack_status
    revision.ack_status = A.ACKNOWLEDGED
    revision.acknowledged_at = timezone.now()
    revision.acknowledged_by_name = name[:100]
    revision.ack_note = note[:1000]
    revision.save(
        update_fields=["ack_status", "acknowledged_at", "acknowledged_by_name", "ack_note"]
    )
    audit.record(
        order,
        "revision_acknowledged",
        by=by,
        changes={
            "revision": (None, revision.number),
            "ack_status": (before, A.ACKNOWLEDGED),
            "acknowledged_by": (None, revision.acknowledged_by_name),
            "via": (None, via),
        },
        reason=revision.ack_note,
    )
    transaction.on_commit(partial(mail_acknowledged, revision.pk))


# --- mail (after commit) --------------------------------------------------------------------


def change_pairs(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The differences as (what, "before → after") pairs for an e-mail or a document."""
    pairs = []
    for item in items:
        label = str(item["label"])
        if item["where"] == "line":
            where = _("Line {number} ({sku})").format(number=item["line_no"], sku=item["sku"])
            label = f"{where} · {label}"
        pairs.append((label, f"{item['shown'][0]} → {item['shown'][1]}"))
    return pairs


def mail_revision(revision_id: int, to: list[str]) -> None:
    from .documents import revision_pdf  # documents.py imports this module

    revision = OrderRevision.objects.select_related(
        "order", "order__customer", "order__salesperson"
    ).get(pk=revision_id)
    order = revision.order
    with translation.override(settings.LANGUAGE_CODE):
        items, change = changes_since_previous(revision)
        subject = _(
            "Revised order confirmation {number}, revision {revision}, from {company}"
        ).format(number=order.number, revision=revision.number, company=company_name())
        body = _(
            "Dear {contact},\n\n"
            "your order {number} was changed. Attached is the revised order confirmation "
            "(revision {revision}).\n\n"
            "What changed:\n{changes}\n\n"
            "Effect on price and date: {effect}\n\n"
            "Please check it and acknowledge the revised order on this page:\n{url}\n\n"
            "Your salesperson: {salesperson} {email}\n{company}"
        ).format(
            contact=order.contact_name or order.customer.name,
            number=order.number,
            revision=revision.number,
            changes="\n".join(f"- {what}: {text}" for what, text in change_pairs(items)) or "—",
            effect=change["text"],
            url=public_url(revision),
            salesperson=person(order.salesperson),
            email=order.salesperson.email,
            company=company_name(),
        )
        pdf = revision_pdf(revision)
    message = customer_mail(
        order, subject, body, to, attachment=(f"{order.number}-v{revision.number}.pdf", pdf)
    )
    send(message)


def mail_acknowledged(revision_id: int) -> None:
    revision = OrderRevision.objects.select_related(
        "order", "order__customer", "order__salesperson"
    ).get(pk=revision_id)
    order = revision.order
    if not order.salesperson.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        message = EmailMessage(
            _("Order {number} revision {revision} acknowledged by {customer}").format(
                number=order.number, revision=revision.number, customer=order.customer.name
            ),
            _("{name} acknowledged revision {revision} of order {number} on {date}. {note}")
            .format(
                name=revision.acknowledged_by_name,
                revision=revision.number,
                number=order.number,
                date=day(timezone.localdate()),
                note=revision.ack_note,
            )
            .strip(),
            to=[order.salesperson.email],
        )
    send(message)

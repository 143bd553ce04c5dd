"""The credit file (信用档案): grade, limit and payment terms, set by finance or a manager."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import ValidationFailed

from .. import selectors
from ..models import CreditFile, Customer, Grade, GradeTerms
from ..validation import require_reason

MANAGE_CREDIT = "customers.manage_credit"
CREDIT_FIELDS = ("grade", "credit_limit", "payment_terms")


def set_credit(
    customer: Customer,
    *,
    grade: str,
    credit_limit: Decimal | str | None = None,
    payment_terms: str | None = None,
    by: Any,
    reason: str,
) -> CreditFile:
    """Grade a customer by hand (人工调整信用等级). Finance or a manager, with a reason.

    Without an explicit limit or terms the grade's company defaults (``GradeTerms``) apply.
    """
    permissions.require(by, MANAGE_CREDIT)
    reason = require_reason(reason)
    if grade not in Grade.values:
        raise ValidationFailed(_("Choose grade A, B or C."), fields={"grade": _("Unknown grade.")})
    limit = parse_limit(credit_limit)
    with transaction.atomic():
        selectors.lock_customer(customer.pk)
        credit = CreditFile.objects.select_for_update().get(customer=customer)
        terms = GradeTerms.objects.filter(grade=grade).first()
        before = audit.snapshot(credit, CREDIT_FIELDS)
        credit.grade = grade
        credit.credit_limit = (
            limit
            if limit is not None
            else (terms.default_credit_limit if terms else credit.credit_limit)
        )
        credit.payment_terms = (
            payment_terms
            if payment_terms is not None
            else (terms.payment_terms if terms else credit.payment_terms)
        )[:200]
        changes = audit.diff(before, audit.snapshot(credit, CREDIT_FIELDS))
        if changes:
            credit.graded_at, credit.graded_by = timezone.now(), by
            credit.save()
            audit.record(credit, "set_credit", by=by, changes=changes, reason=reason)
    return credit


def parse_limit(value: Decimal | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        limit = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as error:
        raise ValidationFailed(
            _("Enter the credit limit as an amount."), fields={"credit_limit": _("Not an amount.")}
        ) from error
    if limit < 0 or limit >= Decimal("1e12"):
        raise ValidationFailed(
            _("The credit limit must be between 0 and 999,999,999,999.99."),
            fields={"credit_limit": _("Out of range.")},
        )
    return limit

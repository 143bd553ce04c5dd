"""The credit file (信用档案): grade, limit and payment terms, the grade evaluation that
proposes a grade, and the company settings behind both (grade terms, credit policy).

Who may do what (issue 3 §3):

* **Evaluate** (``evaluate_credit``, ``evaluate_all_credit``) needs ``view_credit_file``: the
  evaluation only *proposes* a grade, so whoever may read the credit file may refresh it.
* **Apply** a proposal or **override** the grade by hand needs ``manage_credit`` (finance and
  managers) and a reason.
* **Settings** (``update_grade_terms``, ``update_credit_policy``) need ``manage_credit`` too:
  the terms and weights are credit decisions that finance and management own, not IT's
  company master data (``core.manage_company``). Every change is audited with before/after.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.reasons import require_reason

from .. import selectors
from ..calculations import POLICY_FIELDS, credit_score, on_time_share
from ..credit_history import history_for
from ..models import CreditFile, CreditPolicy, Customer, Grade, GradeTerms

MANAGE_CREDIT = "customers.manage_credit"
VIEW_CREDIT = "customers.view_credit_file"
MANAGE_CREDIT_SETTINGS = MANAGE_CREDIT
CREDIT_FIELDS = ("grade", "credit_limit", "payment_terms")
PROPOSAL_FIELDS = ("proposed_grade", "proposed_score", "evaluated_at")
GRADE_TERMS_FIELDS = ("payment_terms", "settlement_days", "deposit_percent", "default_credit_limit")
MAX_AMOUNT = Decimal("1e12")


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
        credit = lock_credit_file(customer)
        grade_credit_file(
            credit,
            grade=grade,
            credit_limit=limit,
            payment_terms=payment_terms,
            by=by,
            reason=reason,
            action="set_credit",
        )
    return credit


def apply_credit_proposal(customer: Customer, *, by: Any, reason: str) -> CreditFile:
    """Accept the evaluation's proposed grade (采纳评估建议). Finance or a manager, with a
    reason; the grade's default limit and terms (``GradeTerms``) come with it, as when the
    grade is set by hand. Refused (``no_proposal``) before the customer was evaluated.
    """
    permissions.require(by, MANAGE_CREDIT)
    reason = require_reason(reason)
    with transaction.atomic():
        credit = lock_credit_file(customer)
        if not credit.proposed_grade:
            raise ValidationFailed(
                _("Evaluate the customer's credit first; there is no proposed grade to apply."),
                code="no_proposal",
                fields={"proposed_grade": _("No evaluation yet.")},
            )
        grade_credit_file(
            credit,
            grade=credit.proposed_grade,
            credit_limit=None,
            payment_terms=None,
            by=by,
            reason=reason,
            action="apply_credit_proposal",
        )
    return credit


def evaluate_credit(customer: Customer, *, by: Any) -> CreditFile:
    """Score the customer's history and store the proposed grade (信用评估).

    The grade itself does not change: finance or a manager applies the proposal with
    :func:`apply_credit_proposal`. History comes from the registered providers
    (``credit_history``); until billing exists that may be none, and the score then rests
    on the neutral timeliness part alone.
    """
    permissions.require(by, VIEW_CREDIT)
    return evaluate_one(customer.pk, policy_values(current_policy()), by=by)


def evaluate_all_credit(*, by: Any) -> int:
    """Evaluate every live (not merged-away) customer; returns how many were evaluated.

    For the monthly job. Each customer is evaluated in its own short transaction, so the run
    never holds many locks and a re-run simply refreshes the proposals.
    """
    permissions.require(by, VIEW_CREDIT)
    values = policy_values(current_policy())
    # The ids are read first: the loop commits as it goes, which an open cursor over the
    # customer table would not survive on every database.
    customer_ids = list(
        Customer.objects.filter(merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for customer_id in customer_ids:
        evaluate_one(customer_id, values, by=by)
    return len(customer_ids)


def update_grade_terms(
    grade: str, values: Mapping[str, Any], *, by: Any, reason: str
) -> GradeTerms:
    """Change the company's terms for one grade (等级付款条件): the payment terms text,
    settlement days, deposit percent and default credit limit.

    Credit files keep the terms they were graded with; the new ones apply from the next
    time a customer is graded.
    """
    permissions.require(by, MANAGE_CREDIT_SETTINGS)
    reason = require_reason(reason)
    if grade not in Grade.values:
        raise ValidationFailed(_("Choose grade A, B or C."), fields={"grade": _("Unknown grade.")})
    cleaned, errors = clean_grade_terms(values)
    if errors:
        raise ValidationFailed(
            _("Please correct the marked fields."), code="invalid_grade_terms", fields=errors
        )
    with transaction.atomic():
        terms = GradeTerms.objects.select_for_update().filter(grade=grade).first()
        if terms is None:
            terms = GradeTerms(grade=grade)
        before = audit.snapshot(terms, GRADE_TERMS_FIELDS)
        for name, value in cleaned.items():
            setattr(terms, name, value)
        if not terms.payment_terms:
            raise ValidationFailed(
                _("Please correct the marked fields."),
                code="invalid_grade_terms",
                fields={"payment_terms": _("Describe the payment terms.")},
            )
        changes = audit.diff(before, audit.snapshot(terms, GRADE_TERMS_FIELDS))
        if changes or terms.pk is None:
            terms.save()
            audit.record(terms, "update_grade_terms", by=by, changes=changes, reason=reason)
    return terms


def update_credit_policy(values: Mapping[str, Any], *, by: Any, reason: str) -> CreditPolicy:
    """Change the weights and thresholds of the grade evaluation (信用评估规则).

    The three weights lie between 0 and 1 and add up to 1.00; the thresholds lie between 0
    and 100 with grade A's above grade B's; the full-score targets are positive. Every
    problem is named at once, by field.
    """
    permissions.require(by, MANAGE_CREDIT_SETTINGS)
    reason = require_reason(reason)
    with transaction.atomic():
        policy = current_policy(lock=True)
        before = audit.snapshot(policy, POLICY_FIELDS)
        merged, errors = clean_policy({**before, **values}, given=values)
        if errors:
            raise ValidationFailed(
                _("Please correct the marked fields."), code="invalid_credit_policy", fields=errors
            )
        for name, value in merged.items():
            setattr(policy, name, value)
        changes = audit.diff(before, audit.snapshot(policy, POLICY_FIELDS))
        if changes:
            policy.save()
            audit.record(policy, "update_credit_policy", by=by, changes=changes, reason=reason)
    return policy


# --- the pieces ------------------------------------------------------------------------------


def lock_credit_file(customer: Customer) -> CreditFile:
    """Lock the customer, then its credit file (always in this order)."""
    selectors.lock_customer(customer.pk)
    return CreditFile.objects.select_for_update().get(customer_id=customer.pk)


def grade_credit_file(
    credit: CreditFile,
    *,
    grade: str,
    credit_limit: Decimal | None,
    payment_terms: str | None,
    by: Any,
    reason: str,
    action: str,
) -> CreditFile:
    """Set grade, limit and terms on a locked credit file; what is not given comes from the
    grade's ``GradeTerms``. Audited when something changed; nothing is written otherwise."""
    terms = GradeTerms.objects.filter(grade=grade).first()
    before = audit.snapshot(credit, CREDIT_FIELDS)
    credit.grade = grade
    credit.credit_limit = (
        credit_limit
        if credit_limit is not None
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
        audit.record(credit, action, by=by, changes=changes, reason=reason)
    return credit


def evaluate_one(customer_id: int, values: Mapping[str, Any], *, by: Any) -> CreditFile:
    with transaction.atomic():
        customer = selectors.lock_customer(customer_id)
        credit = CreditFile.objects.select_for_update().get(customer_id=customer_id)
        history = history_for(customer)
        result = credit_score(history, values)
        share = on_time_share(history)
        before = audit.snapshot(credit, PROPOSAL_FIELDS)
        credit.proposed_grade = result.grade
        credit.proposed_score = result.score
        credit.evaluated_at = timezone.now()
        credit.evaluation = {
            "score": str(result.score),
            "grade": result.grade,
            "parts": {part: str(value) for part, value in result.parts.items()},
            "on_time_share": None
            if share is None
            else str(share.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)),
            "history": history.as_dict(),
            "policy": {name: str(value) for name, value in values.items()},
        }
        credit.save(update_fields=[*PROPOSAL_FIELDS, "evaluation"])
        audit.record(
            credit,
            "evaluate_credit",
            by=by,
            changes=audit.diff(before, audit.snapshot(credit, PROPOSAL_FIELDS)),
        )
    return credit


def current_policy(*, lock: bool = False) -> CreditPolicy:
    """The one policy row (pk=1; seeded by a migration, recreated with defaults if gone)."""
    policies = CreditPolicy.objects.select_for_update() if lock else CreditPolicy.objects.all()
    return policies.get_or_create(pk=1)[0]


def policy_values(policy: CreditPolicy) -> dict[str, Any]:
    return audit.snapshot(policy, POLICY_FIELDS)


def parse_limit(value: Decimal | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        limit = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as error:
        raise ValidationFailed(
            _("Enter the credit limit as an amount."), fields={"credit_limit": _("Not an amount.")}
        ) from error
    if limit < 0 or limit >= MAX_AMOUNT:
        raise ValidationFailed(
            _("The credit limit must be between 0 and 999,999,999,999.99."),
            fields={"credit_limit": _("Out of range.")},
        )
    return limit


# --- settings validation ---------------------------------------------------------------------

# field: (decimal places, lowest, highest, lowest allowed as a value?)
POLICY_RULES: dict[str, tuple[int, Decimal, Decimal, bool]] = {
    "weight_timeliness": (2, Decimal(0), Decimal(1), True),
    "weight_order_count": (2, Decimal(0), Decimal(1), True),
    "weight_order_amount": (2, Decimal(0), Decimal(1), True),
    "full_score_orders": (0, Decimal(0), Decimal(1_000_000), False),
    "full_score_amount": (2, Decimal(0), MAX_AMOUNT - Decimal("0.01"), False),
    "grade_a_from": (2, Decimal(0), Decimal(100), True),
    "grade_b_from": (2, Decimal(0), Decimal(100), True),
}
GRADE_TERMS_RULES: dict[str, tuple[int, Decimal, Decimal, bool]] = {
    "settlement_days": (0, Decimal(0), Decimal(365), True),
    "deposit_percent": (2, Decimal(0), Decimal(100), True),
    "default_credit_limit": (2, Decimal(0), MAX_AMOUNT - Decimal("0.01"), True),
}
WEIGHT_FIELDS = ("weight_timeliness", "weight_order_count", "weight_order_amount")


def clean_policy(
    values: Mapping[str, Any], *, given: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """``values`` (the current policy overlaid with ``given``) parsed and checked."""
    errors = {name: _("Unknown field.") for name in given if name not in POLICY_RULES}
    cleaned: dict[str, Any] = {}
    for name, rule in POLICY_RULES.items():
        number, problem = parse_number(values[name], *rule)
        if problem:
            errors[name] = problem
        else:
            cleaned[name] = int(number) if name == "full_score_orders" else number
    if all(name in cleaned for name in WEIGHT_FIELDS):
        total = sum((cleaned[name] for name in WEIGHT_FIELDS), start=Decimal(0))
        if total != 1:
            message = _("The three weights must add up to 1.00 (now %(total)s).") % {"total": total}
            errors.update(dict.fromkeys(WEIGHT_FIELDS, message))
    if (
        "grade_a_from" in cleaned
        and "grade_b_from" in cleaned
        and cleaned["grade_a_from"] <= cleaned["grade_b_from"]
    ):
        errors["grade_a_from"] = _("Grade A must start above grade B (%(b)s).") % {
            "b": cleaned["grade_b_from"]
        }
        errors["grade_b_from"] = _("Grade B must start below grade A (%(a)s).") % {
            "a": cleaned["grade_a_from"]
        }
    return cleaned, errors


def clean_grade_terms(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors = {name: _("Unknown field.") for name in values if name not in GRADE_TERMS_FIELDS}
    cleaned: dict[str, Any] = {}
    if "payment_terms" in values:
        text = str(values["payment_terms"] or "").strip()
        if not text:
            errors["payment_terms"] = _("Describe the payment terms.")
        elif len(text) > 200:
            errors["payment_terms"] = _("At most 200 characters.")
        elif strip_tags(text) != text:
            errors["payment_terms"] = _("Plain text only, without HTML tags.")
        else:
            cleaned["payment_terms"] = text
    for name, rule in GRADE_TERMS_RULES.items():
        if name not in values:
            continue
        number, problem = parse_number(values[name], *rule)
        if problem:
            errors[name] = problem
        else:
            cleaned[name] = int(number) if name == "settlement_days" else number
    return cleaned, errors


def parse_number(
    value: Any, places: int, lowest: Decimal, highest: Decimal, lowest_allowed: bool
) -> tuple[Decimal, str]:
    """``value`` as a Decimal with at most ``places`` decimals within the bounds, or a
    message saying what is wrong."""
    if isinstance(value, bool) or value is None or value == "":
        return Decimal(0), _("Enter a number.")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return Decimal(0), _("Enter a number.")
    if not number.is_finite():
        return Decimal(0), _("Enter a number.")
    too_low = number < lowest or (number == lowest and not lowest_allowed)
    if too_low or number > highest:
        if lowest_allowed:
            message = _("Enter a value from %(low)s to %(high)s.")
        else:
            message = _("Enter a value above %(low)s and at most %(high)s.")
        return number, message % {"low": lowest, "high": highest}
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step, rounding=ROUND_HALF_UP):
        if places == 0:
            return number, _("Enter a whole number.")
        return number, _("Use at most %(places)d decimal places.") % {"places": places}
    return number.quantize(step), ""

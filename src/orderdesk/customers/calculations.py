"""The credit score (信用评分): pure arithmetic over a customer's history, no ORM, no request.

The grade evaluation (issue 3, seed 000 §二(二)) weighs three parts, each scored 0–100:

* **timeliness**: the share of invoices paid on time, times 100. A customer with no payment
  history yet scores :data:`NEUTRAL_TIMELINESS` (50) here: nothing speaks for or against
  them, so the part neither lifts nor sinks the score. Dropping the part and re-weighting
  the others instead would let large first orders alone earn grade A before a single
  invoice was paid, which is exactly the risk the grade guards against.
* **order count**: orders placed, scaled against ``full_score_orders`` and capped at 100.
* **order amount**: the amount ordered, scaled against ``full_score_amount`` and capped.

The score is the weighted sum (weights from ``CreditPolicy``, which the settings service keeps
at a total of 1.00), clamped to 0–100 and rounded half-up to 0.01 once, at the end. The grade
compares that rounded score with the thresholds: A from ``grade_a_from``, B from
``grade_b_from``, else C, so the score shown always explains the grade proposed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .credit_history import CreditHistory

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
NEUTRAL_TIMELINESS = Decimal(50)
PARTS = ("timeliness", "order_count", "order_amount")
WEIGHTS = {
    "timeliness": "weight_timeliness",
    "order_count": "weight_order_count",
    "order_amount": "weight_order_amount",
}
# The CreditPolicy fields the score reads; the service passes them as a mapping.
POLICY_FIELDS = (
    "weight_timeliness",
    "weight_order_count",
    "weight_order_amount",
    "full_score_orders",
    "full_score_amount",
    "grade_a_from",
    "grade_b_from",
)


@dataclass(frozen=True)
class ScoreResult:
    """The score (0–100, to 0.01), the grade it earns and each part's score (0–100)."""

    score: Decimal
    grade: str
    parts: dict[str, Decimal] = field(default_factory=dict)


def credit_score(history: CreditHistory, policy_values: Mapping[str, Any]) -> ScoreResult:
    """Score ``history`` with the weights and thresholds in ``policy_values``."""
    parts = {
        "timeliness": timeliness_score(history),
        "order_count": scaled(Decimal(history.order_count), policy_values["full_score_orders"]),
        "order_amount": scaled(Decimal(history.order_amount), policy_values["full_score_amount"]),
    }
    total = sum((Decimal(policy_values[WEIGHTS[part]]) * parts[part] for part in PARTS), start=ZERO)
    score = half_up(min(max(total, ZERO), HUNDRED))
    return ScoreResult(
        score=score,
        grade=grade_for(score, policy_values),
        parts={part: half_up(value) for part, value in parts.items()},
    )


def on_time_share(history: CreditHistory) -> Decimal | None:
    """The share (0–1) of invoices paid on time; None while nothing has been paid."""
    paid = history.paid_on_time + history.paid_late
    if paid <= 0:
        return None
    return Decimal(max(history.paid_on_time, 0)) / Decimal(paid)


def timeliness_score(history: CreditHistory) -> Decimal:
    share = on_time_share(history)
    if share is None:
        return NEUTRAL_TIMELINESS
    return min(max(share, ZERO), Decimal(1)) * HUNDRED


def scaled(value: Decimal, full_score: Any) -> Decimal:
    """``value`` as 0–100 of ``full_score``, capped; a target of 0 counts as reached."""
    target = Decimal(full_score)
    if value <= 0:
        return ZERO
    if target <= 0:
        return HUNDRED
    return min(value / target, Decimal(1)) * HUNDRED


def grade_for(score: Decimal, policy_values: Mapping[str, Any]) -> str:
    """A from ``grade_a_from`` (inclusive), B from ``grade_b_from`` (inclusive), else C."""
    if score >= Decimal(policy_values["grade_a_from"]):
        return "A"
    if score >= Decimal(policy_values["grade_b_from"]):
        return "B"
    return "C"


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)

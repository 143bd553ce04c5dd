"""The model fields every business app uses for amounts, quantities and rates (STYLE §8)."""

from __future__ import annotations

from typing import Any

from django.db import models


def money(label: Any, **options: Any) -> Any:
    """An amount in yuan, exact to the fen."""
    return models.DecimalField(label, max_digits=14, decimal_places=2, **options)


def quantity(label: Any, **options: Any) -> Any:
    """A quantity in the product's unit, to three decimals (kg, m)."""
    return models.DecimalField(label, max_digits=14, decimal_places=3, **options)

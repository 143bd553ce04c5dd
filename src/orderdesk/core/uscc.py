"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

Every Chinese company, institution and association carries one 18-character code, printed on
its business licence and used as its taxpayer number on VAT invoices:

    9 1 350100 M000100Y4 3
    │ │ │      │         └ 18: check character (校验码), computed below
    │ │ │      └────────── 9–17: organisation code (主体标识码, GB 11714, with its own check)
    │ │ └───────────────── 3–8: registering authority's division code (行政区划码, GB/T 2260)
    │ └─────────────────── 2: organisation type (机构类别代码; 1 = enterprise)
    └───────────────────── 1: registration authority (登记管理部门代码; 9 = market regulation)

The character set is the digits and 21 capitals without I, O, S, V and Z, so no letter reads as
a digit. The check character: weigh the first 17 values with 3^i mod 31 (1, 3, 9, 27, 19, …),
take ``31 - sum mod 31`` and write 31 as 0. Only the format and that check are verified here;
whether a code was ever issued is for the national credit register (国家企业信用信息公示系统).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: value for value, char in enumerate(CHARSET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11714 organisation code: 8 characters weighed as below, then one check character.
ORGANIZATION_CODE_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORGANIZATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(first17: str) -> str:
    """The 18th character of the code whose first 17 characters are ``first17``."""
    if len(first17) != len(WEIGHTS) or any(char not in VALUES for char in first17):
        raise ValueError(f"Not the first 17 characters of a USCC: {first17!r}")
    total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True for 18 characters of the USCC set (capitals only) whose check character fits."""
    if not isinstance(code, str) or len(code) != 18 or any(char not in VALUES for char in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def validate_uscc(value: Any) -> None:
    """Model and form field validator: refuses anything :func:`is_valid_uscc` refuses."""
    if not is_valid_uscc(value):
        raise ValidationError(
            _(
                "Enter a valid unified social credit code: 18 digits and capital letters "
                "as printed on the business licence, e.g. 91350100M000100Y43."
            ),
            code="invalid_uscc",
            params={"value": value},
        )


def organization_code_check_char(first8: str) -> str:
    """The check character of a GB 11714 organisation code (positions 9–17 of a USCC).

    Values are 0–9 for digits and 10–35 for A–Z; the check is ``11 - sum mod 11``, where 10
    is written X and 11 is written 0.
    """
    if len(first8) != len(ORGANIZATION_CODE_WEIGHTS) or any(
        char not in ORGANIZATION_CODE_CHARSET for char in first8
    ):
        raise ValueError(f"Not the first 8 characters of an organisation code: {first8!r}")
    total = sum(
        ORGANIZATION_CODE_CHARSET.index(char) * weight
        for char, weight in zip(first8, ORGANIZATION_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))

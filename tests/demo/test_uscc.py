"""The unified social credit code check of GB 32100-2015, on codes printed on real licences."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from orderdesk.core.uscc import (
    CHARSET,
    is_valid_uscc,
    organization_code_check_char,
    uscc_check_char,
    validate_uscc,
)

REAL_CODES = ["91350100M000100Y43", "91110000802100433B"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_pass(code):
    assert is_valid_uscc(code)
    assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("code", "organization_code"),
    [("91350100M000100Y43", "M000100Y4"), ("91110000802100433B", "802100433")],
)
def test_the_organization_code_inside_real_codes_has_its_own_valid_check(code, organization_code):
    assert code[8:17] == organization_code

    assert organization_code_check_char(organization_code[:8]) == organization_code[8]


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # too short
        "91350100M000100Y433",  # too long
        "91350100m000100y43",  # lower case
        "19350100M000100Y43",  # two characters swapped
        "91350100MO00100Y43",  # O is not in the character set
        "",
    ],
)
def test_corrupted_codes_fail(code):
    assert not is_valid_uscc(code)


def test_a_code_with_a_forbidden_letter_fails_even_with_a_fitting_check():
    for letter in "IOSVZ":
        first17 = "9111000080210043" + letter

        with pytest.raises(ValueError, match="USCC"):
            uscc_check_char(first17)
        assert not any(is_valid_uscc(first17 + check) for check in CHARSET)


@settings(max_examples=50, deadline=None)
@given(
    code=st.sampled_from(REAL_CODES),
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from(CHARSET),
)
def test_every_single_character_typo_is_caught(code, position, replacement):
    typo = code[:position] + replacement + code[position + 1 :]

    assert is_valid_uscc(typo) == (typo == code)


def test_validator_accepts_a_valid_code_and_refuses_an_invalid_one():
    validate_uscc("91110000802100433B")

    with pytest.raises(ValidationError) as refused:
        validate_uscc("91110000802100433C")

    assert refused.value.code == "invalid_uscc"


def test_validator_refuses_values_that_are_not_text():
    with pytest.raises(ValidationError):
        validate_uscc(None)

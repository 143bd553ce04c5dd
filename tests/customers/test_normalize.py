import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderdesk.customers import normalize


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("杭州电子有限公司", "杭州电子"),
        ("杭州电子有限责任公司", "杭州 电子"),
        ("杭州電子有限責任公司", "杭州電子"),
        ("ＡＢＣ贸易有限公司", "abc贸易"),
        ("杭州电子（集团）有限公司", "杭州电子"),
    ],
)
def test_names_that_differ_only_in_form_share_a_key(a, b):
    assert normalize.name_key(a) == normalize.name_key(b)


def test_pinyin_initials_find_the_chinese_name():
    assert normalize.pinyin_initials("杭州电子有限公司").startswith("hzdz")


@pytest.mark.parametrize(
    "mobile", ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "１３８１２３４５６７８"]
)
def test_mobile_formats_are_accepted_and_normalised(mobile):
    assert normalize.is_valid_mobile(mobile)
    assert normalize.normalize_mobile(mobile) == "13812345678"


@pytest.mark.parametrize("mobile", ["12345678901", "0571-88886666", "1381234567", "abc"])
def test_non_mobiles_are_refused(mobile):
    assert not normalize.is_valid_mobile(mobile)


def test_masking_keeps_only_the_ends_visible():
    assert normalize.mask_mobile("13812345678") == "138****5678"
    assert normalize.mask_account("6222020200112233445") == "**** 3445"
    assert normalize.mask_mobile("") == ""


@given(st.text(alphabet="0123456789", min_size=8, max_size=20))
def test_masked_mobile_never_shows_the_middle_digits(digits):
    masked = normalize.mask_mobile(digits)

    assert len(masked) == len(digits)
    assert masked[3:-4] == "*" * (len(digits) - 7)

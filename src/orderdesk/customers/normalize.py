"""Pure text rules for customers: search keys, duplicate keys, masking, phone formats.

pypinyin turns names into pinyin initials (杭州电子 -> hzdz) so sales can type the way they
do in every Chinese IME; phonenumbers validates mobiles with the real CN numbering plan.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from pypinyin import Style, lazy_pinyin

# Legal-form suffixes ignored when comparing names, longest first; Simplified and
# Traditional spellings, since both arrive in faxes and e-mails.
LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "集团公司",
    "集團公司",
    "分公司",
    "公司",
    "集团",
    "集團",
    "厂",
    "廠",
)
PUNCTUATION = re.compile(r"[\s()（）\[\]【】·.,，、\-—_/]+")


def name_key(name: str) -> str:
    """The duplicate-detection form of a name: NFKC (full-width to half-width), no spaces or
    brackets, lower case, without a trailing legal-form suffix."""
    text = PUNCTUATION.sub("", unicodedata.normalize("NFKC", name or "")).lower()
    stripped = True
    while stripped:  # 某某（集团）有限公司 -> 某某集团 -> 某某
        stripped = False
        for suffix in LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, stripped = text[: -len(suffix)], True
                break
    return text


def pinyin_initials(name: str) -> str:
    """First letters of the pinyin of each character (Latin letters and digits kept)."""
    text = unicodedata.normalize("NFKC", name or "")
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return re.sub(r"[^a-z0-9]", "", "".join(letters).lower())


def normalize_mobile(value: str) -> str:
    """Digits only, without +86 / 0086; empty stays empty."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", value or ""))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def is_valid_mobile(value: str) -> bool:
    """A mainland mobile number per the CN numbering plan (not a landline)."""
    try:
        number = phonenumbers.parse(normalize_mobile(value), "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def is_valid_phone(value: str) -> bool:
    """A landline or mobile, with or without area code and extension (e.g. 0571-8888 8888-12)."""
    main = re.split(r"(?:转|ext\.?|x|-)\s*\d{1,6}$", (value or "").strip())[0]
    try:
        number = phonenumbers.parse(main, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


def mask_mobile(value: str) -> str:
    """138****5678: the first three and last four digits stay readable."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_account(value: str) -> str:
    """A bank account shown by its last four digits: **** **** 1234."""
    if not value:
        return ""
    return "**** " + value[-4:]

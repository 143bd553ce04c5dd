"""Pinyin initials for search keys (杭州电子 -> hzdz), shared by every app that searches names.

pypinyin knows the readings of the whole CJK range, so people can search the way they type
in a Chinese IME; Latin letters and digits are kept, so "M8 螺栓" gives "m8ls".
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

NOT_KEY = re.compile(r"[^a-z0-9]")


def initials(text: str) -> str:
    """First letters of the pinyin of each character, lower case (Latin letters and digits
    kept, everything else dropped)."""
    normalized = unicodedata.normalize("NFKC", text or "")
    letters = lazy_pinyin(normalized, style=Style.FIRST_LETTER, errors="default")
    return NOT_KEY.sub("", "".join(letters).lower())

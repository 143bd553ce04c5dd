"""The carriers and their tracking-number formats (运单号格式), in one table.

The migration seeds ``Carrier`` rows from :data:`CARRIERS`; the check itself reads the
carrier row's pattern, so a format changed here reaches the database with a migration.
Tracking numbers are compared upper-case with spaces and dashes removed.

Formats (what the carriers print on their waybills):

- SF 顺丰速运: "SF" + 12 or 13 digits (SF1234567890123).
- JD 京东物流: "JD" + 13–15 letters or digits (JDVA12345678901).
- EMS 中国邮政EMS: UPU S10 — two letters, 9 digits, two letters (EA123456789CN) — or the
  13-digit domestic number (1234567890123).
- ZTO 中通快递: 12–15 digits (73100012345678).
- YTO 圆通速递: "YT" + 13–15 digits (YT1234567890123).
- STO 申通快递: 12–15 digits (773012345678901).
- YD 韵达快递: 13–15 digits (4312345678901).
- OTHER 其他: any text (a local carrier or the customer's own truck).
"""

from __future__ import annotations

import re
from typing import NamedTuple


class CarrierSeed(NamedTuple):
    code: str
    name: str
    transit_working_days: int
    pattern: str
    example: str


CARRIERS: tuple[CarrierSeed, ...] = (
    CarrierSeed("SF", "顺丰速运", 2, r"SF\d{12,13}", "SF1234567890123"),
    CarrierSeed("JD", "京东物流", 2, r"JD[0-9A-Z]{13,15}", "JDVA12345678901"),
    CarrierSeed("EMS", "中国邮政EMS", 4, r"[A-Z]{2}\d{9}[A-Z]{2}|\d{13}", "EA123456789CN"),
    CarrierSeed("ZTO", "中通快递", 3, r"\d{12,15}", "73100012345678"),
    CarrierSeed("YTO", "圆通速递", 3, r"YT\d{13,15}", "YT1234567890123"),
    CarrierSeed("STO", "申通快递", 3, r"\d{12,15}", "773012345678901"),
    CarrierSeed("YD", "韵达快递", 3, r"\d{13,15}", "4312345678901"),
    CarrierSeed("OTHER", "其他", 3, "", ""),
)
OTHER = "OTHER"


def normalise(number: str) -> str:
    """Upper case, without spaces and dashes."""
    return re.sub(r"[\s\-]+", "", number or "").upper()


def matches(pattern: str, number: str) -> bool:
    """Whether the (normalised) ``number`` fits ``pattern``; an empty pattern takes any text."""
    if not pattern:
        return bool(number)
    try:
        return re.fullmatch(pattern, number) is not None
    except re.error:
        return True  # a broken pattern in the settings must not block shipping

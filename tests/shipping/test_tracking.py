"""Tracking-number formats per carrier: valid and invalid samples for each."""

from __future__ import annotations

import pytest

from orderdesk.shipping.models import Carrier
from orderdesk.shipping.tracking import CARRIERS, matches, normalise

pytestmark = pytest.mark.django_db

SAMPLES = {
    "SF": (
        ["SF1234567890123", "sf123456789012", "SF 1234 5678 9012"],
        ["SF12345", "1234567890123", "SFA23456789012", "JD1234567890123"],
    ),
    "JD": (
        ["JDVA12345678901", "jd0123456789012", "JDX000123456789AB"],
        ["JD123", "SF1234567890123", "JD12345678901234567"],
    ),
    "EMS": (
        ["EA123456789CN", "ea 123 456 789 cn", "1234567890123"],
        ["EA12345678CN", "E123456789CN", "123456789012"],
    ),
    "ZTO": (
        ["731000123456", "731000123456789"],
        ["73100012345", "7310001234567890", "ZT731000123456"],
    ),
    "YTO": (
        ["YT1234567890123", "yt123456789012345"],
        ["YT123456789012", "1234567890123", "YT12345678901234567"],
    ),
    "STO": (["773012345678", "773012345678901"], ["77301234567", "STO773012345678"]),
    "YD": (
        ["4312345678901", "431234567890123"],
        ["431234567890", "4312345678901234", "YD4312345678901"],
    ),
}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_each_carrier_accepts_its_format_and_refuses_others(code):
    carrier = Carrier.objects.get(code=code)
    valid, invalid = SAMPLES[code]
    for sample in valid:
        assert matches(carrier.tracking_pattern, normalise(sample)), sample
    for sample in invalid:
        assert not matches(carrier.tracking_pattern, normalise(sample)), sample
    assert matches(carrier.tracking_pattern, normalise(carrier.tracking_example))


def test_the_migration_seeds_every_carrier_with_transit_days():
    seeded = {c.code: c for c in Carrier.objects.all()}
    assert set(seeded) == {seed.code for seed in CARRIERS}
    assert seeded["SF"].name == "顺丰速运"
    assert seeded["SF"].transit_working_days == 2
    assert seeded["EMS"].transit_working_days == 4
    assert seeded["OTHER"].tracking_pattern == ""
    assert matches("", "本地车队 王师傅")

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderdesk.core.money import FEN, capital, split_tax, to_fen, yuan

amounts = st.decimals(min_value=Decimal("-1000000000"), max_value=Decimal("1000000000"), places=4)
rates = st.sampled_from([Decimal("0.13"), Decimal("0.09"), Decimal("0.06"), Decimal(0)])


def test_to_fen_rounds_half_up_away_from_zero():
    assert to_fen("0.005") == Decimal("0.01")
    assert to_fen("0.0049") == Decimal("0.00")
    assert to_fen("2.675") == Decimal("2.68")
    assert to_fen("-0.005") == Decimal("-0.01")
    assert to_fen(3) == Decimal("3.00")


@given(amounts)
def test_to_fen_has_two_places_and_moves_less_than_half_a_fen(value):
    rounded = to_fen(value)

    assert rounded.as_tuple().exponent == -2
    assert abs(rounded - value) <= FEN / 2


@given(amounts, rates)
def test_split_tax_adds_up_to_the_gross_exactly(gross, rate):
    net, tax = split_tax(gross, rate)

    assert net + tax == to_fen(gross)
    assert tax == to_fen(net * rate) or abs(tax - net * rate) <= FEN


def test_split_tax_of_113_at_13_percent():
    assert split_tax(Decimal("113"), Decimal("0.13")) == (Decimal("100.00"), Decimal("13.00"))
    assert split_tax(Decimal("10.00"), Decimal("0.13")) == (Decimal("8.85"), Decimal("1.15"))


def test_yuan_formats_with_thousands_separators():
    assert yuan(Decimal("1234567.8")) == "¥1,234,567.80"
    assert yuan(0) == "¥0.00"
    assert yuan(Decimal("-12.305")) == "-¥12.31"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.50", "伍角"),
        ("0.05", "伍分"),
        ("10.5", "壹拾元伍角"),
        ("100.05", "壹佰元零伍分"),
        ("1010", "壹仟零壹拾元整"),
        ("1001.10", "壹仟零壹元壹角"),
        ("100000", "壹拾万元整"),
        ("1234567.80", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角"),
        ("100000001", "壹亿零壹元整"),
        ("101000000", "壹亿零壹佰万元整"),
        ("10010000", "壹仟零壹万元整"),
        ("791.00", "柒佰玖拾壹元整"),
        ("-12.34", "负壹拾贰元叁角肆分"),
    ],
)
def test_capital_numerals(amount, words):
    assert capital(Decimal(amount)) == words

"""The demo data generators: valid codes and numbers, spread, and the same data per seed."""

import random
import re
from decimal import Decimal

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberType

from orderdesk.core.uscc import is_valid_uscc, organization_code_check_char
from orderdesk.demo import data
from orderdesk.demo.generators import (
    CITY_BY_CODE,
    address,
    company,
    customer,
    draw_params,
    generate_customers,
    generate_products,
    landline,
    mobile,
    person_name,
    product,
    uscc,
)

SEEDS = st.integers(min_value=0, max_value=2**63)
ALL_CITIES = [city for province in data.PROVINCES for city in province.cities]


def phone_type(number: str) -> int:
    parsed = phonenumbers.parse(number, "CN")
    assert phonenumbers.is_valid_number(parsed), number
    return phonenumbers.number_type(parsed)


@settings(max_examples=50, deadline=None)
@given(
    seed=SEEDS,
    region_code=st.sampled_from([code for city in ALL_CITIES for _, code in city.districts]),
)
def test_every_generated_uscc_is_valid(seed, region_code):
    code = uscc(random.Random(seed), region_code)

    assert is_valid_uscc(code)
    assert code[2:8] == region_code
    assert organization_code_check_char(code[8:16]) == code[16]


@settings(max_examples=50, deadline=None)
@given(seed=SEEDS)
def test_every_generated_customer_has_a_valid_code_from_its_registered_district(seed):
    record = customer(random.Random(seed), 1)

    assert is_valid_uscc(record.uscc)
    assert record.uscc[2:8] == record.registered_address.region_code


@settings(max_examples=50, deadline=None)
@given(seed=SEEDS)
def test_mobiles_are_valid_chinese_mobile_numbers(seed):
    rng = random.Random(seed)

    for _ in range(20):
        number = mobile(rng)
        assert re.fullmatch(r"1\d{10}", number)
        assert phone_type(number) == PhoneNumberType.MOBILE


def test_every_mobile_prefix_is_accepted_by_phonenumbers():
    rng = random.Random(0)

    for prefix in data.MOBILE_PREFIXES:
        for _ in range(20):
            number = prefix + "".join(str(rng.randrange(10)) for _ in range(8))
            assert phone_type(number) == PhoneNumberType.MOBILE


def test_landlines_are_valid_fixed_line_numbers_in_every_city():
    rng = random.Random(0)

    for city in ALL_CITIES:
        for _ in range(10):
            number = landline(rng, city)
            assert number.startswith(city.area_code + "-")
            assert phone_type(number) in {
                PhoneNumberType.FIXED_LINE,
                PhoneNumberType.FIXED_LINE_OR_MOBILE,
            }


def test_same_seed_gives_identical_records():
    assert generate_customers(40, seed=7) == generate_customers(40, seed=7)
    assert generate_products(40, seed=7) == generate_products(40, seed=7)
    assert company(random.Random(7)) == company(random.Random(7))


def test_different_seeds_give_different_records():
    assert generate_customers(40, seed=7) != generate_customers(40, seed=8)
    assert generate_products(40, seed=7) != generate_products(40, seed=8)


def test_asking_for_more_records_keeps_the_first_ones():
    assert generate_customers(60, seed=3)[:20] == generate_customers(20, seed=3)
    assert generate_products(60, seed=3)[:20] == generate_products(20, seed=3)


def test_generators_leave_the_global_random_state_alone():
    state = random.getstate()

    generate_customers(20, seed=1)
    generate_products(20, seed=1)

    assert random.getstate() == state


def test_200_customers_spread_over_at_least_10_provinces():
    customers = generate_customers(200, seed=2026)

    provinces = {record.registered_address.province for record in customers}
    cities = {record.registered_address.city for record in customers}
    assert len(provinces) >= 10
    assert len(cities) >= 20


def test_customers_have_unique_names_and_codes():
    customers = generate_customers(200, seed=2026)

    assert len({record.name for record in customers}) == 200
    assert len({record.uscc for record in customers}) == 200


def test_customers_are_complete_and_consistent():
    types = {value for value, _, _ in data.CUSTOMER_TYPES}
    channels = {value for value, _ in data.SOURCE_CHANNELS}

    for record in generate_customers(200, seed=2026):
        assert record.name.endswith(("有限公司", "有限责任公司"))
        assert record.short_name[:2] in record.name  # the 字号
        assert record.type in types
        assert record.source_channel in channels
        assert record.industry in data.INDUSTRIES
        assert record.business_scope
        assert record.invoice_title == record.name
        assert record.bank_name.endswith("支行")
        assert record.bank_account.isdigit()
        assert 1 <= len(record.contacts) <= 3
        assert [contact.is_primary for contact in record.contacts].count(True) == 1
        assert len({contact.name for contact in record.contacts}) == len(record.contacts)
        assert record.primary_contact is record.contacts[0]
        kinds = [entry.kind for entry in record.addresses]
        assert kinds[0] == "registered"
        assert 1 <= kinds.count("shipping") <= 2
        assert [entry.is_default for entry in record.addresses].count(True) == 1
        for entry in record.addresses[1:]:
            assert entry.receiver in {contact.name for contact in record.contacts}
            assert phone_type(entry.phone) == PhoneNumberType.MOBILE


def test_addresses_name_a_real_district_of_their_city():
    rng = random.Random(5)

    for _ in range(300):
        place = address(rng)
        city = CITY_BY_CODE[place.region_code[:4] + "00"]
        assert place.city == city.name
        assert (place.district, place.region_code) in city.districts
        assert str(place).startswith(place.province + place.city + place.district)
        assert place.detail


def test_person_names_are_chinese():
    rng = random.Random(9)

    for _ in range(200):
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", person_name(rng))


def test_company_abbreviation_is_letters_only_and_fits_the_profile():
    rng = random.Random(11)

    for _ in range(200):
        firm = company(rng)
        assert re.fullmatch(r"[A-Z]{4,10}", firm.abbreviation)
        assert firm.uscc[2:8] == firm.address.region_code


def test_company_of_a_given_trade_uses_it():
    firm = company(random.Random(1), trade="机械")

    assert "机械" in firm.name
    assert firm.industry == "通用设备制造业"


def test_company_of_an_unknown_trade_is_refused():
    with pytest.raises(ValueError, match="trade"):
        company(random.Random(1), trade="炼金")


def test_products_have_valid_tax_rates_units_prices_and_unique_skus():
    products = generate_products(300, seed=2026)
    bounds = {family.category: family.price_yuan for family in data.PRODUCT_FAMILIES}

    assert len({item.sku for item in products}) == 300
    assert {item.tax_rate for item in products} == {
        Decimal("0.13"),
        Decimal("0.09"),
        Decimal("0.06"),
    }
    assert {item.unit for item in products} == set(data.UNITS)
    for item in products:
        assert re.fullmatch(r"[A-Z]{2}-\d{5}", item.sku)
        assert item.list_price.as_tuple().exponent == -2
        low, high = bounds[item.category]
        assert low <= item.list_price <= high + 1
        assert item.lead_time_days > 0
        assert item.name
        assert item.spec
        assert item.model


def test_product_sku_carries_the_index():
    assert product(random.Random(1), 42).sku.endswith("-00042")


def test_every_product_family_template_fills_from_its_params():
    for family in data.PRODUCT_FAMILIES:
        for key, options in family.params.items():
            for option in options:
                assert len(option.split("|")) == len(key.split("|")), (family.code, option)
        rng = random.Random(family.code)
        for _ in range(50):
            values = draw_params(rng, family.params)
            assert values["unit"] in data.UNITS
            assert values["name"]
            family.spec.format_map(values)
            family.model.format_map(values)
        assert family.tax_rate in data.TAX_RATES


def test_place_lists_cover_the_country_with_real_division_codes():
    assert len(data.PROVINCES) >= 12
    assert len({city.code for city in ALL_CITIES}) == len(ALL_CITIES)
    for province in data.PROVINCES:
        assert 2 <= len(province.cities) <= 4
        assert len({city.code[:2] for city in province.cities}) == 1
        for city in province.cities:
            assert re.fullmatch(r"\d{4}00", city.code)
            assert 2 <= len(city.districts) <= 3
            for name, code in city.districts:
                assert name.endswith("区")
                assert code[:4] == city.code[:4]


def test_company_name_parts_and_people_lists_are_unique():
    for words in (data.SURNAMES, data.GIVEN_NAME_CHARS, data.STREETS, data.MOBILE_PREFIXES):
        assert len(set(words)) == len(words)
    assert len({word for word, _ in data.BRAND_WORDS}) == len(data.BRAND_WORDS)
    assert {"机械", "电子", "化工", "建材", "食品", "贸易"} <= {t.word for t in data.TRADES}

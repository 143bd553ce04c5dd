"""The demo data generators: valid codes and numbers, spread, and the same data per seed."""

import datetime as dt
import random
import re
import struct
import zlib
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberType

from orderdesk.core.regions import PROVINCES as DIVISIONS
from orderdesk.core.uscc import is_valid_uscc, organization_code_check_char
from orderdesk.customers.models import CustomerStatus, Grade, InteractionKind
from orderdesk.demo import data
from orderdesk.demo.generators import (
    CITY_BY_CODE,
    Address,
    address,
    attachment_bytes,
    company,
    customer,
    draw_params,
    generate_customers,
    generate_products,
    landline,
    mobile,
    person_name,
    product,
    scan_png,
    uscc,
)

SEEDS = st.integers(min_value=0, max_value=2**63)
ALL_CITIES = [city for province in data.PROVINCES for city in province.cities]
DIVISION_CODES = {name: code for name, _short, code in DIVISIONS}
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}
REFERENCE = dt.datetime.combine(data.REFERENCE_DATE, dt.time(), tzinfo=ZoneInfo(data.TIME_ZONE))


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


def test_200_customers_spread_over_at_least_20_provinces():
    customers = generate_customers(200, seed=2026)

    provinces = {record.registered_address.province for record in customers}
    cities = {record.registered_address.city for record in customers}
    assert len(provinces) >= 20
    assert len(cities) >= 40


@pytest.mark.parametrize("seed", [1, 7, 99])
def test_any_seed_spreads_200_customers_over_at_least_20_provinces(seed):
    customers = generate_customers(200, seed=seed)

    assert len({record.registered_address.province for record in customers}) >= 20


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
        city_part = "" if place.province in MUNICIPALITIES else place.city
        assert str(place).startswith(place.province + city_part + place.district)
        assert place.detail


def test_a_municipality_is_written_once_in_an_address():
    place = Address("上海市", "上海市", "浦东新区", "张江路88号", "310115")

    assert str(place) == "上海市浦东新区张江路88号"


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
    assert len(data.PROVINCES) >= 22
    assert len({province.name for province in data.PROVINCES}) == len(data.PROVINCES)
    assert len({city.code for city in ALL_CITIES}) == len(ALL_CITIES)
    for province in data.PROVINCES:
        assert province.name in DIVISION_CODES  # the full name the customer record stores
        assert province.weight >= 1
        if province.name in MUNICIPALITIES:
            assert [city.name for city in province.cities] == [province.name]
        else:
            assert 2 <= len(province.cities) <= 4
        assert {city.code[:2] for city in province.cities} == {DIVISION_CODES[province.name][:2]}
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


def test_bank_branches_are_named_after_the_district_without_its_suffix():
    for record in generate_customers(200, seed=2026):
        assert not record.bank_name.endswith(("区支行", "新支行"))


def test_statuses_and_grades_are_customer_choices_in_the_intended_shares():
    customers = generate_customers(200, seed=2026)

    statuses = Counter(record.status for record in customers)
    grades = Counter(record.grade for record in customers)
    assert set(statuses) == set(CustomerStatus.values)
    assert statuses["active"] > 120
    assert statuses["prospect"] >= 10
    assert statuses["dormant"] >= 10
    assert statuses["blacklisted"] == 2
    assert set(grades) == set(Grade.values)
    assert 40 <= grades["A"] <= 80
    assert 70 <= grades["B"] <= 110
    assert 30 <= grades["C"] <= 70


def test_prospects_and_blacklisted_customers_stay_at_grade_c_with_default_terms():
    for record in generate_customers(200, seed=2026):
        if record.status in {"prospect", "blacklisted"}:
            assert record.grade == "C"
        if record.grade == "C":
            assert record.credit_limit is None
        else:
            assert record.credit_limit is not None
            assert record.credit_limit % 10_000 == 0
            low, high, _step = data.CREDIT_LIMITS[record.grade]
            assert low * 10_000 <= record.credit_limit <= high * 10_000


def test_blacklisting_is_every_hundredth_customer_and_explained_last():
    customers = generate_customers(200, seed=2026)

    blacklisted = [record for record in customers if record.status == "blacklisted"]
    assert [record.index for record in blacklisted] == [47, 147]
    for record in blacklisted:
        assert record.interactions[-1].summary == data.BLACKLIST_SUMMARY


def test_interactions_lie_in_the_twelve_months_before_the_reference_date():
    for record in generate_customers(200, seed=2026):
        assert 1 <= len(record.interactions) <= 4
        times = [item.happened_at for item in record.interactions]
        assert times == sorted(times)
        for item in record.interactions:
            assert item.kind in InteractionKind.values
            assert REFERENCE - dt.timedelta(days=365) <= item.happened_at < REFERENCE
            assert item.happened_at.utcoffset() == dt.timedelta(hours=8)
            assert 8 <= item.happened_at.hour <= 17
            assert item.happened_at.hour != 12
            assert item.summary
            assert "{" not in item.summary
            assert record.contacts[item.contact].name in item.summary or (
                item.summary == data.BLACKLIST_SUMMARY
            )


def test_dormant_customers_were_last_heard_of_half_a_year_ago():
    dormant = [r for r in generate_customers(200, seed=2026) if r.status == "dormant"]

    assert dormant
    for record in dormant:
        last_day = record.interactions[-1].happened_at.date()
        assert (data.REFERENCE_DATE - last_day).days >= 180


def test_nobody_is_spoken_to_after_they_left():
    customers = generate_customers(200, seed=2026)

    departures = [(r, d) for r in customers for d in r.departures]
    assert len(departures) >= 10
    assert any(departure.contact == 0 for _record, departure in departures)  # a primary
    for record, departure in departures:
        assert len(record.contacts) >= 2
        assert departure.left_on < data.REFERENCE_DATE
        assert departure.reason in data.DEPARTURE_REASONS
        for item in record.interactions:
            if item.contact == departure.contact:
                assert item.happened_at.date() < departure.left_on


def test_needs_intent_and_expected_amount_are_filled_from_the_lists():
    customers = generate_customers(200, seed=2026)

    assert sum(len(record.needs) for record in customers) >= 100
    for record in customers:
        assert len(set(record.needs)) == len(record.needs) <= 2
        assert set(record.needs) <= set(data.NEEDS)
        assert record.first_product in record.cooperation_intent
        assert "{" not in record.cooperation_intent
        assert Decimal(20_000) <= record.expected_amount <= Decimal(1_200_000)


def test_faxes_come_with_a_scan_and_some_e_mails_with_the_text():
    customers = generate_customers(200, seed=2026)
    items = [(record, item) for record in customers for item in record.interactions]

    faxes = [item for _record, item in items if item.kind == "fax"]
    mails = [item for _record, item in items if item.attachment.endswith(".txt")]
    assert faxes
    assert all(item.attachment.endswith(".png") for item in faxes)
    assert mails
    assert all(item.kind == "email" for item in mails)
    for record, item in items:
        if item.attachment.endswith(".txt"):
            text = attachment_bytes(record, item).decode()
            assert item.summary in text
            assert record.contacts[item.contact].email in text


def png_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG, after checking its signature, chunk CRCs and pixel data."""
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(content):
        (length,) = struct.unpack(">I", content[position : position + 4])
        tag = content[position + 4 : position + 8]
        body = content[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", content[position + 8 + length : position + 12 + length])
        assert zlib.crc32(tag + body) == crc
        chunks[tag] = body
        position += 12 + length
    assert list(chunks) == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 0)
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * (width + 1)
    return width, height


def test_fax_scans_are_well_formed_png_images():
    content = scan_png(random.Random(3))

    assert png_size(content) == (160, 100)
    assert scan_png(random.Random(3)) == content
    assert len(content) < 20_000


def test_every_interaction_template_names_the_contact_and_fills_from_the_product_lists():
    units = set(data.QUANTITIES)
    for templates in (data.INTERACTION_SUMMARIES, data.PROSPECT_SUMMARIES):
        assert set(templates) == set(InteractionKind.values)
        for kind, texts in templates.items():
            for text in texts:
                assert "{contact}" in text, (kind, text)
                text.format(contact="王伟", product="减速机", quantity=2, unit="台")
    assert set(data.UNITS) <= units  # every unit has quantities

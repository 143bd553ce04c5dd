"""Generators of realistic Chinese company data for demos and tests.

Each function takes a ``random.Random`` and returns plain frozen dataclasses: no database, no
global random state, so the same seed always gives the same company, customers and products.
A customer comes with the story of the relationship up to ``data.REFERENCE_DATE``: status,
credit grade, needs, interactions and contacts who left. ``loader`` persists the customers;
the catalog issue will persist the products.

Faker's zh_CN provider was not used: it has no unified social credit codes, no product specs,
does not tie an address to its division code, and its word lists change between releases,
which would break "same seed, same data".
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from orderdesk.core.uscc import CHARSET, organization_code_check_char, uscc_check_char

from . import data
from .data import City, Province

CITY_BY_CODE: dict[str, City] = {
    city.code: city for province in data.PROVINCES for city in province.cities
}
PROVINCE_BY_CITY_CODE: dict[str, Province] = {
    city.code: province for province in data.PROVINCES for city in province.cities
}
TRADE_BY_WORD: dict[str, data.Trade] = {trade.word: trade for trade in data.TRADES}
DEMO_ZONE = ZoneInfo(data.TIME_ZONE)
OFFICE_HOURS = (8, 9, 10, 11, 13, 14, 15, 16, 17)  # nobody calls over lunch


@dataclass(frozen=True)
class Address:
    province: str
    city: str
    district: str
    detail: str  # street, number, building and room
    region_code: str  # GB/T 2260 code of the district

    def __str__(self) -> str:
        # A municipality is written once: 上海市浦东新区…, not 上海市上海市浦东新区….
        city = "" if self.city == self.province else self.city
        return f"{self.province}{city}{self.district}{self.detail}"


@dataclass(frozen=True)
class Company:
    name: str
    short_name: str  # 简称, as people say it: 字号 + trade
    abbreviation: str  # pinyin initials of region and 字号, e.g. HDJG
    uscc: str
    industry: str
    business_scope: str
    address: Address
    phone: str  # fixed line with area code, e.g. 0571-86012345
    bank_name: str
    bank_account: str


@dataclass(frozen=True)
class Contact:
    name: str
    title: str
    mobile: str
    email: str
    is_primary: bool


@dataclass(frozen=True)
class CustomerAddress:
    kind: str  # "registered" (注册地址, printed on invoices) or "shipping" (收货地址)
    address: Address
    receiver: str  # who signs for deliveries; blank for the registered address
    phone: str
    is_default: bool


@dataclass(frozen=True)
class Interaction:
    kind: str  # call, visit, email, chat or fax (customers.models.InteractionKind)
    happened_at: dt.datetime  # aware, in data.TIME_ZONE, before data.REFERENCE_DATE
    contact: int  # index into Customer.contacts of the person spoken to
    summary: str
    attachment: str  # file name of a fax scan or a saved e-mail, or ""


@dataclass(frozen=True)
class Departure:
    """A contact who left the customer (联系人离职)."""

    contact: int  # index into Customer.contacts
    left_on: dt.date
    reason: str


@dataclass(frozen=True)
class Relationship:
    """The story of a customer relationship so far (see :func:`relationship`)."""

    status: str  # prospect, active, dormant or blacklisted (customers.models.CustomerStatus)
    grade: str  # A, B or C
    credit_limit: Decimal | None  # yuan; None: the grade's company default
    cooperation_intent: str
    first_product: str
    expected_amount: Decimal  # yuan
    needs: tuple[str, ...]
    interactions: tuple[Interaction, ...]  # oldest first
    departures: tuple[Departure, ...]  # at most one; a primary contact hands over


@dataclass(frozen=True)
class Customer:
    index: int
    name: str
    short_name: str
    type: str  # a value of data.CUSTOMER_TYPES
    industry: str
    business_scope: str
    uscc: str
    phone: str
    addresses: tuple[CustomerAddress, ...]  # the registered address first, then shipping
    contacts: tuple[Contact, ...]  # one to three, exactly one primary
    invoice_title: str
    bank_name: str
    bank_account: str
    source_channel: str  # a value of data.SOURCE_CHANNELS
    status: str
    grade: str
    credit_limit: Decimal | None
    cooperation_intent: str
    first_product: str
    expected_amount: Decimal
    needs: tuple[str, ...]
    interactions: tuple[Interaction, ...]
    departures: tuple[Departure, ...]

    @property
    def registered_address(self) -> Address:
        return self.addresses[0].address

    @property
    def primary_contact(self) -> Contact:
        return next(contact for contact in self.contacts if contact.is_primary)


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    spec: str  # 规格
    model: str  # 型号
    category: str
    unit: str
    tax_rate: Decimal
    lead_time_days: int
    list_price: Decimal  # yuan, to the fen, VAT included


def person_name(rng: random.Random) -> str:
    """A Chinese name: a surname and one or (more often) two given-name characters."""
    given_length = rng.choices((1, 2), weights=(3, 7))[0]
    return rng.choice(data.SURNAMES) + "".join(
        rng.choice(data.GIVEN_NAME_CHARS) for _ in range(given_length)
    )


def mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number on a real operator prefix (138…, 159…, 186…)."""
    return rng.choice(data.MOBILE_PREFIXES) + digits(rng, 8)


def landline(rng: random.Random, city: City) -> str:
    """A fixed-line number in ``city``, written with its area code: 0571-86012345."""
    return f"{city.area_code}-{rng.randint(2, 8)}{digits(rng, city.phone_digits - 1)}"


def city(rng: random.Random) -> City:
    """A city, provinces weighted towards East China where the demo company sells most."""
    province = rng.choices(data.PROVINCES, weights=[p.weight for p in data.PROVINCES])[0]
    return rng.choice(province.cities)


def address(rng: random.Random, *, in_city: City | None = None) -> Address:
    """A street address in a real district of ``in_city`` (default: a random city)."""
    place = in_city or city(rng)
    district, region_code = rng.choice(place.districts)
    street = f"{rng.choice(data.STREETS)}{rng.randint(1, 999)}号"
    form = rng.random()
    if form < 0.45:
        detail = street
    elif form < 0.75:
        room = f"{rng.randint(2, 28)}{rng.randint(1, 20):02d}室"
        detail = f"{street}{rng.choice(data.BUILDINGS)}{room}"
    else:
        detail = f"{rng.choice(data.PARKS)}{street}"
    province = PROVINCE_BY_CITY_CODE[place.code]
    return Address(province.name, place.name, district, detail, region_code)


def uscc(rng: random.Random, region_code: str) -> str:
    """A unified social credit code of an enterprise registered in ``region_code``.

    Both checks hold: the organisation code's (GB 11714) and the whole code's (GB 32100).
    Most codes issued since 2015 carry an organisation code starting with MA.
    """
    if len(region_code) != 6 or not region_code.isdigit():
        raise ValueError(f"Not a GB/T 2260 division code: {region_code!r}")
    if rng.random() < 0.7:
        # Only characters the USCC allows, since the organisation code is embedded in it.
        body = "MA" + "".join(rng.choice(CHARSET) for _ in range(6))
    else:
        body = digits(rng, 8)
    first17 = f"91{region_code}{body}{organization_code_check_char(body)}"
    return first17 + uscc_check_char(first17)


def company(rng: random.Random, *, trade: str | None = None) -> Company:
    """A company named by the registration rule 行政区划 + 字号 + 行业 + 组织形式, with
    its code, address, phone and bank account all in the same city."""
    place = city(rng)
    province = PROVINCE_BY_CITY_CODE[place.code]
    home = address(rng, in_city=place)
    region, region_initials = rng.choices(
        (
            (place.short, place.initials),
            (province.short, province.initials),
            rng.choice(data.REGION_WORDS),
        ),
        weights=(6, 2, 2),
    )[0]
    brand, brand_initials = rng.choice(data.BRAND_WORDS)
    if trade is None:
        chosen = rng.choice(data.TRADES)
    elif trade in TRADE_BY_WORD:
        chosen = TRADE_BY_WORD[trade]
    else:
        raise ValueError(f"Not a trade of data.TRADES: {trade!r}")
    suffix = rng.choices(
        [suffix for suffix, _ in data.COMPANY_SUFFIXES],
        weights=[weight for _, weight in data.COMPANY_SUFFIXES],
    )[0]
    if rng.random() < 0.1:
        name = f"{brand}（{region}）{chosen.word}{suffix}"
    else:
        name = f"{region}{brand}{chosen.word}{suffix}"
    bank, account_digits = rng.choice(data.BANKS)
    return Company(
        name=name,
        short_name=brand + chosen.word[:2],
        abbreviation=region_initials + brand_initials,
        uscc=uscc(rng, home.region_code),
        industry=chosen.industry,
        business_scope=chosen.business_scope,
        address=home,
        phone=landline(rng, place),
        bank_name=f"{bank}{place.short}{district_short(home.district)}支行",
        bank_account=str(rng.randint(1, 9)) + digits(rng, account_digits - 1),
    )


def contact(rng: random.Random, *, primary: bool = False) -> Contact:
    name = person_name(rng)
    number = mobile(rng)
    return Contact(
        name=name,
        title=rng.choice(data.PRIMARY_JOB_TITLES if primary else data.JOB_TITLES),
        mobile=number,
        email=f"{number}@{data.CONTACT_EMAIL_DOMAIN}",
        is_primary=primary,
    )


def customer(rng: random.Random, index: int) -> Customer:
    """A business customer: licence data, invoice data, one to three contacts (the first
    primary), a registered address plus one or two shipping addresses, and the relationship
    so far (see :func:`relationship`)."""
    kind = rng.choices(
        [value for value, _, _ in data.CUSTOMER_TYPES],
        weights=[weight for _, _, weight in data.CUSTOMER_TYPES],
    )[0]
    # Distributors and agents are trading firms; end users make things.
    trade = rng.choice(("贸易", "机电设备")) if kind != "end_user" else None
    firm = company(rng, trade=trade)

    contacts = [contact(rng, primary=True)]
    for _ in range(rng.choices((0, 1, 2), weights=(3, 4, 3))[0]):
        extra = contact(rng)
        if extra.name not in {known.name for known in contacts}:
            contacts.append(extra)

    home_city = CITY_BY_CODE[firm.address.region_code[:4] + "00"]
    shipping = [address(rng, in_city=home_city)]
    if rng.random() < 0.3:  # a second plant or warehouse, often in another province
        shipping.append(address(rng))
    addresses = [CustomerAddress("registered", firm.address, "", firm.phone, False)]
    for position, place in enumerate(shipping):
        receiver = rng.choice(contacts)
        addresses.append(
            CustomerAddress("shipping", place, receiver.name, receiver.mobile, position == 0)
        )

    story = relationship(rng, index, kind=kind, contacts=contacts)
    return Customer(
        index=index,
        name=firm.name,
        short_name=firm.short_name,
        type=kind,
        industry=firm.industry,
        business_scope=firm.business_scope,
        uscc=firm.uscc,
        phone=firm.phone,
        addresses=tuple(addresses),
        contacts=tuple(contacts),
        invoice_title=firm.name,  # a VAT special invoice carries the full registered name
        bank_name=firm.bank_name,
        bank_account=firm.bank_account,
        source_channel=rng.choice(data.SOURCE_CHANNELS)[0],
        status=story.status,
        grade=story.grade,
        credit_limit=story.credit_limit,
        cooperation_intent=story.cooperation_intent,
        first_product=story.first_product,
        expected_amount=story.expected_amount,
        needs=story.needs,
        interactions=story.interactions,
        departures=story.departures,
    )


def relationship(
    rng: random.Random, index: int, *, kind: str, contacts: Sequence[Contact]
) -> Relationship:
    """The customer's story up to ``data.REFERENCE_DATE``.

    Status mostly active; a dormant customer was last heard of six months ago or earlier;
    every ``BLACKLIST_EVERY``-th customer is blacklisted, its last interaction saying why.
    Prospects and blacklisted customers stay at grade C. One to four interactions, each
    with a contact still working there at the time; about a quarter of the customers with
    two or more contacts saw one of them leave.
    """
    if index % data.BLACKLIST_EVERY == data.BLACKLIST_FIRST:
        status = "blacklisted"
    else:
        status = weighted(rng, data.CUSTOMER_STATUSES)
    grade = "C" if status in {"prospect", "blacklisted"} else weighted(rng, data.GRADES)
    credit_limit = None
    if grade in data.CREDIT_LIMITS:
        low, high, step = data.CREDIT_LIMITS[grade]
        credit_limit = Decimal(rng.randrange(low, high + 1, step) * 10_000)

    main_product = product_name(rng)
    amount = rng.randint(2, 120)
    intent = rng.choice(data.COOPERATION_INTENTS[kind]).format(
        product=main_product[0], amount=amount
    )
    needs = tuple(rng.sample(data.NEEDS, rng.choices((0, 1, 2), weights=(3, 4, 3))[0]))

    departures: list[Departure] = []
    if len(contacts) >= 2 and rng.random() < 0.25:
        left_on = data.REFERENCE_DATE - dt.timedelta(days=rng.randint(7, 240))
        departures.append(
            Departure(rng.randrange(len(contacts)), left_on, rng.choice(data.DEPARTURE_REASONS))
        )

    oldest, newest = (180, 365) if status == "dormant" else (1, 365)
    count = rng.choices((1, 2, 3, 4), weights=(3, 4, 2, 1))[0]
    interactions = [
        interaction(
            rng,
            days_ago,
            contacts=contacts,
            departures=departures,
            product=main_product,
            templates=(
                data.PROSPECT_SUMMARIES if status == "prospect" else data.INTERACTION_SUMMARIES
            ),
        )
        for days_ago in sorted(rng.sample(range(oldest, newest + 1), count), reverse=True)
    ]
    if status == "blacklisted":
        last = interactions[-1]
        interactions[-1] = Interaction(
            "call", last.happened_at, last.contact, data.BLACKLIST_SUMMARY, ""
        )
    return Relationship(
        status=status,
        grade=grade,
        credit_limit=credit_limit,
        cooperation_intent=intent,
        first_product=main_product[0],
        expected_amount=Decimal(amount * 10_000),
        needs=needs,
        interactions=tuple(interactions),
        departures=tuple(departures),
    )


def interaction(
    rng: random.Random,
    days_ago: int,
    *,
    contacts: Sequence[Contact],
    departures: Sequence[Departure],
    product: tuple[str, str],
    templates: Mapping[str, tuple[str, ...]] = data.INTERACTION_SUMMARIES,
) -> Interaction:
    """One call, visit, e-mail, chat or fax ``days_ago`` days before the reference date,
    in office hours, with a contact who had not left yet."""
    day = data.REFERENCE_DATE - dt.timedelta(days=days_ago)
    happened_at = dt.datetime.combine(
        day,
        dt.time(rng.choice(OFFICE_HOURS), rng.choice((0, 10, 15, 20, 30, 40, 45, 50))),
        tzinfo=DEMO_ZONE,
    )
    gone = {departure.contact for departure in departures if departure.left_on <= day}
    person = rng.choice([n for n in range(len(contacts)) if n not in gone])
    kind = weighted(rng, data.INTERACTION_KINDS)
    # Half the talk is about the product the customer came for, half about others.
    name, unit = product_name(rng) if rng.random() < 0.5 else product
    summary = rng.choice(templates[kind]).format(
        contact=contacts[person].name,
        product=name,
        quantity=rng.choice(data.QUANTITIES[unit]),
        unit=unit,
    )
    attachment = ""
    if kind == "fax":
        attachment = f"传真-{day:%Y%m%d}.png"
    elif kind == "email" and rng.random() < 0.25:
        attachment = f"邮件-{day:%Y%m%d}.txt"
    return Interaction(kind, happened_at, person, summary, attachment)


def product_name(rng: random.Random) -> tuple[str, str]:
    """The name and unit of a product the demo company sells."""
    family = rng.choice(data.PRODUCT_FAMILIES)
    values = draw_params(rng, family.params)
    return values["name"], values["unit"]


def attachment_bytes(record: Customer, item: Interaction) -> bytes:
    """The file of an interaction: a saved e-mail as text, or a fax scan as a PNG."""
    if item.attachment.endswith(".png"):
        return scan_png(random.Random(f"{record.index}:{item.attachment}"))
    contact = record.contacts[item.contact]
    return (
        f"发件人：{contact.name} <{contact.email}>\n"
        f"日期：{item.happened_at:%Y-%m-%d %H:%M}\n"
        f"主题：{record.short_name}\n\n{item.summary}\n"
    ).encode()


def scan_png(rng: random.Random, width: int = 160, height: int = 100) -> bytes:
    """A small greyscale PNG that looks like a faxed page: grey paper, lines of dark text."""
    rows = []
    for y in range(height):
        is_text_line = 10 <= y < height - 10 and y % 12 in {0, 1, 2, 3, 4}
        line_end = width - rng.randint(10, 60)
        row = bytes(
            rng.choice((20, 40, 60))
            if is_text_line and 10 <= x < line_end and rng.random() < 0.6
            else rng.choice((236, 242, 248))
            for x in range(width)
        )
        rows.append(b"\x00" + row)  # filter type 0 per scanline

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def product(rng: random.Random, index: int) -> Product:
    """A catalogue item of a random family; ``index`` makes the SKU unique (DJ-00017)."""
    family = rng.choice(data.PRODUCT_FAMILIES)
    values = draw_params(rng, family.params)
    if "price" in values:  # the variant's typical price, give or take a dealer's margin
        yuan = round(int(values["price"]) * rng.uniform(0.95, 1.2))
    else:
        yuan = rng.randint(*family.price_yuan)
    # List prices are set in whole yuan, sometimes with a "psychological" 50 or 80 fen.
    fen = yuan * 100 + rng.choice((0, 0, 0, 50, 80))
    return Product(
        sku=f"{family.code}-{index:05d}",
        name=values["name"],
        spec=family.spec.format_map(values),
        model=family.model.format_map(values),
        category=family.category,
        unit=values["unit"],
        tax_rate=Decimal(family.tax_rate),
        lead_time_days=rng.randint(*family.lead_time_days),
        list_price=Decimal(fen).scaleb(-2),
    )


def generate_customers(count: int, *, seed: int) -> list[Customer]:
    """``count`` customers with distinct names and codes.

    Customer n comes from its own stream, so asking for more customers never changes the
    first ones.
    """
    customers: list[Customer] = []
    names: set[str] = set()
    codes: set[str] = set()
    for index in range(1, count + 1):
        rng = random.Random(f"{seed}:customer:{index}")
        record = customer(rng, index)
        while record.name in names or record.uscc in codes:
            record = customer(rng, index)
        names.add(record.name)
        codes.add(record.uscc)
        customers.append(record)
    return customers


def generate_products(count: int, *, seed: int) -> list[Product]:
    """``count`` products, SKUs numbered from 1; product n does not depend on ``count``."""
    return [
        product(random.Random(f"{seed}:product:{index}"), index) for index in range(1, count + 1)
    ]


def draw_params(rng: random.Random, params: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """One value per parameter; a key "a|b" draws "x|y" options, giving a=x and b=y."""
    values: dict[str, str] = {}
    for key, options in params.items():
        values.update(zip(key.split("|"), rng.choice(options).split("|"), strict=True))
    return values


def digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def weighted(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    """One value of a (value, weight) table."""
    return rng.choices([value for value, _ in table], weights=[weight for _, weight in table])[0]


def district_short(district: str) -> str:
    """The district as a bank branch names it: 浦东新区 -> 浦东, 西湖区 -> 西湖."""
    return district.removesuffix("新区").removesuffix("区")


# Stock is kept for about this much money per product and warehouse: many cheap bolts,
# a few expensive motors.
STOCK_VALUE_YUAN = 30_000
OUT_OF_STOCK_SHARE = 0.08  # sold out, restock on the way (a purchase request)
SECOND_WAREHOUSE_SHARE = 0.6  # also kept in the second warehouse


def stock_quantities(rng: random.Random, record: Product) -> tuple[int, int]:
    """Whole-unit quantities on hand in the main and the second warehouse; (0, 0) for an
    item that is sold out. Cheap items are kept in larger numbers."""
    if rng.random() < OUT_OF_STOCK_SHARE:
        return 0, 0
    typical = max(2, min(2_000, int(STOCK_VALUE_YUAN / max(record.list_price, Decimal(1)))))
    main = rng.randint(typical // 2 + 1, typical * 2)
    second = rng.randint(1, typical) if rng.random() < SECOND_WAREHOUSE_SHARE else 0
    return main, second

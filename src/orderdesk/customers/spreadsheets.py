"""The customer spreadsheet format: its columns and the words of its choice columns.

Reading and writing the files (.xlsx, .csv in UTF-8 or GB18030) is ``core.spreadsheets``;
this module says what a customer file holds. Column headers are accepted in Chinese or
English (客户名称 or ``name``); the export writes the Chinese headers, so an exported file can
be edited and imported again.

The headers and the words for type, status and source channel are a file format, not
interface text: a file must read the same whatever the language of the person importing it,
so they are fixed here rather than translated.
"""

from __future__ import annotations

from typing import Any

from orderdesk.core import spreadsheets
from orderdesk.core.spreadsheets import ChoiceColumn, Column, Sheet, SheetFormat

from .models import CustomerStatus, CustomerType, SourceChannel

# (field, the Chinese header the export writes, other accepted spellings). Fields starting
# with ``contact_`` describe the customer's primary contact.
COLUMNS: tuple[Column, ...] = (
    ("code", "客户编号", ("编号", "客户代码")),
    ("name", "客户名称", ("名称", "客户", "公司名称", "客户全称")),
    ("short_name", "简称", ("客户简称",)),
    ("type", "类型", ("客户类型",)),
    ("status", "状态", ("客户状态",)),
    ("industry", "行业", ("所属行业",)),
    ("business_scope", "经营范围", ()),
    ("uscc", "统一社会信用代码", ("信用代码", "社会信用代码", "统一信用代码")),
    ("phone", "电话", ("公司电话", "座机", "固定电话")),
    ("website", "网站", ("网址", "官网")),
    ("province", "省份", ("省", "省市", "所在省份")),
    ("city", "城市", ("市", "所在城市")),
    ("district", "区县", ("区", "县", "区/县")),
    ("address", "地址", ("注册地址", "详细地址")),
    ("invoice_title", "开票抬头", ("发票抬头",)),
    ("tax_number", "税号", ("纳税人识别号",)),
    ("bank_name", "开户行", ("开户银行",)),
    ("bank_account", "银行账号", ("账号", "银行帐号", "开户账号")),
    ("cooperation_intent", "合作意向", ()),
    ("first_product", "首单产品", ("首次合作产品",)),
    ("expected_amount", "预计金额", ("预计合作金额", "预计金额(元)")),
    ("source_channel", "来源", ("客户来源", "来源渠道")),
    ("owner", "负责人", ("业务员", "销售", "负责销售")),
    ("contact_name", "联系人", ("联系人姓名",)),
    ("contact_title", "职务", ("联系人职务",)),
    ("contact_mobile", "手机", ("手机号", "联系人手机", "手机号码")),
    ("contact_phone", "联系人电话", ()),
    ("contact_email", "邮箱", ("电子邮箱", "联系人邮箱", "邮件", "e-mail")),
)
FORMAT = SheetFormat(COLUMNS)
HEADERS = FORMAT.headers

# Words a spreadsheet may use for the choice fields, besides the stored values and the
# English labels (both accepted too).
TYPE_WORDS = {CustomerType.COMPANY: "公司", CustomerType.INDIVIDUAL: "个人"}
STATUS_WORDS = {
    CustomerStatus.PROSPECT: "潜在客户",
    CustomerStatus.ACTIVE: "合作中",
    CustomerStatus.DORMANT: "休眠",
    CustomerStatus.BLACKLISTED: "黑名单",
}
SOURCE_WORDS = {
    SourceChannel.TRADE_SHOW: "展会",
    SourceChannel.REFERRAL: "转介绍",
    SourceChannel.WEBSITE: "官网",
    SourceChannel.ECOMMERCE: "电商平台",
    SourceChannel.COLD_CALL: "电话开发",
    SourceChannel.EXISTING: "老客户",
    SourceChannel.TENDER: "招标",
    SourceChannel.OTHER: "其他",
}
CHOICE_WORDS: dict[str, dict[Any, str]] = {
    "type": TYPE_WORDS,
    "status": STATUS_WORDS,
    "source_channel": SOURCE_WORDS,
}
CHOICE_SYNONYMS: dict[str, dict[str, str]] = {
    "type": {"企业": "company", "单位": "company", "个体": "individual", "自然人": "individual"},
    "status": {
        "潜在": "prospect",
        "意向客户": "prospect",
        "合作": "active",
        "活跃": "active",
        "正常": "active",
        "休眠客户": "dormant",
        "停用": "dormant",
    },
    "source_channel": {
        "展会": "trade_show",
        "介绍": "referral",
        "朋友介绍": "referral",
        "客户介绍": "referral",
        "网站": "website",
        "电商": "ecommerce",
        "电话": "cold_call",
        "陌拜": "cold_call",
        "电话营销": "cold_call",
        "老关系": "existing",
        "投标": "tender",
        "其它": "other",
    },
}
CHOICES = {"type": CustomerType, "status": CustomerStatus, "source_channel": SourceChannel}

CHOICE_COLUMNS = {
    name: ChoiceColumn(choices, CHOICE_WORDS[name], CHOICE_SYNONYMS[name])
    for name, choices in CHOICES.items()
}


def choice_value(name: str, text: str) -> str | None:
    """The stored value for a word in a choice column (公司, company, Company…), or None."""
    return CHOICE_COLUMNS[name].value(text)


def choice_word(name: str, value: str) -> str:
    """The word the export writes for a stored choice value."""
    return CHOICE_COLUMNS[name].word(value)


def read_sheet(data: bytes, filename: str, *, max_rows: int) -> Sheet:
    """A customer file read by the shared reader (``core.spreadsheets.read_sheet``)."""
    return spreadsheets.read_sheet(data, filename, FORMAT, max_rows=max_rows)

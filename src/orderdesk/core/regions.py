"""China's 34 provincial-level divisions (GB/T 2260), for validating and grouping addresses.

Addresses keep province, city and district as separate fields so sales can be analysed by
region (MISSION §1). A province may be written in full (浙江省) or short (浙江); both are
stored in full.
"""

from __future__ import annotations

# (full name, short name, GB/T 2260 code)
PROVINCES: tuple[tuple[str, str, str], ...] = (
    ("北京市", "北京", "110000"),
    ("天津市", "天津", "120000"),
    ("河北省", "河北", "130000"),
    ("山西省", "山西", "140000"),
    ("内蒙古自治区", "内蒙古", "150000"),
    ("辽宁省", "辽宁", "210000"),
    ("吉林省", "吉林", "220000"),
    ("黑龙江省", "黑龙江", "230000"),
    ("上海市", "上海", "310000"),
    ("江苏省", "江苏", "320000"),
    ("浙江省", "浙江", "330000"),
    ("安徽省", "安徽", "340000"),
    ("福建省", "福建", "350000"),
    ("江西省", "江西", "360000"),
    ("山东省", "山东", "370000"),
    ("河南省", "河南", "410000"),
    ("湖北省", "湖北", "420000"),
    ("湖南省", "湖南", "430000"),
    ("广东省", "广东", "440000"),
    ("广西壮族自治区", "广西", "450000"),
    ("海南省", "海南", "460000"),
    ("重庆市", "重庆", "500000"),
    ("四川省", "四川", "510000"),
    ("贵州省", "贵州", "520000"),
    ("云南省", "云南", "530000"),
    ("西藏自治区", "西藏", "540000"),
    ("陕西省", "陕西", "610000"),
    ("甘肃省", "甘肃", "620000"),
    ("青海省", "青海", "630000"),
    ("宁夏回族自治区", "宁夏", "640000"),
    ("新疆维吾尔自治区", "新疆", "650000"),
    ("台湾省", "台湾", "710000"),
    ("香港特别行政区", "香港", "810000"),
    ("澳门特别行政区", "澳门", "820000"),
)
PROVINCE_NAMES: tuple[str, ...] = tuple(name for name, _short, _code in PROVINCES)
_BY_ANY_NAME = {key: name for name, short, _code in PROVINCES for key in (name, short)}


def normalize_province(value: str) -> str | None:
    """The full province name for a full or short spelling; None when unknown."""
    return _BY_ANY_NAME.get((value or "").strip())

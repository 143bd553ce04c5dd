"""Word lists for the demo data: places, company names, people, banks, product families and
the story of each customer relationship (status, grade, needs, interactions).

Division codes are GB/T 2260 (as used in the unified social credit code), area codes are the
long-distance prefixes of the fixed-line network, and product tax rates follow the VAT bands
(13 % goods, 9 % agricultural machinery and construction services, 6 % technical services).
A municipality (直辖市: 北京, 天津, 上海, 重庆) is a province with one city of the same name.
Everything here is static; ``generators`` draws from it with a seeded ``random.Random``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    initials: str  # pinyin initials, for abbreviations such as the company's "HZ…"
    code: str  # GB/T 2260 division code of the prefecture-level city
    area_code: str  # fixed-line prefix, e.g. 0571
    districts: tuple[tuple[str, str], ...]  # (district name, GB/T 2260 code)
    phone_digits: int = 8  # length of a local fixed-line number after the area code

    @property
    def short(self) -> str:
        """The name without 市, as it appears in company names (杭州)."""
        return self.name.removesuffix("市")


@dataclass(frozen=True)
class Province:
    name: str
    short: str
    initials: str
    weight: int  # how often customers come from here: the demo company sits in East China
    cities: tuple[City, ...]


# fmt: off
# The tables below are laid out by hand, one record a line; ruff format would give every
# value a line of its own.
PROVINCES: tuple[Province, ...] = (
    Province("浙江省", "浙江", "ZJ", 4, (
        City("杭州市", "HZ", "330100", "0571",
             (("上城区", "330102"), ("西湖区", "330106"), ("滨江区", "330108"))),
        City("宁波市", "NB", "330200", "0574",
             (("海曙区", "330203"), ("北仑区", "330206"), ("鄞州区", "330212"))),
        City("温州市", "WZ", "330300", "0577",
             (("鹿城区", "330302"), ("龙湾区", "330303"), ("瓯海区", "330304"))),
        City("嘉兴市", "JX", "330400", "0573", (("南湖区", "330402"), ("秀洲区", "330411"))),
    )),
    Province("江苏省", "江苏", "JS", 4, (
        City("南京市", "NJ", "320100", "025",
             (("玄武区", "320102"), ("秦淮区", "320104"), ("江宁区", "320115"))),
        City("苏州市", "SZ", "320500", "0512",
             (("虎丘区", "320505"), ("吴中区", "320506"), ("姑苏区", "320508"))),
        City("无锡市", "WX", "320200", "0510",
             (("滨湖区", "320211"), ("梁溪区", "320213"), ("新吴区", "320214"))),
        City("常州市", "CZ", "320400", "0519",
             (("天宁区", "320402"), ("钟楼区", "320404"), ("武进区", "320412"))),
    )),
    Province("上海市", "上海", "SH", 3, (
        City("上海市", "SH", "310100", "021",
             (("闵行区", "310112"), ("嘉定区", "310114"), ("浦东新区", "310115"))),
    )),
    Province("广东省", "广东", "GD", 3, (
        City("广州市", "GZ", "440100", "020",
             (("越秀区", "440104"), ("海珠区", "440105"), ("天河区", "440106"))),
        City("深圳市", "SZ", "440300", "0755",
             (("福田区", "440304"), ("南山区", "440305"), ("宝安区", "440306"))),
        City("佛山市", "FS", "440600", "0757",
             (("禅城区", "440604"), ("南海区", "440605"), ("顺德区", "440606"))),
        City("珠海市", "ZH", "440400", "0756", (("香洲区", "440402"), ("金湾区", "440404")), 7),
    )),
    Province("山东省", "山东", "SD", 2, (
        City("济南市", "JN", "370100", "0531",
             (("历下区", "370102"), ("市中区", "370103"), ("槐荫区", "370104"))),
        City("青岛市", "QD", "370200", "0532",
             (("市南区", "370202"), ("黄岛区", "370211"), ("崂山区", "370212"))),
        City("烟台市", "YT", "370600", "0535", (("芝罘区", "370602"), ("莱山区", "370613")), 7),
        City("潍坊市", "WF", "370700", "0536", (("潍城区", "370702"), ("奎文区", "370705")), 7),
    )),
    Province("安徽省", "安徽", "AH", 2, (
        City("合肥市", "HF", "340100", "0551",
             (("瑶海区", "340102"), ("蜀山区", "340104"), ("包河区", "340111"))),
        City("芜湖市", "WH", "340200", "0553", (("镜湖区", "340202"), ("鸠江区", "340207")), 7),
        City("蚌埠市", "BB", "340300", "0552", (("龙子湖区", "340302"), ("蚌山区", "340303")), 7),
    )),
    Province("福建省", "福建", "FJ", 2, (
        City("福州市", "FZ", "350100", "0591",
             (("鼓楼区", "350102"), ("台江区", "350103"), ("仓山区", "350104"))),
        City("厦门市", "XM", "350200", "0592",
             (("思明区", "350203"), ("湖里区", "350206"), ("集美区", "350211")), 7),
        City("泉州市", "QZ", "350500", "0595",
             (("鲤城区", "350502"), ("丰泽区", "350503"), ("洛江区", "350504"))),
    )),
    Province("河北省", "河北", "HB", 1, (
        City("石家庄市", "SJZ", "130100", "0311",
             (("长安区", "130102"), ("桥西区", "130104"), ("新华区", "130105"))),
        City("唐山市", "TS", "130200", "0315", (("路南区", "130202"), ("路北区", "130203")), 7),
        City("保定市", "BD", "130600", "0312", (("竞秀区", "130602"), ("莲池区", "130606")), 7),
    )),
    Province("北京市", "北京", "BJ", 1, (
        City("北京市", "BJ", "110100", "010",
             (("朝阳区", "110105"), ("海淀区", "110108"), ("大兴区", "110115"))),
    )),
    Province("天津市", "天津", "TJ", 1, (
        City("天津市", "TJ", "120100", "022",
             (("河西区", "120103"), ("西青区", "120111"), ("滨海新区", "120116"))),
    )),
    Province("山西省", "山西", "SX", 1, (
        City("太原市", "TY", "140100", "0351",
             (("小店区", "140105"), ("迎泽区", "140106"), ("杏花岭区", "140107")), 7),
        City("大同市", "DT", "140200", "0352", (("平城区", "140213"), ("云冈区", "140214")), 7),
        City("长治市", "CZ", "140400", "0355", (("潞州区", "140403"), ("上党区", "140404")), 7),
    )),
    Province("内蒙古自治区", "内蒙古", "NMG", 1, (
        City("呼和浩特市", "HHHT", "150100", "0471",
             (("新城区", "150102"), ("回民区", "150103"), ("赛罕区", "150105")), 7),
        City("包头市", "BT", "150200", "0472", (("昆都仑区", "150203"), ("青山区", "150204")), 7),
    )),
    Province("河南省", "河南", "HN", 1, (
        City("郑州市", "ZZ", "410100", "0371",
             (("中原区", "410102"), ("二七区", "410103"), ("金水区", "410105"))),
        City("洛阳市", "LY", "410300", "0379",
             (("西工区", "410303"), ("涧西区", "410305"), ("洛龙区", "410311"))),
        City("新乡市", "XX", "410700", "0373", (("红旗区", "410702"), ("卫滨区", "410703")), 7),
    )),
    Province("湖北省", "湖北", "HB", 1, (
        City("武汉市", "WH", "420100", "027",
             (("江岸区", "420102"), ("武昌区", "420106"), ("洪山区", "420111"))),
        City("宜昌市", "YC", "420500", "0717", (("西陵区", "420502"), ("伍家岗区", "420503")), 7),
        City("襄阳市", "XY", "420600", "0710", (("襄城区", "420602"), ("樊城区", "420606")), 7),
    )),
    Province("湖南省", "湖南", "HN", 1, (
        City("长沙市", "CS", "430100", "0731",
             (("芙蓉区", "430102"), ("岳麓区", "430104"), ("雨花区", "430111"))),
        City("株洲市", "ZZ", "430200", "0731",
             (("荷塘区", "430202"), ("芦淞区", "430203"), ("天元区", "430211"))),
        City("湘潭市", "XT", "430300", "0731", (("雨湖区", "430302"), ("岳塘区", "430304"))),
    )),
    Province("江西省", "江西", "JX", 1, (
        City("南昌市", "NC", "360100", "0791",
             (("东湖区", "360102"), ("西湖区", "360103"), ("青云谱区", "360104"))),
        City("九江市", "JJ", "360400", "0792", (("濂溪区", "360402"), ("浔阳区", "360403")), 7),
        City("赣州市", "GZ", "360700", "0797", (("章贡区", "360702"), ("南康区", "360703")), 7),
    )),
    Province("四川省", "四川", "SC", 1, (
        City("成都市", "CD", "510100", "028",
             (("锦江区", "510104"), ("青羊区", "510105"), ("武侯区", "510107"))),
        City("绵阳市", "MY", "510700", "0816", (("涪城区", "510703"), ("游仙区", "510704")), 7),
        City("德阳市", "DY", "510600", "0838", (("旌阳区", "510603"), ("罗江区", "510604")), 7),
    )),
    Province("重庆市", "重庆", "CQ", 1, (
        City("重庆市", "CQ", "500100", "023",
             (("江北区", "500105"), ("九龙坡区", "500107"), ("渝北区", "500112"))),
    )),
    Province("贵州省", "贵州", "GZ", 1, (
        City("贵阳市", "GY", "520100", "0851",
             (("南明区", "520102"), ("云岩区", "520103"), ("观山湖区", "520115"))),
        City("遵义市", "ZY", "520300", "0851", (("红花岗区", "520302"), ("汇川区", "520303"))),
    )),
    Province("陕西省", "陕西", "SX", 1, (
        City("西安市", "XA", "610100", "029",
             (("碑林区", "610103"), ("未央区", "610112"), ("雁塔区", "610113"))),
        City("宝鸡市", "BJ", "610300", "0917", (("渭滨区", "610302"), ("金台区", "610303")), 7),
    )),
    Province("甘肃省", "甘肃", "GS", 1, (
        City("兰州市", "LZ", "620100", "0931",
             (("城关区", "620102"), ("七里河区", "620103"), ("安宁区", "620105")), 7),
        City("天水市", "TS", "620500", "0938", (("秦州区", "620502"), ("麦积区", "620503")), 7),
    )),
    Province("辽宁省", "辽宁", "LN", 1, (
        City("沈阳市", "SY", "210100", "024",
             (("和平区", "210102"), ("沈河区", "210103"), ("皇姑区", "210105"))),
        City("大连市", "DL", "210200", "0411",
             (("中山区", "210202"), ("西岗区", "210203"), ("甘井子区", "210211"))),
        City("鞍山市", "AS", "210300", "0412", (("铁东区", "210302"), ("铁西区", "210303")), 7),
    )),
    Province("吉林省", "吉林", "JL", 1, (
        City("长春市", "CC", "220100", "0431",
             (("南关区", "220102"), ("朝阳区", "220104"), ("绿园区", "220106"))),
        City("吉林市", "JL", "220200", "0432", (("昌邑区", "220202"), ("船营区", "220204"))),
    )),
    Province("广西壮族自治区", "广西", "GX", 1, (
        City("南宁市", "NN", "450100", "0771",
             (("兴宁区", "450102"), ("青秀区", "450103"), ("江南区", "450105")), 7),
        City("柳州市", "LZ", "450200", "0772", (("城中区", "450202"), ("鱼峰区", "450203")), 7),
        City("桂林市", "GL", "450300", "0773",
             (("秀峰区", "450302"), ("叠彩区", "450303"), ("象山区", "450304")), 7),
    )),
    Province("海南省", "海南", "HN", 1, (
        City("海口市", "HK", "460100", "0898",
             (("秀英区", "460105"), ("龙华区", "460106"), ("美兰区", "460108"))),
        City("三亚市", "SY", "460200", "0898", (("吉阳区", "460203"), ("天涯区", "460204"))),
    )),
    Province("云南省", "云南", "YN", 1, (
        City("昆明市", "KM", "530100", "0871",
             (("五华区", "530102"), ("盘龙区", "530103"), ("官渡区", "530111"))),
        City("曲靖市", "QJ", "530300", "0874", (("麒麟区", "530302"), ("沾益区", "530303")), 7),
    )),
    Province("黑龙江省", "黑龙江", "HLJ", 1, (
        City("哈尔滨市", "HEB", "230100", "0451",
             (("道里区", "230102"), ("南岗区", "230103"), ("道外区", "230104"))),
        City("大庆市", "DQ", "230600", "0459", (("萨尔图区", "230602"), ("龙凤区", "230603")), 7),
    )),
)
# fmt: on

# fmt: off
STREETS: tuple[str, ...] = (
    "人民路", "中山路", "解放路", "建设路", "和平路", "新华路", "长江路", "黄河路", "胜利路",
    "文化路", "工业路", "科技路", "创业路", "学院路", "滨江大道", "发展大道", "环城北路",
    "东风路", "振兴路", "光明路", "青年路", "朝阳路", "迎宾大道", "经二路", "纬三路",
)
BUILDINGS: tuple[str, ...] = (
    "国际大厦", "科技大厦", "商务中心", "金融中心", "创业大厦", "世纪大厦", "财富广场",
)
PARKS: tuple[str, ...] = (
    "经济技术开发区", "高新技术产业开发区", "工业园区", "科技园", "智能制造产业园",
)

# Company names follow the registration rule 行政区划 + 字号 + 行业 + 组织形式.
REGION_WORDS: tuple[tuple[str, str], ...] = (
    ("华东", "HD"), ("华南", "HN"), ("华北", "HB"), ("华中", "HZ"), ("西南", "XN"),
    ("东方", "DF"), ("中原", "ZY"), ("长江", "CJ"), ("江南", "JN"), ("东海", "DH"),
)
BRAND_WORDS: tuple[tuple[str, str], ...] = (
    ("精工", "JG"), ("恒信", "HX"), ("宏达", "HD"), ("鑫源", "XY"), ("瑞丰", "RF"),
    ("金泰", "JT"), ("永盛", "YS"), ("华瑞", "HR"), ("博远", "BY"), ("天成", "TC"),
    ("汇通", "HT"), ("嘉禾", "JH"), ("同创", "TC"), ("海川", "HC"), ("明德", "MD"),
    ("德力", "DL"), ("鼎盛", "DS"), ("远航", "YH"), ("润丰", "RF"), ("立信", "LX"),
    ("东升", "DS"), ("万通", "WT"), ("中联", "ZL"), ("凯达", "KD"), ("盛世", "SS"),
    ("新锐", "XR"), ("众诚", "ZC"), ("佳和", "JH"), ("正源", "ZY"), ("华宇", "HY"),
    ("恒通", "HT"), ("大成", "DC"), ("信达", "XD"), ("安泰", "AT"), ("泰和", "TH"),
    ("宏图", "HT"), ("启航", "QH"), ("力源", "LY"), ("隆兴", "LX"), ("锦程", "JC"),
    ("联创", "LC"), ("鸿运", "HY"), ("金鹏", "JP"), ("卓越", "ZY"), ("晨阳", "CY"),
    ("蓝天", "LT"), ("九洲", "JZ"), ("三友", "SY"), ("海纳", "HN"), ("百川", "BC"),
    ("昌盛", "CS"), ("弘毅", "HY"), ("伟业", "WY"), ("国泰", "GT"), ("东辰", "DC"),
)


@dataclass(frozen=True)
class Trade:
    word: str  # the 行业 part of the name
    industry: str  # GB/T 4754 industry (国民经济行业分类) division
    business_scope: str  # 经营范围 as printed on the licence


TRADES: tuple[Trade, ...] = (
    Trade("机械", "通用设备制造业", "机械设备、五金配件的研发、制造、销售；机械设备安装、维修。"),
    Trade("机电设备", "批发业", "机电设备、五金交电、电线电缆的销售；机电设备安装、维修。"),
    Trade("电子", "计算机、通信和其他电子设备制造业", "电子元器件、电子产品的研发、生产与销售。"),
    Trade("化工", "化学原料和化学制品制造业", "化工原料及产品（不含危险化学品）的生产、销售。"),
    Trade("建材", "批发业", "建筑材料、装饰材料、五金交电、卫生洁具的销售。"),
    Trade("食品", "食品制造业", "食品生产；食品经营；预包装食品销售。"),
    Trade("贸易", "批发业",
          "机电设备、金属材料、化工产品（不含危险化学品）的批发；货物及技术进出口。"),
    Trade("电气", "电气机械和器材制造业", "输配电及控制设备、电线电缆的制造与销售。"),
    Trade("自动化设备", "专用设备制造业",
          "工业自动化设备、工业机器人的研发、制造、销售及技术服务。"),
    Trade("环保科技", "生态保护和环境治理业", "环保设备的研发与销售；水污染治理；大气污染治理。"),
    Trade("塑胶", "橡胶和塑料制品业", "塑料制品、橡胶制品的制造与销售。"),
    Trade("五金", "金属制品业", "五金制品、紧固件、模具的生产与销售。"),
    Trade("纺织", "纺织业", "纺织品、针纺织品的生产与销售。"),
    Trade("汽车零部件", "汽车制造业", "汽车零部件及配件的研发、制造与销售。"),
    Trade("包装", "造纸和纸制品业", "纸箱、纸制品及包装材料的生产与销售。"),
    Trade("物流", "装卸搬运和仓储业", "普通货物仓储服务；道路货物运输；国内货物运输代理。"),
    Trade("农业机械", "专用设备制造业", "农业机械的制造、销售、维修；农机具租赁。"),
    Trade("医疗器械", "专用设备制造业", "第一类、第二类医疗器械的生产与销售。"),
)
INDUSTRIES: tuple[str, ...] = tuple(dict.fromkeys(trade.industry for trade in TRADES))

# (suffix, weight): most private firms are 有限公司.
COMPANY_SUFFIXES: tuple[tuple[str, int], ...] = (
    ("有限公司", 16), ("股份有限公司", 2), ("有限责任公司", 2),
)

# Stored values are English snake_case; the Chinese is the label.
CUSTOMER_TYPES: tuple[tuple[str, str, int], ...] = (
    ("end_user", "终端客户", 6), ("distributor", "经销商", 3), ("agent", "代理商", 1),
)
SOURCE_CHANNELS: tuple[tuple[str, str], ...] = (
    ("trade_show", "展会"), ("referral", "客户介绍"), ("website", "官网咨询"),
    ("b2b_platform", "B2B平台"), ("cold_call", "电话开发"), ("tender", "招投标"),
    ("walk_in", "门店来访"),
)

SURNAMES: tuple[str, ...] = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
    "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
    "石", "廖", "贾", "夏", "韦", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛",
    "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱",
    "严", "戴", "莫", "孔", "汤", "欧阳", "诸葛", "上官",
)
GIVEN_NAME_CHARS: tuple[str, ...] = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀", "霞", "平", "刚", "英", "华", "建", "国", "文", "辉", "玲", "鹏", "宇",
    "浩", "凯", "晨", "欣", "雪", "婷", "颖", "琳", "志", "海", "峰", "斌", "俊", "红", "梅",
    "林", "波", "鑫", "亮", "宁", "晓", "云", "春", "丹", "飞", "帆", "佳", "慧", "思", "雨",
    "博", "蓉", "瑞", "泽", "子", "嘉", "怡", "蕾", "诗", "新", "荣", "德", "成", "昊", "彤",
)
JOB_TITLES: tuple[str, ...] = (
    "总经理", "副总经理", "采购经理", "采购主管", "采购专员", "设备部经理", "技术总监",
    "工程师", "财务经理", "会计", "行政主管", "项目经理", "生产厂长", "仓库主管", "董事长助理",
)
# Buyers are the usual first contact.
PRIMARY_JOB_TITLES: tuple[str, ...] = ("采购经理", "采购主管", "总经理", "设备部经理")

# Prefixes that libphonenumber's CN metadata accepts as mobile for every subscriber number.
MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "145", "147", "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "173", "175", "176", "177", "178",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
    "191", "198", "199",
)
# Reserved for documentation (RFC 2606), so demo mail can never reach a real mailbox.
CONTACT_EMAIL_DOMAIN = "example.com"

# (bank, digits in a corporate account number)
BANKS: tuple[tuple[str, int], ...] = (
    ("中国工商银行", 19), ("中国农业银行", 19), ("中国银行", 12), ("中国建设银行", 20),
    ("交通银行", 21), ("招商银行", 15), ("上海浦东发展银行", 17), ("兴业银行", 18),
    ("中信银行", 19), ("中国民生银行", 16),
)
# fmt: on


@dataclass(frozen=True)
class ProductFamily:
    """Products of one kind. ``params`` must give ``name`` and ``unit``; a key such as
    ``"power|frame"`` draws values that belong together (a 4 kW motor has frame 112M). An
    optional ``price`` param is the typical list price in yuan of that variant; without it
    the price is drawn from ``price_yuan``."""

    code: str  # SKU prefix
    category: str
    spec: str  # str.format template over the drawn params
    model: str  # str.format template over the drawn params
    params: Mapping[str, tuple[str, ...]]
    tax_rate: str
    price_yuan: tuple[int, int]  # lowest and highest list price in yuan
    lead_time_days: tuple[int, int]


# fmt: off
PRODUCT_FAMILIES: tuple[ProductFamily, ...] = (
    ProductFamily(
        "DJ", "电机", "{power}kW 4极 380V IP55", "YE3-{frame}-4",
        {"name": ("三相异步电动机", "高效节能电动机", "变频调速电动机"), "unit": ("台",),
         "power|frame|price": ("0.75|80M2|680", "1.5|90L|980", "2.2|100L1|1280",
                               "4|112M|1900", "7.5|132M|3300", "11|160M|4800", "15|160L|6200",
                               "22|180L|8800", "37|225S|14500", "55|250M|21000")},
        "0.13", (646, 25200), (5, 20),
    ),
    ProductFamily(
        "JS", "减速机", "速比 1:{ratio} 额定扭矩 {torque}N·m", "{series}{size}",
        {"name|series": ("齿轮减速机|R", "平行轴减速机|F", "蜗轮蜗杆减速机|RV", "行星减速机|PLF"),
         "unit": ("台",), "ratio": ("5", "10", "15", "20", "30", "40", "60", "100"),
         "torque": ("50", "120", "300", "650", "1200", "2500"),
         "size": ("40", "50", "63", "75", "90", "110")},
        "0.13", (450, 12600), (7, 25),
    ),
    ProductFamily(
        "FM", "阀门", "DN{dn} PN{pn} 碳钢阀体", "{series}-{pn}C",
        {"name|series": ("法兰球阀|Q41F", "对夹蝶阀|D71X", "明杆闸阀|Z41H", "截止阀|J41H"),
         "unit": ("件",), "dn": ("25", "32", "50", "65", "80", "100", "150", "200"),
         "pn": ("16", "25", "40")},
        "0.13", (120, 6800), (3, 15),
    ),
    ProductFamily(
        "ZC", "轴承", "d×D×B {dims}mm 精度 {grade}", "{code}/{grade}",
        {"name|code|dims|price": ("深沟球轴承|6204|20×47×14|18", "深沟球轴承|6205|25×52×15|22",
                                  "深沟球轴承|6206|30×62×16|28", "深沟球轴承|6208|40×80×18|45",
                                  "深沟球轴承|6305|25×62×17|32", "深沟球轴承|6308|40×90×23|75",
                                  "圆锥滚子轴承|30205|25×52×16.25|38",
                                  "圆锥滚子轴承|30208|40×80×19.75|68",
                                  "调心滚子轴承|22210|50×90×23|260"),
         "unit": ("套",), "grade": ("P0", "P6", "P5")},
        "0.13", (17, 312), (2, 10),
    ),
    ProductFamily(
        "DL", "电线电缆", "{cores}芯 {section}mm² 铜芯", "{series}-{cores}×{section}",
        {"name|series": ("交联聚乙烯绝缘电力电缆|YJV", "控制电缆|KVV", "阻燃软电缆|ZR-RVV"),
         "unit": ("米",), "cores": ("2", "3", "4", "5"),
         "section": ("1.5", "2.5", "4", "6", "10", "16", "25")},
        "0.13", (3, 160), (3, 12),
    ),
    ProductFamily(
        "GC", "钢材", "{thickness}mm×{width}mm×6000mm", "{grade}",
        {"name": ("热轧钢板", "中厚钢板", "花纹钢板"), "unit": ("吨",),
         "thickness": ("4", "6", "8", "10", "12", "16", "20"),
         "width": ("1250", "1500", "1800", "2000"), "grade": ("Q235B", "Q355B")},
        "0.13", (3900, 6800), (5, 20),
    ),
    ProductFamily(
        "ZK", "自动化控制", "{points}点 I/O 24V DC", "OD-{series}{points}",
        {"name|series|unit": ("可编程控制器|PLC|台", "数字量扩展模块|EM|件", "PLC控制柜|KG|套"),
         "points": ("16", "24", "32", "40", "60", "128")},
        "0.13", (980, 26000), (7, 30),
    ),
    ProductFamily(
        "BP", "变频器", "{power}kW 三相380V", "VF-{code}G",
        {"name": ("通用变频器", "矢量变频器"), "unit": ("台",),
         "power|code|price": ("0.75|0R7|620", "1.5|1R5|760", "2.2|2R2|880", "4|004|1150",
                              "5.5|5R5|1450", "7.5|7R5|1750", "11|011|2500", "15|015|3100",
                              "22|022|4300", "37|037|7200")},
        "0.13", (589, 8640), (5, 20),
    ),
    ProductFamily(
        "YB", "仪器仪表", "量程 {range} 精度 {accuracy}级 4–20mA", "PT{series}-{accuracy}",
        {"name": ("压力变送器", "扩散硅压力变送器", "差压变送器"), "unit": ("台",),
         "range": ("0–100kPa", "0–0.6MPa", "0–1.6MPa", "0–2.5MPa", "0–10MPa"),
         "accuracy": ("0.1", "0.25", "0.5"), "series": ("100", "200", "300")},
        "0.13", (360, 9800), (5, 20),
    ),
    ProductFamily(
        "JG", "紧固件", "M{diameter}×{length} {grade}级 {finish}", "M{diameter}-{length}-{grade}",
        {"name": ("六角头螺栓", "全螺纹六角头螺栓", "内六角圆柱头螺钉"), "unit": ("箱", "千克"),
         "diameter": ("6", "8", "10", "12", "16", "20"),
         "length": ("20", "30", "40", "50", "60", "80"), "grade": ("4.8", "8.8", "10.9"),
         "finish": ("镀锌", "发黑", "达克罗")},
        "0.13", (12, 680), (2, 7),
    ),
    ProductFamily(
        "RH", "润滑油", "黏度等级 {viscosity} 包装 {pack}", "{series}{viscosity}",
        {"name|series|viscosity": ("工业齿轮油|L-CKC|150", "工业齿轮油|L-CKC|220",
                                   "工业齿轮油|L-CKC|320", "抗磨液压油|L-HM|32",
                                   "抗磨液压油|L-HM|46", "抗磨液压油|L-HM|68"),
         "pack|unit": ("18L/桶，1桶/箱|箱", "4L×4桶/箱|箱", "散装|千克")},
        "0.13", (60, 1500), (2, 7),
    ),
    ProductFamily(
        "SS", "输送带", "带宽 {width}mm {plies}层 EP{strength}", "EP{strength}-{width}×{plies}",
        {"name": ("橡胶输送带", "耐热输送带", "阻燃输送带"), "unit": ("米",),
         "width": ("500", "650", "800", "1000", "1200"), "plies": ("3", "4", "5"),
         "strength": ("100", "150", "200", "250")},
        "0.13", (45, 980), (7, 20),
    ),
    ProductFamily(
        "NJ", "农业机械", "配套动力 {power}kW", "{series}-{power}",
        {"name|series": ("微耕机|1WG", "手扶拖拉机|DF", "植保喷雾机|3WZ", "玉米脱粒机|5TY"),
         "unit": ("台",), "power": ("4.0", "5.5", "7.5", "9.6", "13.2")},
        "0.09", (1200, 15800), (7, 30),
    ),
    ProductFamily(
        "AZ", "安装服务", "{scope} 含辅材 工期{days}天", "AZ-{scope_code}{days}",
        {"name": ("设备安装工程", "管道安装工程", "电气安装工程"), "unit": ("套",),
         "scope|scope_code": ("单台设备|S", "生产线|L", "车间|W"),
         "days": ("1", "3", "5", "10")},
        "0.09", (800, 48000), (3, 15),
    ),
    ProductFamily(
        "JF", "技术服务", "{days}人天 {place}", "JF-{days}",
        {"name": ("设备调试服务", "年度维保服务", "操作培训服务", "技术咨询服务"), "unit": ("套",),
         "days": ("1", "2", "5", "10", "20"), "place": ("现场服务", "远程服务")},
        "0.06", (500, 30000), (1, 10),
    ),
)
# fmt: on
UNITS: tuple[str, ...] = ("台", "套", "件", "箱", "米", "千克", "吨")
TAX_RATES: tuple[str, ...] = ("0.13", "0.09", "0.06")

# --- The relationship with each customer: status, credit grade, needs and interactions ----
# Stored values are the model's choices (customers.models); the story ends on REFERENCE_DATE,
# a fixed day rather than today, so the same seed always tells the same story.
REFERENCE_DATE = dt.date(2026, 11, 1)
TIME_ZONE = "Asia/Shanghai"

# fmt: off
# (status, weight) before the few blacklisted customers are set apart by their index.
CUSTOMER_STATUSES: tuple[tuple[str, int], ...] = (
    ("active", 76), ("prospect", 12), ("dormant", 12),
)
# Every BLACKLIST_EVERY-th customer, counted from BLACKLIST_FIRST, is blacklisted: two in 200.
BLACKLIST_FIRST, BLACKLIST_EVERY = 47, 100
# Prospects and blacklisted customers stay at C; of the others about 34 % are A, 51 % B and
# 15 % C, which makes about 30 % A, 45 % B and 25 % C over all customers.
GRADES: tuple[tuple[str, int], ...] = (("A", 34), ("B", 51), ("C", 15))
# Credit limits in units of 10,000 yuan (万元): (lowest, highest, step).
CREDIT_LIMITS: Mapping[str, tuple[int, int, int]] = {"A": (30, 100, 5), "B": (5, 30, 1)}

# (kind, weight): calls and WeChat are daily business, faxes are rare by now.
INTERACTION_KINDS: tuple[tuple[str, int], ...] = (
    ("call", 35), ("visit", 18), ("email", 20), ("chat", 22), ("fax", 5),
)
# Templates over {contact} (the person spoken to), {product}, {quantity} and {unit}.
INTERACTION_SUMMARIES: Mapping[str, tuple[str, ...]] = {
    "call": (
        "电话回访{contact}，了解{product}使用情况，反馈运行稳定，计划下季度追加采购。",
        "{contact}来电询价：{product}{quantity}{unit}，要求三个工作日内报价并注明交期。",
        "与{contact}电话确认{product}交期，客户希望提前一周到货，已请生产部评估。",
        "电话催收上批货款，{contact}答复本月底前安排付款。",
        "{contact}来电反映{product}外包装破损，已登记并安排售后跟进。",
    ),
    "visit": (
        "拜访{contact}并参观生产车间，客户计划新建生产线，对{product}有采购意向。",
        "上门年度回访，听取{contact}对产品质量和售后服务的意见，整体满意。",
        "与{contact}当面洽谈年度框架协议，初步约定{product}年用量约{quantity}{unit}。",
        "陪同技术人员与{contact}到现场查看{product}安装条件，已收集图纸和参数。",
    ),
    "email": (
        "收到{contact}邮件询价单：{product}{quantity}{unit}，已转报价。",
        "邮件发送{product}技术资料和最新价格表给{contact}。",
        "{contact}邮件确认收货地址变更及开票信息。",
        "邮件发送对账单，{contact}核对无误后回复确认。",
    ),
    "chat": (
        "微信沟通{product}安装调试问题，已远程指导{contact}解决。",
        "{contact}微信咨询{product}现货库存，约定下周下单。",
        "企业微信发送发货单和物流单号给{contact}。",
        "{contact}微信发来{product}铭牌照片，确认替换型号。",
    ),
    "fax": (
        "收到{contact}传真的盖章采购意向书：{product}{quantity}{unit}。",
        "传真发送对账单，请{contact}核对盖章后回传。",
    ),
}
# A prospect has not bought yet: first contacts, catalogues and quotes.
PROSPECT_SUMMARIES: Mapping[str, tuple[str, ...]] = {
    "call": (
        "电话开发：向{contact}介绍我司{product}，对方有兴趣，约定寄送样本和报价。",
        "{contact}来电询价：{product}{quantity}{unit}，要求三个工作日内报价并注明交期。",
    ),
    "visit": (
        "首次拜访{contact}，介绍公司和{product}，了解到客户明年有设备更新计划。",
        "邀请{contact}来厂参观，演示{product}，客户将内部评估后回复。",
    ),
    "email": (
        "邮件发送{product}技术资料和最新价格表给{contact}。",
        "收到{contact}邮件询价单：{product}{quantity}{unit}，已转报价。",
    ),
    "chat": (
        "添加{contact}微信，发送公司介绍和{product}产品手册。",
        "{contact}微信咨询{product}现货库存和价格，已报价待回复。",
    ),
    "fax": ("收到{contact}传真的询价单：{product}{quantity}{unit}。",),
}
BLACKLIST_SUMMARY = "货款逾期超过180天，多次催收未果，经总经理批准列入黑名单，停止接单和赊销。"
# Order quantities that suit each unit.
QUANTITIES: Mapping[str, tuple[int, ...]] = {
    "米": (200, 500, 1000, 2000), "千克": (100, 300, 500, 1000), "吨": (5, 10, 20, 50),
    "箱": (10, 20, 50, 100), "件": (5, 10, 20, 50), "台": (1, 2, 3, 5, 10, 20),
    "套": (1, 2, 3, 5),
}

NEEDS: tuple[str, ...] = (
    "送货前一天电话通知仓库，仅工作日8:00-17:00收货。",
    "增值税专用发票随货寄出，备注栏注明合同号。",
    "每批货须附产品合格证和材质证明。",
    "对账单每月25日前发送至客户财务邮箱。",
    "外包装须标注客户物料编码和采购订单号。",
    "设备到货后需我方工程师到现场安装调试。",
    "对价格敏感，同等质量下优先选择报价低的型号。",
    "希望签订年度框架协议，锁定全年单价。",
    "紧急订单要求48小时内发货。",
    "只接受木箱包装，不接受拼箱运输。",
    "要求提供一年质保及24小时内售后响应。",
    "采购须走客户的供应商平台下单，报价需在平台上提交。",
)
# Templates over {product} and {amount} (万元), by the generator's kind of customer.
COOPERATION_INTENTS: Mapping[str, tuple[str, ...]] = {
    "end_user": (
        "采购{product}用于自有生产线，看重质量稳定和交期，预计年采购额约{amount}万元。",
        "老设备更新改造，计划分批替换为我司{product}，预算约{amount}万元。",
    ),
    "distributor": (
        "作为区域经销商销售我司{product}等产品，年采购目标约{amount}万元。",
        "希望取得区域经销权，首批备货{product}，预计金额约{amount}万元。",
    ),
    "agent": (
        "代理我司{product}参与当地项目投标，按项目采购，预计约{amount}万元。",
    ),
}
DEPARTURE_REASONS: tuple[str, ...] = (
    "联系人已离职，工作由同事接替。",
    "联系人调往集团其他子公司，不再负责我司业务。",
    "联系人内部调岗，不再负责采购。",
    "联系人已退休。",
)
# fmt: on

"""The ledger's columns: the import template's headers, the names real sheets use for
them, and the kind of value each holds.

The canonical headers are Chinese and fixed: they are the file format (the template, the
enterprise export and the error report all use them), not user-interface text, so they
do not change with the interface language. The notes on each column are translated.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Value kinds; validation.py has one parser per kind.
TEXT, USCC, COMMUNITY, CHOICE, BOOL, COUNT, DATE, CHAIN, NAMES = (
    "text",
    "uscc",
    "community",
    "choice",
    "bool",
    "count",
    "date",
    "chain",
    "names",
)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str
    note: str
    synonyms: tuple[str, ...] = ()
    max_length: int = 0


COLUMNS = [
    # The enterprise
    Column(
        "name",
        "企业名称",
        TEXT,
        _("Required. The registered name."),
        ("单位名称", "企业全称", "公司名称", "名称", "企业单位名称", "单位全称"),
        200,
    ),
    Column(
        "uscc",
        "统一社会信用代码",
        USCC,
        _("Required, 18 characters. Each enterprise appears once; rows are matched on it."),
        ("信用代码", "社会信用代码", "统一信用代码", "统一代码", "社会统一信用代码"),
    ),
    Column(
        "community",
        "所属社区",
        COMMUNITY,
        _(
            "Required for a new enterprise. A community in your area; where two streets "
            "have a community of that name, write street/community."
        ),
        ("社区", "社区名称", "所在社区", "所属社区经合社", "社区经合社", "所属村居", "经合社"),
    ),
    Column(
        "address", "地址", TEXT, "", ("注册地址", "经营地址", "企业地址", "住所", "详细地址"), 200
    ),
    Column(
        "industry",
        "行业门类",
        CHOICE,
        _("Required for a new enterprise. A section letter (C) or its name (C 制造业)."),
        ("行业", "所属行业", "行业分类", "国民经济行业分类", "行业类别"),
    ),
    Column("industry_chain", "产业链", CHAIN, _("An existing industry chain."), ("所属产业链",)),
    Column(
        "ownership",
        "经济类型",
        CHOICE,
        "私营 / 港澳台 / 外资 / 其他",
        ("所有制", "企业类型", "所有制类型", "企业性质", "登记注册类型"),
    ),
    Column("size", "企业规模", CHOICE, "大型 / 中型 / 小型 / 微型", ("规模", "规模类型")),
    Column("above_scale", "规上企业", BOOL, "是 / 否", ("是否规上", "规模以上", "是否规模以上")),
    Column(
        "employees",
        "从业人数",
        COUNT,
        "",
        ("职工人数", "员工人数", "职工数", "员工数", "从业人员", "从业人员数"),
    ),
    Column(
        "investor_is_member",
        "出资人是否党员",
        BOOL,
        "是 / 否",
        ("出资人党员", "投资人是否党员", "出资人是否为党员"),
    ),
    Column("contact_name", "联系人", TEXT, "", ("联系人姓名",), 50),
    Column("contact_phone", "联系电话", TEXT, "", ("电话", "联系方式", "手机", "手机号码"), 30),
    Column(
        "tracked_since",
        "纳入管理日期",
        DATE,
        _("Empty for a new enterprise: the day of the import."),
        ("纳管日期", "纳入日期", "建档日期"),
    ),
    Column(
        "status",
        "经营状态",
        CHOICE,
        _("在营 / 歇业 / 注销 / 迁出; empty for a new enterprise: 在营."),
        ("状态", "企业状态"),
    ),
    Column(
        "status_date",
        "状态变更日期",
        DATE,
        _("Required when the status is not 在营."),
        ("状态日期", "歇业注销迁出日期"),
    ),
    # Its party organisation
    Column(
        "org_name",
        "党组织名称",
        TEXT,
        _(
            "The organisation that covers the enterprise. Found by name in your area, "
            "otherwise created."
        ),
        ("党组织", "所属党组织", "党组织全称"),
        200,
    ),
    Column(
        "org_level",
        "党组织类别",
        CHOICE,
        _("党委 / 党总支 / 党支部; empty for a new organisation: 党支部."),
        ("党组织级别", "组织类别", "党组织类型"),
    ),
    Column(
        "org_formation",
        "组建方式",
        CHOICE,
        _("单独组建 / 联合组建 / 区域/挂靠; required for a new organisation."),
        ("党组织组建方式", "组建形式"),
    ),
    Column(
        "org_established",
        "党组织成立日期",
        DATE,
        _("Required for a new organisation."),
        ("党组织成立时间", "组织成立日期"),
    ),
    Column(
        "org_secretary",
        "党组织书记",
        TEXT,
        "",
        ("书记", "支部书记", "书记姓名", "党组织书记姓名"),
        50,
    ),
    # Its members (one membership return)
    Column(
        "return_date",
        "党员统计日期",
        DATE,
        _("The day the member counts describe; required with the counts."),
        ("统计日期", "填报日期", "统计截止日期", "党员情况日期"),
    ),
    Column("formal", "正式党员", COUNT, "", ("正式党员数", "正式党员人数", "党员数", "党员人数")),
    Column("probationary", "预备党员", COUNT, "", ("预备党员数", "预备党员人数")),
    Column("development_targets", "发展对象", COUNT, "", ("发展对象数", "发展对象人数")),
    Column("activists", "入党积极分子", COUNT, "", ("积极分子", "积极分子数", "入党积极分子数")),
    Column("applicants", "入党申请人", COUNT, "", ("申请人", "入党申请人数")),
    # Work coverage
    Column(
        "liaison",
        "党建指导员",
        NAMES,
        _("One or more names separated by 、 or commas. Found by name in your area, or created."),
        ("党建专员", "指导员", "联络员", "党建联络员", "党建指导员专员"),
    ),
    Column("union", "工会成立日期", DATE, "", ("工会", "工会组建日期", "工会成立时间")),
    Column(
        "youth_league",
        "共青团成立日期",
        DATE,
        "",
        ("共青团", "团组织成立日期", "团支部成立日期", "共青团组织成立日期"),
    ),
    Column("women", "妇联成立日期", DATE, "", ("妇联", "妇联组织成立日期", "妇女组织成立日期")),
]

BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED_HEADERS = ("name", "uscc")  # without these a sheet is not a ledger
ENTERPRISE_KEYS = [c.key for c in COLUMNS[: [c.key for c in COLUMNS].index("org_name")]]
ORG_KEYS = ["org_name", "org_level", "org_formation", "org_established", "org_secretary"]
COUNT_KEYS = ["formal", "probationary", "development_targets", "activists", "applicants"]
MASS_KEYS = ["union", "youth_league", "women"]

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|<[^>]*>")
_NOISE = re.compile(r"[\s*:：/、_\-]")


def normalize_header(text):
    """统一社会信用代码（18位） → 统一社会信用代码; full-width, spaces, marks and notes removed."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = _BRACKETED.sub("", text)
    return _NOISE.sub("", text).lower()


_LOOKUP = {}
for _column in COLUMNS:
    for _name in (_column.header, _column.key, *_column.synonyms):
        _LOOKUP.setdefault(normalize_header(_name), _column.key)


def key_for_header(text):
    """The column key a header names, or None."""
    return _LOOKUP.get(normalize_header(text)) if text not in (None, "") else None

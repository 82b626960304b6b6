"""The enterprise ledger (企业台账) as a sheet of the ledger framework (``ledger.spec``).

One row per enterprise, with its party organisation, membership return, liaisons and
工会 / 共青团 / 妇联. The columns are the template's; the canonical headers are Chinese
and fixed (they are the file format: the template, the enterprise export and the error
report all use them), the notes are translated. What a row does is planned in
``sheet_planner.py`` (docs/IMPORT.md explains it for users); ``EnterpriseSheet.write``
is the one function that writes a confirmed enterprise import.
"""

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger import cells
from ledger.changes import scope_communities
from ledger.spec import BOOL, CHOICE, COUNT, DATE, NAME, NAMES, TEXT, Column, SheetSpec

from . import uscc as uscc_rules
from .models import Enterprise, Industry, PartyOrganization

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


def parse_uscc(value, column):
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise cells.CellError(
            "uscc_number",
            _(
                "Excel stored this code as a number (%(value)s), which loses its last digits. "
                "Format the column as text and type the code again."
            )
            % {"value": cells.shown(value)},
        )
    text = unicodedata.normalize("NFKC", str(value)).strip().lstrip("'")  # '9137… forced text
    if _SCIENTIFIC.match(text.replace(" ", "")):
        raise cells.CellError(
            "uscc_scientific",
            _(
                "This code is in scientific notation (%(value)s): Excel turned it into a number "
                "and lost digits. Format the column as text and type the code again."
            )
            % {"value": text},
        )
    try:
        return uscc_rules.validate(text)
    except ValidationError as error:
        raise cells.CellError(f"uscc_{error.code}", " ".join(error.messages)) from None


COLUMNS = [
    # The enterprise
    Column(
        "name",
        "企业名称",
        TEXT,
        gettext_lazy("Required. The registered name."),
        ("单位名称", "企业全称", "公司名称", "名称", "企业单位名称", "单位全称"),
        required=True,
        max_length=200,
    ),
    Column(
        "uscc",
        "统一社会信用代码",
        TEXT,
        gettext_lazy(
            "Required, 18 characters. Each enterprise appears once; rows are matched on it."
        ),
        ("信用代码", "社会信用代码", "统一信用代码", "统一代码", "社会统一信用代码"),
        parse=parse_uscc,
        as_text=True,
    ),
    Column(
        "community",
        "所属社区",
        NAME,
        gettext_lazy(
            "Required for a new enterprise. A community in your area; where two streets "
            "have a community of that name, write street/community."
        ),
        ("社区", "社区名称", "所在社区", "所属社区经合社", "社区经合社", "所属村居", "经合社"),
    ),
    Column(
        "address",
        "地址",
        TEXT,
        "",
        ("注册地址", "经营地址", "企业地址", "住所", "详细地址"),
        max_length=200,
    ),
    Column(
        "industry",
        "行业门类",
        CHOICE,
        gettext_lazy("Required for a new enterprise. A section letter (C) or its name (C 制造业)."),
        ("行业", "所属行业", "行业分类", "国民经济行业分类", "行业类别"),
        choices=Industry,
    ),
    Column("industry_chain", "产业链", NAME, _("An existing industry chain."), ("所属产业链",)),
    Column(
        "ownership",
        "经济类型",
        CHOICE,
        "私营 / 港澳台 / 外资 / 其他",
        ("所有制", "企业类型", "所有制类型", "企业性质", "登记注册类型"),
        choices=Enterprise.Ownership,
        words={
            "private": ["民营", "私营企业", "民营企业", "个体", "私人"],
            "hmt": ["港澳台商投资", "港澳台资", "港澳台投资"],
            "foreign": ["外商投资", "外商独资", "中外合资", "外资企业"],
            "other": ["其它"],
        },
    ),
    Column(
        "size",
        "企业规模",
        CHOICE,
        "大型 / 中型 / 小型 / 微型",
        ("规模", "规模类型"),
        choices=Enterprise.Size,
        words={
            "large": ["大", "大型企业"],
            "medium": ["中", "中型企业"],
            "small": ["小", "小型企业"],
            "micro": ["微", "微型企业"],
        },
    ),
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
    Column("contact_name", "联系人", TEXT, "", ("联系人姓名",), max_length=50),
    Column(
        "contact_phone",
        "联系电话",
        TEXT,
        "",
        ("电话", "联系方式", "手机", "手机号码"),
        max_length=30,
        fold=True,
    ),
    Column(
        "tracked_since",
        "纳入管理日期",
        DATE,
        gettext_lazy("Empty for a new enterprise: the day of the import."),
        ("纳管日期", "纳入日期", "建档日期"),
    ),
    Column(
        "status",
        "经营状态",
        CHOICE,
        gettext_lazy("在营 / 歇业 / 注销 / 迁出; empty for a new enterprise: 在营."),
        ("状态", "企业状态"),
        choices=Enterprise.Status,
        words={
            "operating": ["存续", "开业", "正常", "正常经营", "营业"],
            "suspended": ["停业"],
            "deregistered": ["吊销"],
        },
    ),
    Column(
        "status_date",
        "状态变更日期",
        DATE,
        gettext_lazy("Required when the status is not 在营."),
        ("状态日期", "歇业注销迁出日期"),
    ),
    # Its party organisation
    Column(
        "org_name",
        "党组织名称",
        TEXT,
        gettext_lazy(
            "The organisation that covers the enterprise. Found by name in your area, "
            "otherwise created."
        ),
        ("党组织", "所属党组织", "党组织全称"),
        max_length=200,
    ),
    Column(
        "org_level",
        "党组织类别",
        CHOICE,
        gettext_lazy("党委 / 党总支 / 党支部; empty for a new organisation: 党支部."),
        ("党组织级别", "组织类别", "党组织类型"),
        choices=PartyOrganization.Level,
        words={"general_branch": ["总支"], "branch": ["支部", "联合党支部"]},
    ),
    Column(
        "org_formation",
        "组建方式",
        CHOICE,
        gettext_lazy("单独组建 / 联合组建 / 区域/挂靠; required for a new organisation."),
        ("党组织组建方式", "组建形式"),
        choices=PartyOrganization.Formation,
        words={
            "standalone": ["单建", "单独"],
            "joint": ["联建", "联合"],
            "regional": ["区域", "挂靠", "区域组建", "挂靠组建", "区域挂靠"],
        },
    ),
    Column(
        "org_established",
        "党组织成立日期",
        DATE,
        gettext_lazy("Required for a new organisation."),
        ("党组织成立时间", "组织成立日期"),
    ),
    Column(
        "org_secretary",
        "党组织书记",
        TEXT,
        "",
        ("书记", "支部书记", "书记姓名", "党组织书记姓名"),
        max_length=50,
    ),
    # Its members (one membership return)
    Column(
        "return_date",
        "党员统计日期",
        DATE,
        gettext_lazy(
            "The day the member counts describe; required with the counts. Without this "
            "column: the date given once at the top of the sheet (填报日期：…, 截至…), or "
            "the one chosen when uploading."
        ),
        ("统计日期", "填报日期", "统计截止日期", "党员情况日期", "截止日期"),
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
        gettext_lazy(
            "One or more names separated by 、 or commas. Found by name in your area, or created."
        ),
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
MASS_KINDS = {"union": "union", "youth_league": "youth_league", "women": "women"}
CHOICE_CLASSES = {c.key: c.choices for c in COLUMNS if c.kind == CHOICE}


def choice_labels(key):
    """{value: label} as written to ledger files (Chinese: the file format is Chinese)."""
    return cells.choice_labels(BY_KEY[key])


def choice_label(key, value):
    return choice_labels(key)[value]


class EnterpriseSheet(SheetSpec):
    kind = "enterprises"
    label = "企业台账"
    title = gettext_lazy("Import enterprises")
    description = gettext_lazy(
        "Upload a ledger (台账) with one row per enterprise. You will see what each row "
        "would do — new, update, unchanged or error — before anything is saved. Rows are "
        "matched on the USCC."
    )
    columns = COLUMNS
    key = ("uscc",)
    required_headers = REQUIRED_HEADERS
    as_of_column = "return_date"
    model = Enterprise
    preview_columns = ((gettext_lazy("Enterprise"), "name"), (gettext_lazy("USCC"), "uscc"))
    tabs_template = "enterprises/_tabs.html"
    tab = "enterprises"
    list_url = "enterprises:list"
    list_label = gettext_lazy("Go to the enterprise list")

    @property
    def row_class(self):
        from .sheet_planner import EnterpriseRow

        return EnterpriseRow

    def clean(self, row, plan):
        """Cells that only make sense together: an organisation needs its name, counts
        a date (the row's own, or the one given for the whole sheet)."""
        values = row.values
        if not values.get("org_name") and not row.has_error("org_name"):
            filled = [k for k in ORG_KEYS[1:] if values.get(k) is not None]
            if filled:
                row.error(
                    "org_name",
                    "org_name_missing",
                    _("The organisation's %(column)s is filled in, but its name is empty.")
                    % {"column": _header(plan, filled[0])},
                )
        counts = [k for k in COUNT_KEYS if values.get(k) is not None]
        if counts and values.get("return_date") is None and not row.has_error("return_date"):
            day = plan.date_for(row) if plan is not None else None
            if day is not None:
                values["return_date"] = day
            elif not row.has_error("return_date"):
                row.error(
                    "return_date",
                    "return_date_missing",
                    _("Member counts are filled in, but the date they describe is empty."),
                )

    def links(self, raw):
        """Rows naming the same USCC or the same organisation are planned together."""
        code, org = raw.get("uscc"), raw.get("org_name")
        return (
            ("uscc", uscc_rules.normalize(code)) if code not in (None, "") else None,
            ("org", str(org).strip()) if org not in (None, "") else None,
        )

    def plan(self, plan):
        from .sheet_planner import Planner

        Planner(plan).run()

    def settle(self, row, plan):
        enterprise = row.enterprise
        if not row.clean.errors and enterprise and enterprise.archived_at and row.changes:
            row.error(
                "uscc",
                "archived",
                _("This enterprise is archived; restore it on its page before importing changes."),
            )

    def release(self, row):
        row.enterprise = row.return_obj = row.org = None
        row.liaisons = row.mass_new = row.mass_changed = ()

    def committing(self):
        # The stored state of every enterprise written is refreshed once, at the end of
        # the commit, instead of after every bulk write (enterprises/state.py).
        from . import state

        return state.deferred()

    def write(self, plan, rows):
        """The commit of an enterprise import, a chunk of rows at a time (inside the
        commit's transaction and audit context): the organisations and liaisons these
        rows are the first to need, then the rows' records."""
        from .sheet_planner import write_rows

        write_rows(rows, plan)

    def examples(self, user):
        community = scope_communities(user).order_by("pk").first()
        community_name = community.name if community else "水城路社区"
        first = {
            "name": "青岛海晟智能装备有限公司",
            "uscc": uscc_rules.make("91370211MA3EXA001"),
            "community": community_name,
            "address": "胶南街道珠山路88号",
            "industry": "C 制造业",
            "ownership": "私营",
            "size": "小型",
            "above_scale": "是",
            "employees": 120,
            "investor_is_member": "否",
            "contact_name": "王经理",
            "contact_phone": "13800000001",
            "tracked_since": dt.date(2022, 3, 1),
            "status": "在营",
            "org_name": "青岛海晟智能装备有限公司党支部",
            "org_level": "党支部",
            "org_formation": "单独组建",
            "org_established": dt.date(2023, 5, 19),
            "org_secretary": "李明",
            "return_date": dt.date(2024, 6, 30),
            "formal": 5,
            "probationary": 1,
            "development_targets": 1,
            "activists": 2,
            "applicants": 3,
            "liaison": "张华",
            "union": dt.date(2022, 7, 1),
        }
        second = {
            "name": "青岛蓝湾电子商务有限公司",
            "uscc": uscc_rules.make("91370211MA3EXB002"),
            "community": community_name,
            "address": "胶南街道水城路6号",
            "industry": "I 信息传输、软件和信息技术服务业",
            "ownership": "私营",
            "size": "微型",
            "above_scale": "否",
            "employees": 18,
            "investor_is_member": "是",
            "contact_name": "赵女士",
            "contact_phone": "0532-86000000",
            "status": "在营",
            "return_date": dt.date(2024, 6, 30),
            "formal": 1,
            "probationary": 0,
            "liaison": "张华",
        }
        return [first, second]

    def template_notes(self):
        return [
            _(
                "An empty cell clears an optional enterprise field; a missing column leaves "
                "that field unchanged. Organisations, returns, liaisons and 工青妇 are never "
                "deleted."
            ),
        ]


def _header(plan, key):
    return plan.header(key) if plan is not None else BY_KEY[key].header


SHEET = EnterpriseSheet()


def clean_row(number, cells_by_key, plan=None):
    """One row's cells → values and errors, without the database (tests, scripts)."""
    from ledger.importer import Cleaner

    return Cleaner(SHEET, plan).clean(number, cells_by_key)


def current_mass(organizations, kind, day):
    """The active mass organisation of a kind at ``day`` (the latest established)."""
    from core.dated import holds_on

    active = [
        m
        for m in organizations
        if m.kind == kind and holds_on(m.established_on, m.dissolved_on, day)
    ]
    return max(active, key=lambda m: (m.established_on, m.pk), default=None)

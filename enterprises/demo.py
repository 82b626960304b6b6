"""Demo enterprises for ``manage.py seed_demo [--scale N]``.

Two parts:

1. **The article's enterprises** (青岛海容商用冷链, 华天车辆, 康恒环保能源, 世纪海佳机械,
   海之冠汽车配件) in 胶南街道, with their organisations, two years of membership returns,
   liaisons, 工青妇, transfers and industry chains. Made through the normal ORM (and the
   services' rules), so the audit trail records every one of them. Skipped when
   海容 already exists.
2. **Synthetic enterprises**, deterministic (``random.Random`` with fixed seeds), so that
   each street has about 1,500 operating enterprises (default), or the district has
   ``--scale N`` enterprises in total. They span every coverage state and member band,
   with two years of dated history (organisations established at different dates,
   coverages starting later, returns at several dates, closures), so figures for last
   year and today differ. Only the missing enterprises are added: running twice adds
   nothing the second time.

Synthetic rows are inserted with a plain ``QuerySet(Model).bulk_create``, which skips the
audit trail's per-object ``Change`` rows: they are generated benchmark data that no
person entered, and an audit row per generated record would only double the volume.
They also bypass the keeping of the stored state (``state.py``), so ``seed`` rebuilds it
at the end.
"""

import datetime as dt
import itertools
import math
import random
import time
from collections import Counter, defaultdict

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from areas.demo import DISTRICT
from areas.models import Area

from . import coverage as cov
from . import demo_data as data
from . import services, state, uscc
from .models import (
    Coverage,
    Enterprise,
    EnterpriseState,
    IndustryChain,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    MembershipTransfer,
    PartyOrganization,
    add_years,
)

SEED = 20250519
STREETS = ["胶南街道", "红石崖街道"]
DEFAULT_OPERATING_PER_STREET = 1500
HISTORY_DAYS = 730  # "the past two years"
CHUNK = 2000  # enterprises planned and written per round
BULK = 1000  # rows per INSERT
ENTERPRISES_PER_LIAISON = 40

Level = PartyOrganization.Level
Formation = PartyOrganization.Formation
Status = Enterprise.Status

# Coverage state at the enterprise's last operating day (today, or the day before it closed).
STATE_WEIGHTS = {cov.STANDALONE: 15, cov.JOINT: 20, cov.REGIONAL: 10, cov.WORK_ONLY: 25}
STATE_WEIGHTS[cov.UNCOVERED] = 100 - sum(STATE_WEIGHTS.values())
# Member band by coverage state (unknown = no return at all).
BAND_WEIGHTS = {
    cov.STANDALONE: {cov.MANY: 100},
    cov.JOINT: {cov.ZERO: 12, cov.FEW: 74, cov.MANY: 12, cov.UNKNOWN: 2},
    cov.REGIONAL: {cov.ZERO: 40, cov.FEW: 47, cov.MANY: 8, cov.UNKNOWN: 5},
    cov.WORK_ONLY: {cov.ZERO: 55, cov.FEW: 27, cov.MANY: 5, cov.UNKNOWN: 13},
    cov.UNCOVERED: {cov.ZERO: 60, cov.FEW: 12, cov.MANY: 3, cov.UNKNOWN: 25},
}
JOINT_SIZES = {2: 30, 3: 30, 4: 22, 5: 15, 6: 3}  # a few of 6 trip the "more than 5" alert
MASS_KINDS = {
    MassOrganization.Kind.UNION: 70,
    MassOrganization.Kind.YOUTH_LEAGUE: 15,
    MassOrganization.Kind.WOMEN: 15,
}
# Chance of each mass organisation by coverage state (covered enterprises form them too).
MASS_CHANCE = {
    cov.STANDALONE: (0.8, 0.45, 0.5),
    cov.JOINT: (0.4, 0.12, 0.2),
    cov.REGIONAL: (0.3, 0.08, 0.1),
}
LIAISON_CHANCE = {cov.STANDALONE: 0.5, cov.JOINT: 0.7, cov.REGIONAL: 0.5}


def seed(command, scale):
    started = time.monotonic()
    today = timezone.localdate()
    chains = {name: IndustryChain.objects.get_or_create(name=name)[0] for name in data.CHAINS}
    _seed_article(command, today, chains)
    added = Synthetic(command, today, chains).run(scale)
    if added:
        _analyze()
    if added or not EnterpriseState.objects.exists():
        # The synthetic rows bypass the audited managers, and so the keeping of the state.
        rebuilt = time.monotonic()
        report = state.rebuild()
        command.stdout.write(
            f"State: {report.enterprises:,} enterprises, +{report.inserted:,} intervals "
            f"({time.monotonic() - rebuilt:.1f} s)"
        )
        _analyze([EnterpriseState])
    command.stdout.write(
        f"Enterprises: {Enterprise.objects.count():,} in total ({time.monotonic() - started:.1f} s)"
    )


# ---------------------------------------------------------------------------
# Helpers


def _days_ago(today, days):
    return today - dt.timedelta(days=days)


def _day_between(rng, lo, hi):
    """A random day in [lo, hi]; ``hi`` when the range is empty."""
    span = (hi - lo).days
    return hi if span <= 0 else lo + dt.timedelta(days=rng.randint(0, span))


def _size_for(employees):
    if employees >= 1000:
        return Enterprise.Size.LARGE
    if employees >= 300:
        return Enterprise.Size.MEDIUM
    if employees >= 20:
        return Enterprise.Size.SMALL
    return Enterprise.Size.MICRO


def _last_election(rng, established, level, today):
    """The last term change so far (None if none); ~12 % skipped one (overdue)."""
    term = PartyOrganization.TERM_YEARS[level]
    terms = 0
    while add_years(established, term * (terms + 1)) <= today:
        terms += 1
    if terms and rng.random() < 0.12:
        terms -= 1
    if not terms:
        return None
    day = add_years(established, term * terms) + dt.timedelta(days=rng.randint(-60, 20))
    return max(established + dt.timedelta(days=1), min(day, today))


def _analyze(models=None):
    """Refresh PostgreSQL's planner statistics after a bulk load, so that the first
    queries (and benchmarks) do not plan against empty-table estimates."""
    if connection.vendor != "postgresql":
        return
    if models is None:
        models = [Enterprise, PartyOrganization, Coverage, MembershipReturn, Liaison]
        models += [LiaisonAssignment, MassOrganization, MembershipTransfer]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _insert(model, objs):
    """Insert generated rows without one audit ``Change`` per row (see module docstring)."""
    if objs:
        QuerySet(model).bulk_create(objs, batch_size=BULK)
    return len(objs)


# ---------------------------------------------------------------------------
# 1. The article's enterprises (normal ORM: audited)

HAIRONG = "青岛海容商用冷链股份有限公司"

# The article's five enterprises and two fictional neighbours of 海之冠 (its joint branch).
# "uscc" is the 17-character body; the check character is computed.
ARTICLE = [
    {
        "key": "hairong",
        "name": HAIRONG,
        "community": "珠山路社区",
        "address": "山东省青岛市黄岛区珠山路1号",
        "industry": "C",
        "chain": "智能家电",
        "employees": 2300,
        "above_scale": True,
        "contact": ("刘晓琳", "0532-86100001"),
        "uscc": "91370211763600001",
    },
    {
        "key": "huatian",
        "name": "青岛华天车辆有限公司",
        "community": "水城路社区",
        "address": "山东省青岛市黄岛区水城路266号",
        "industry": "C",
        "chain": "新能源汽车零部件",
        "employees": 860,
        "above_scale": True,
        "contact": ("王志刚", "0532-86100002"),
        "uscc": "91370211763600002",
    },
    {
        "key": "kangheng",
        "name": "青岛西海岸康恒环保能源有限公司",
        "community": "琅琊台农村社区",
        "address": "山东省青岛市黄岛区琅琊台路88号",
        "industry": "D",
        "chain": None,
        "employees": 210,
        "above_scale": True,
        "contact": ("孙海燕", "0532-86100003"),
        "uscc": "91370211MA3C00003",
    },
    {
        "key": "haijia",
        "name": "青岛世纪海佳机械有限公司",
        "community": "铁山路社区",
        "address": "山东省青岛市黄岛区铁山路519号",
        "industry": "C",
        "chain": "智能装备制造",
        "employees": 320,
        "above_scale": True,
        "contact": ("陈晓东", "0532-86100004"),
        "uscc": "91370211763600004",
    },
    {
        "key": "haizhiguan",
        "name": "青岛海之冠汽车配件制造有限公司",
        "community": "水城路社区",
        "address": "山东省青岛市黄岛区水城路九号工业园B区6号厂房",
        "industry": "C",
        "chain": "新能源汽车零部件",
        "employees": 145,
        "above_scale": False,
        "contact": ("于立新", "0532-86100005"),
        "uscc": "91370211MA3C00005",
    },
    # Two small neighbours that share a joint branch with 海之冠 (fictional).
    {
        "key": "runfeng",
        "name": "青岛润丰精密模具有限公司",
        "community": "水城路社区",
        "address": "山东省青岛市黄岛区水城路九号工业园A区3号厂房",
        "industry": "C",
        "chain": "智能装备制造",
        "employees": 42,
        "above_scale": False,
        "contact": ("姜文博", "13806390006"),
        "uscc": "91370211MA3C00006",
    },
    {
        "key": "xintai",
        "name": "青岛鑫泰包装制品有限公司",
        "community": "水城路社区",
        "address": "山东省青岛市黄岛区水城路九号工业园C区1号厂房",
        "industry": "C",
        "chain": None,
        "employees": 26,
        "above_scale": False,
        "contact": ("薛春生", "15806390007"),
        "uscc": "91370211MA3C00007",
    },
]

# Membership returns, oldest first: (days ago, formal, probationary, targets, activists,
# applicants). Growth over two years, from "0" to "1" to "many" for 海之冠.
ARTICLE_RETURNS = {
    "hairong": [
        (700, 112, 4, 3, 6, 11),
        (515, 116, 3, 4, 7, 12),
        (333, 120, 4, 3, 8, 14),
        (151, 125, 3, 5, 8, 15),
        (30, 128, 5, 4, 9, 16),
    ],
    "huatian": [
        (700, 44, 2, 2, 3, 5),
        (515, 47, 2, 1, 4, 6),
        (333, 51, 1, 2, 4, 6),
        (151, 55, 2, 2, 5, 7),
        (30, 58, 2, 3, 5, 8),
    ],
    "kangheng": [(700, 15, 1, 1, 2, 3), (333, 18, 1, 1, 3, 4), (30, 21, 2, 2, 3, 4)],
    "haijia": [
        (700, 8, 1, 1, 2, 2),
        (515, 9, 1, 1, 2, 3),
        (333, 11, 1, 1, 2, 3),
        (30, 12, 2, 1, 3, 4),
    ],
    "haizhiguan": [
        (700, 0, 0, 0, 1, 2),
        (515, 1, 0, 1, 1, 2),
        (333, 2, 1, 0, 2, 3),
        (151, 3, 1, 1, 2, 3),
        (30, 4, 1, 1, 2, 4),
    ],
    "runfeng": [(515, 1, 0, 0, 1, 1), (151, 1, 0, 1, 1, 2)],
    "xintai": [(333, 2, 0, 0, 0, 1), (30, 2, 0, 0, 1, 1)],
}


# 组织关系转接: member, to organisation, enterprise, started / completed (days ago),
# status, handled by, from. 宋立强's has been in progress for 46 days: overdue.
ARTICLE_TRANSFERS = """
陈雪梅 hairong hairong 260 241 completed 张晓明 中国石油大学（华东）学生党支部
杜浩然 hairong hairong 120 - cancelled 张晓明 青岛理工大学学生党支部
许佳宁 huatian huatian 12 - in_progress 王建国 平度市同和街道流动党员党支部
姜宇 joint haizhiguan 170 152 completed 孙丽娟 日照市东港区流动党员党支部
于思涵 haizhiguan haizhiguan 9 - in_progress 孙丽娟 胶州市九龙街道某村党支部
宋立强 haijia haijia 46 - in_progress 张晓明 潍坊市寒亭区某企业党支部
郭文静 kangheng kangheng 75 58 completed 张晓明 山东科技大学研究生第三党支部
"""


def _seed_article(command, today, chains):
    if Enterprise.objects.filter(name=HAIRONG).exists():
        command.stdout.write("Article enterprises: already there, skipped.")
        return
    street = Area.objects.get(name="胶南街道", level=Area.Level.STREET, parent__name=DISTRICT)
    communities = {a.name: a for a in Area.objects.filter(parent=street)}

    def ago(days):
        return _days_ago(today, days)

    ent = {}
    for spec in ARTICLE:
        enterprise = Enterprise(
            name=spec["name"],
            uscc=uscc.make(spec["uscc"]),
            community=communities[spec["community"]],
            address=spec["address"],
            industry=spec["industry"],
            industry_chain=chains.get(spec["chain"]),
            ownership=Enterprise.Ownership.PRIVATE,
            size=_size_for(spec["employees"]),
            above_scale=spec["above_scale"],
            employees=spec["employees"],
            contact_name=spec["contact"][0],
            contact_phone=spec["contact"][1],
            tracked_since=ago(6 * 365),
        )
        enterprise.full_clean()
        enterprise.save()
        ent[spec["key"]] = enterprise

    for key, rows in ARTICLE_RETURNS.items():
        for days, formal, probationary, targets, activists, applicants in rows:
            MembershipReturn.objects.create(
                enterprise=ent[key],
                reported_on=ago(days),
                formal=formal,
                probationary=probationary,
                development_targets=targets,
                activists=activists,
                applicants=applicants,
                employees=ent[key].employees,
            )

    def organization(enterprises, since=None, **fields):
        org = PartyOrganization(**fields)
        return services.organization_create(organization=org, enterprises=enterprises, since=since)

    shuicheng = communities["水城路社区"]
    hairong = organization(
        [ent["hairong"]],
        name="青岛海容商用冷链股份有限公司委员会",
        level=Level.COMMITTEE,
        formation=Formation.STANDALONE,
        area=ent["hairong"].community,
        secretary="刘晓琳",
        established_on=ago(9 * 365),
        last_election_on=ago(4 * 365 - 40),
        red_sail=True,
        notes=(
            "党建示范点。创新实施重点项目党员职工“揭榜挂帅”制度：4个党支部、9个攻坚小队的"
            "党员职工认领“提升挂件空间利用率”等19项课题，将党建“组织力”转化为企业“生产力”。"
        ),
    )
    for number, (unit, secretary) in enumerate(
        [("研发", "赵文博"), ("制造", "高永红"), ("营销", "马思雨"), ("职能", "丁晓东")], start=1
    ):
        organization(
            [],
            name=f"海容商用冷链第{number}党支部（{unit}）",
            level=Level.BRANCH,
            formation=Formation.STANDALONE,
            parent=hairong,
            area=ent["hairong"].community,
            secretary=secretary,
            established_on=ago(9 * 365 - 30),
            last_election_on=ago(2 * 365 - 35),
        )

    # 华天: a branch that grew past 50 formal members and became a general branch.
    upgraded = ago(300)
    old_branch = organization(
        [ent["huatian"]],
        name="青岛华天车辆有限公司支部委员会",
        level=Level.BRANCH,
        formation=Formation.STANDALONE,
        area=shuicheng,
        secretary="王志刚",
        established_on=ago(7 * 365),
        dissolved_on=upgraded,
        last_election_on=ago(365 + 5),
        notes="党员人数超过50名，升格为党总支。",
    )
    services.coverage_end(coverage=old_branch.coverages.get(), until=upgraded)
    huatian = organization(
        [ent["huatian"]],
        name="青岛华天车辆有限公司总支部委员会",
        level=Level.GENERAL_BRANCH,
        formation=Formation.STANDALONE,
        area=shuicheng,
        secretary="王志刚",
        established_on=upgraded,
        red_sail=True,
        notes="党建示范点（首批）。培育“党员先锋‘救’在身边”应急服务队。",
    )
    for number, secretary in enumerate(["冯建国", "韩秀霞"], start=1):
        organization(
            [],
            name=f"华天车辆第{number}党支部",
            level=Level.BRANCH,
            formation=Formation.STANDALONE,
            parent=huatian,
            area=shuicheng,
            secretary=secretary,
            established_on=upgraded,
        )

    kangheng = organization(
        [ent["kangheng"]],
        name="青岛西海岸康恒环保能源有限公司支部委员会",
        level=Level.BRANCH,
        formation=Formation.STANDALONE,
        area=ent["kangheng"].community,
        secretary="孙海燕",
        established_on=ago(6 * 365 + 20),
        # The next term change falls within the 90-day alert window.
        last_election_on=add_years(today, -3) + dt.timedelta(days=45),
        notes="党建示范点（首批）。培育“绿城闪耀”志愿服务队。",
    )
    haijia = organization(
        [ent["haijia"]],
        name="青岛世纪海佳机械有限公司支部委员会",
        level=Level.BRANCH,
        formation=Formation.STANDALONE,
        area=ent["haijia"].community,
        secretary="李建华",
        established_on=ago(5 * 365),
        last_election_on=ago(2 * 365 - 90),
        red_sail=True,
        notes=(
            "党员郑晓斐带领团队开拓国际市场，创公司出口销量新高，受邀参加市委组织部"
            "“灯塔领读”主题交流分享会。与中国石油大学（华东）签订党建共建协议。"
        ),
    )
    # 海之冠: no organisation, then a joint branch with two neighbours, then its own
    # branch once the third formal member's relationship was transferred in.
    joint = organization(
        [ent["haizhiguan"], ent["runfeng"], ent["xintai"]],
        since=ago(420),
        name="水城路社区非公企业联合党支部",
        level=Level.BRANCH,
        formation=Formation.JOINT,
        area=shuicheng,
        secretary="孙丽娟",
        established_on=ago(420),
        red_sail=True,
        notes="水城路社区兜底发展辖区企业党员，做法被列为全区“红帆教学案例”。",
    )
    own_branch_on = ago(140)
    services.coverage_end(
        coverage=joint.coverages.get(enterprise=ent["haizhiguan"]), until=own_branch_on
    )
    haizhiguan = organization(
        [ent["haizhiguan"]],
        name="青岛海之冠汽车配件制造有限公司支部委员会",
        level=Level.BRANCH,
        formation=Formation.STANDALONE,
        area=shuicheng,
        secretary="于立新",
        established_on=own_branch_on,
    )

    # Liaisons: the street's party-building commissioner and instructors.
    zhang = Liaison.objects.create(
        name="张晓明",
        kind=Liaison.Kind.COMMISSIONER,
        unit="胶南街道党工委",
        phone="0532-86170001",
        area=street,
    )
    sun = Liaison.objects.create(
        name="孙丽娟",
        kind=Liaison.Kind.INSTRUCTOR,
        unit="水城路社区党委",
        phone="0532-86170002",
        area=shuicheng,
    )
    wang = Liaison.objects.create(
        name="王建国",
        kind=Liaison.Kind.INSTRUCTOR,
        unit="胶南街道经济发展办公室",
        phone="0532-86170003",
        area=street,
    )
    for liaison, key, start, end in [
        (zhang, "haizhiguan", ago(680), None),
        (sun, "haizhiguan", ago(600), None),
        (sun, "runfeng", ago(500), None),
        (sun, "xintai", ago(480), None),
        (wang, "hairong", ago(900), None),
        (wang, "huatian", ago(900), None),
        (wang, "haijia", ago(1200), ago(400)),
        (zhang, "haijia", ago(400), None),
        (zhang, "kangheng", ago(800), None),
    ]:
        LiaisonAssignment.objects.create(liaison=liaison, enterprise=ent[key], start=start, end=end)

    kinds = MassOrganization.Kind
    for key, kind, days in [
        ("hairong", kinds.UNION, 12 * 365),
        ("hairong", kinds.YOUTH_LEAGUE, 8 * 365),
        ("hairong", kinds.WOMEN, 6 * 365),
        ("huatian", kinds.UNION, 9 * 365),
        ("huatian", kinds.YOUTH_LEAGUE, 540),
        ("kangheng", kinds.UNION, 6 * 365),
        ("kangheng", kinds.WOMEN, 200),
        ("haijia", kinds.UNION, 7 * 365),
        ("haijia", kinds.YOUTH_LEAGUE, 300),
        ("haizhiguan", kinds.UNION, 400),
        ("haizhiguan", kinds.WOMEN, 90),
    ]:
        MassOrganization.objects.create(enterprise=ent[key], kind=kind, established_on=ago(days))

    orgs = {
        "hairong": hairong,
        "huatian": huatian,
        "kangheng": kangheng,
        "haijia": haijia,
        "joint": joint,
        "haizhiguan": haizhiguan,
    }
    for line in ARTICLE_TRANSFERS.strip().splitlines():
        member, org, key, started, completed, status, handler, from_unit = line.split()
        transfer = MembershipTransfer(
            member_name=member,
            from_unit=from_unit,
            to_organization=orgs[org],
            enterprise=ent[key],
            started_on=ago(int(started)),
            completed_on=None if completed == "-" else ago(int(completed)),
            status=status,
            handler=handler,
            notes="组织关系转接全程代办。",
        )
        transfer.full_clean()
        transfer.save()

    command.stdout.write(
        f"Article enterprises: {len(ent)} enterprises, "
        f"{PartyOrganization.objects.count()} organisations, "
        f"{MembershipTransfer.objects.count()} transfers (audited)."
    )


# ---------------------------------------------------------------------------
# 2. Synthetic enterprises (plain bulk inserts)


class Plan:
    """One generated enterprise and the facts to create around it."""

    __slots__ = (
        "enterprise",
        "state",
        "formal",
        "last_day",
        "closed",
        "org_since",
    )

    def __init__(self, enterprise, state, formal, last_day, closed):
        self.enterprise = enterprise
        self.state = state
        self.formal = formal  # final formal members; None = unknown (no return)
        self.last_day = last_day  # last day new facts may start
        self.closed = closed
        self.org_since = None  # first day the standalone organisation covers it


class Synthetic:
    def __init__(self, command, today, chains):
        self.command = command
        self.today = today
        self.window = _days_ago(today, HISTORY_DAYS)
        self.chains = chains
        self.half_years = self._half_year_ends()
        district = Area.objects.get(name=DISTRICT, level=Area.Level.DISTRICT)
        self.district = district
        self.streets = [
            Area.objects.get(name=name, parent=district, level=Area.Level.STREET)
            for name in STREETS
        ]
        self.names = set(
            Enterprise.objects.filter(community__parent__parent=district).values_list(
                "name", flat=True
            )
        )
        self.codes = set(Enterprise.objects.values_list("uscc", flat=True))
        self.next_code = Enterprise.objects.filter(
            uscc__startswith=data.SYNTHETIC_USCC_PREFIX
        ).count()
        self.community_names = {}
        self.joint_numbers = Counter(
            PartyOrganization.objects.filter(formation=Formation.JOINT).values_list(
                "area_id", flat=True
            )
        )

    def _half_year_ends(self):
        """30 June and 31 December since just before the two years shown: the usual
        reporting dates (one earlier, so that the window's first day has figures too)."""
        first = self.window - dt.timedelta(days=183)
        days = []
        for year in range(first.year, self.today.year + 1):
            for month, day in ((6, 30), (12, 31)):
                d = dt.date(year, month, day)
                if first < d < self.today:
                    days.append(d)
        return days

    # -- what to add -------------------------------------------------------

    def run(self, scale):
        """Add what is missing; return the number of enterprises added."""
        in_street = {
            s.pk: Enterprise.objects.filter(community__parent=s).count() for s in self.streets
        }
        added = 0
        if scale is None:
            for street in self.streets:
                operating = (
                    Enterprise.objects.operating_on(self.today).filter(community__parent=street)
                ).count()
                need = DEFAULT_OPERATING_PER_STREET - operating
                if need > 0:
                    added += self.add(street, in_street[street.pk], operating=need)
                else:
                    self.command.stdout.write(f"{street.name}: {operating:,} operating, complete.")
            return added
        total = Enterprise.objects.filter(community__parent__parent=self.district).count()
        missing = scale - total
        if missing <= 0:
            self.command.stdout.write(f"District: {total:,} enterprises (≥ {scale:,}), complete.")
            return 0
        # Equal shares per street; whatever one street cannot take goes to the others.
        share = scale // len(self.streets)
        needs = [max(0, share - in_street[s.pk]) for s in self.streets]
        needs[-1] += missing - sum(needs)
        for street, need in zip(self.streets, needs, strict=True):
            if need > 0:
                added += self.add(street, in_street[street.pk], total=need)
        return added

    def add(self, street, existing, total=None, operating=None):
        """Add ``total`` enterprises, or enough for ``operating`` more operating ones."""
        started = time.monotonic()
        rng = random.Random(f"{SEED}:{street.name}:{existing}")
        communities = list(
            Area.objects.filter(parent=street, level=Area.Level.COMMUNITY).order_by("pk")
        )
        self.community_names.update({c.pk: c.name for c in communities})
        cum_weights = list(itertools.accumulate(self._community_weight(c) for c in communities))
        target = existing + (total if total is not None else math.ceil(operating / 0.91))
        liaisons = self._liaisons(street, communities, target)
        regional = self._regional(street, communities)
        counts = Counter()
        added = added_operating = 0
        while True:
            size = min(CHUNK, total - added) if total is not None else CHUNK
            if size <= 0 or (operating is not None and added_operating >= operating):
                break
            plans = []
            for _ in range(size):
                community = rng.choices(communities, cum_weights=cum_weights)[0]
                plan = self._plan(rng, street, community)
                plans.append(plan)
                added += 1
                if plan.enterprise.is_operating_on(self.today):
                    added_operating += 1
                    if operating is not None and added_operating >= operating:
                        break
            counts.update(self._write(rng, plans, liaisons, regional))
        self.command.stdout.write(
            f"{street.name}: +{counts['enterprises']:,} enterprises "
            f"({added_operating:,} operating), +{counts['organizations']:,} organisations, "
            f"+{counts['coverages']:,} coverages, +{counts['returns']:,} returns, "
            f"+{counts['assignments']:,} liaison assignments, "
            f"+{counts['mass']:,} 工青妇, +{counts['transfers']:,} transfers "
            f"({time.monotonic() - started:.1f} s)"
        )
        return added

    @staticmethod
    def _community_weight(community):
        base = {Area.CommunityKind.URBAN: 3, Area.CommunityKind.RURAL: 1.5}.get(community.kind, 1)
        return base * random.Random(f"{SEED}:{community.name}").uniform(0.6, 1.4)

    # -- reference rows per street -------------------------------------------

    def _liaisons(self, street, communities, target):
        """Enough liaisons for ``target`` enterprises (about one per 40)."""
        existing = list(Liaison.objects.filter(area__in=[street, *communities]))
        needed = math.ceil(target / ENTERPRISES_PER_LIAISON) - len(existing)
        if needed > 0:
            rng = random.Random(f"{SEED}:liaisons:{street.name}:{len(existing)}")
            new = []
            for _ in range(needed):
                if rng.random() < 0.25:
                    area = rng.choice(communities)
                    kind, unit = Liaison.Kind.INSTRUCTOR, f"{area.name}党委"
                else:
                    area = street
                    kind = rng.choice(list(Liaison.Kind))
                    unit = rng.choice(
                        [
                            f"{street.name}党工委",
                            f"{street.name}经济发展办公室",
                            f"{street.name}党建办",
                        ]
                    )
                new.append(
                    Liaison(
                        name=data.person(rng),
                        kind=kind,
                        unit=unit,
                        phone=data.phone(rng),
                        area=area,
                        active=rng.random() > 0.08,
                    )
                )
            _insert(Liaison, new)
            existing = list(Liaison.objects.filter(area__in=[street, *communities]))
        by_community = defaultdict(list)
        for liaison in existing:
            if liaison.area_id != street.pk:
                by_community[liaison.area_id].append(liaison)
        active = [x for x in existing if x.active] or existing
        return {
            "street": [x for x in active if x.area_id == street.pk] or active,
            "community": by_community,
        }

    def _regional(self, street, communities):
        """One regional organisation per community (楼宇 / 园区) and the street's 商会."""
        wanted = [(street, f"{street.name}商会党委", Level.COMMITTEE)]
        for c in communities:
            kind = "商务楼宇党支部" if c.kind == Area.CommunityKind.URBAN else "产业园区党支部"
            wanted.append((c, f"{c.name}{kind}", Level.BRANCH))
        existing = {
            (o.area_id, o.name): o
            for o in PartyOrganization.objects.filter(
                formation=Formation.REGIONAL, area__in=[street, *communities]
            )
        }
        new = []
        for area, name, level in wanted:
            if (area.pk, name) in existing:
                continue
            rng = random.Random(f"{SEED}:regional:{name}")
            established = _days_ago(self.today, rng.randint(800, 3650))
            if rng.random() < 0.15:  # a few formed within the two years shown
                established = _days_ago(self.today, rng.randint(200, 600))
            org = PartyOrganization(
                name=name,
                level=level,
                formation=Formation.REGIONAL,
                area=area,
                secretary=data.person(rng),
                established_on=established,
                last_election_on=_last_election(rng, established, level, self.today),
                red_sail=rng.random() < 0.3,
            )
            org.next_election_due = org.compute_next_election_due()
            new.append(org)
            existing[(area.pk, name)] = org
        _insert(PartyOrganization, new)
        by_area = {area_id: org for (area_id, _), org in existing.items()}
        return {"street": by_area[street.pk], "community": by_area}

    # -- one enterprise ------------------------------------------------------

    def _unique_name(self, rng, industry):
        for _ in range(50):
            name, business = data.company_name(rng, industry)
            if name not in self.names:
                self.names.add(name)
                return name, business
        raise RuntimeError("ran out of company names")

    def _code(self):
        while True:
            code = data.synthetic_uscc(self.next_code)
            self.next_code += 1
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _plan(self, rng, street, community):
        today = self.today
        industry = data.pick_weighted(rng, data.INDUSTRY_WEIGHTS)
        name, business = self._unique_name(rng, industry)
        chain_name = data.CHAIN_BY_BUSINESS.get(business)
        chain = self.chains.get(chain_name) if chain_name and rng.random() < 0.75 else None

        state = data.pick_weighted(rng, STATE_WEIGHTS)
        band = data.pick_weighted(rng, BAND_WEIGHTS[state])
        formal = self._formal(rng, state, band)

        roll = rng.random()
        if roll < 0.55:
            employees = rng.randint(3, 19)
        elif roll < 0.9:
            employees = rng.randint(20, 299)
        elif roll < 0.98:
            employees = rng.randint(300, 999)
        else:
            employees = rng.randint(1000, 4000)
        if formal:
            employees = max(employees, formal * rng.randint(3, 12))
        size = _size_for(employees)
        above_scale = size in (Enterprise.Size.LARGE, Enterprise.Size.MEDIUM) or (
            size == Enterprise.Size.SMALL and industry in "CDE" and rng.random() < 0.3
        )

        if rng.random() < 0.75:
            tracked_since = _days_ago(today, rng.randint(HISTORY_DAYS + 1, 3000))
        else:
            tracked_since = _days_ago(today, rng.randint(30, HISTORY_DAYS))
        status, status_date = Status.OPERATING, None
        if rng.random() < 0.085:
            status = data.pick_weighted(
                rng, {Status.SUSPENDED: 35, Status.DEREGISTERED: 40, Status.MOVED_OUT: 25}
            )
            status_date = _day_between(
                rng,
                max(tracked_since, self.window) + dt.timedelta(days=20),
                _days_ago(today, 1),
            )
        archived_at = archive_reason = None
        if rng.random() < 0.006:
            day = _day_between(rng, tracked_since, _days_ago(today, 1))
            archived_at = timezone.make_aware(
                dt.datetime.combine(day, dt.time(9 + rng.randint(0, 8), rng.randint(0, 59)))
            )
            archive_reason = rng.choice(data.ARCHIVE_REASONS)

        enterprise = Enterprise(
            name=name,
            uscc=self._code(),
            community=community,
            address=data.address(rng, street.name),
            industry=industry,
            industry_chain=chain,
            ownership=data.pick_weighted(
                rng,
                {
                    Enterprise.Ownership.PRIVATE: 90,
                    Enterprise.Ownership.HMT: 4,
                    Enterprise.Ownership.FOREIGN: 4,
                    Enterprise.Ownership.OTHER: 2,
                },
            ),
            size=size,
            above_scale=above_scale,
            employees=employees if rng.random() > 0.04 else None,
            investor_is_member=bool(formal) and rng.random() < 0.18,
            contact_name=data.person(rng),
            contact_phone=data.phone(rng),
            tracked_since=tracked_since,
            status=status,
            status_date=status_date,
            archived_at=archived_at,
            archive_reason=archive_reason or "",
        )
        last_day = (status_date or today) - dt.timedelta(days=1)
        return Plan(enterprise, state, formal, last_day, status != Status.OPERATING)

    @staticmethod
    def _formal(rng, state, band):
        if band == cov.UNKNOWN:
            return None
        if band == cov.ZERO:
            return 0
        if band == cov.FEW:
            return rng.choice([1, 1, 2])
        if state != cov.STANDALONE:
            return rng.randint(3, 7)
        roll = rng.random()
        if roll < 0.03:
            return rng.randint(100, 260)
        if roll < 0.11:
            return rng.randint(50, 99)
        return min(49, 3 + int(rng.expovariate(1 / 9)))

    # -- the facts around a batch of plans -----------------------------------

    def _write(self, rng, plans, liaisons, regional):
        today = self.today
        ents = [p.enterprise for p in plans]
        _insert(Enterprise, ents)  # primary keys are set (RETURNING on both databases)

        orgs, children, coverages, assignments, mass, transfers = [], [], [], [], [], []
        standalone_org = {}

        def liaison_for(plan):
            local = liaisons["community"].get(plan.enterprise.community_id)
            if local and rng.random() < 0.35:
                return rng.choice(local)
            return rng.choice(liaisons["street"])

        def assign(plan, start, end=None):
            start = max(start, plan.enterprise.tracked_since)
            if start > plan.last_day:
                return
            if plan.closed and end is None and rng.random() < 0.8:
                end = plan.enterprise.status_date
            if end is not None and end <= start:
                return
            liaison = liaison_for(plan)
            if end is None and not liaison.active:  # out of service: only past assignments
                liaison = rng.choice(liaisons["street"])
            assignments.append(
                LiaisonAssignment(liaison=liaison, enterprise=plan.enterprise, start=start, end=end)
            )

        def mass_org(plan, kind, established, dissolved=None):
            if plan.closed and dissolved is None and rng.random() < 0.6:
                dissolved = plan.enterprise.status_date
            if established > plan.last_day or (dissolved is not None and dissolved < established):
                return
            mass.append(
                MassOrganization(
                    enterprise=plan.enterprise,
                    kind=kind,
                    established_on=established,
                    dissolved_on=dissolved,
                )
            )

        # Standalone organisations (and the branches under committees / general branches).
        for plan in plans:
            if plan.state != cov.STANDALONE:
                continue
            e = plan.enterprise
            lo = max(self.window, e.tracked_since)
            if rng.random() < 0.45 or lo > plan.last_day:
                established = _days_ago(today, rng.randint(HISTORY_DAYS + 1, 4000))
            else:
                established = _day_between(rng, lo, plan.last_day)
            if established > plan.last_day:
                established = plan.last_day
            level = PartyOrganization.level_for_members(plan.formal)
            suffix = {
                Level.COMMITTEE: "委员会",
                Level.GENERAL_BRANCH: "总支部委员会",
                Level.BRANCH: "支部委员会",
            }[level]
            dissolved = None
            if plan.closed and rng.random() < 0.7:
                dissolved = min(
                    _days_ago(today, 1), e.status_date + dt.timedelta(days=rng.randint(0, 90))
                )
            org = PartyOrganization(
                name=e.name + suffix,
                level=level,
                formation=Formation.STANDALONE,
                area_id=e.community_id,
                secretary=data.person(rng),
                established_on=established,
                dissolved_on=dissolved,
                last_election_on=_last_election(rng, established, level, dissolved or today),
                red_sail=rng.random() < 0.12,
            )
            org.next_election_due = org.compute_next_election_due()
            orgs.append(org)
            standalone_org[id(plan)] = org
            since = established
            if rng.random() < 0.2:  # linked to the enterprise some time after it formed
                since = min(plan.last_day, established + dt.timedelta(days=rng.randint(5, 90)))
            plan.org_since = since
            until = e.status_date if plan.closed else None
            if until is None or until > since:
                coverages.append(Coverage(organization=org, enterprise=e, since=since, until=until))
            if level != Level.BRANCH:
                short = data.short_name(e.name)
                for number in range(1, rng.randint(2, 5) + 1):
                    day = min(plan.last_day, established + dt.timedelta(days=rng.randint(0, 200)))
                    child = PartyOrganization(
                        name=f"{short}第{number}党支部",
                        level=Level.BRANCH,
                        formation=Formation.STANDALONE,
                        parent=org,
                        area_id=e.community_id,
                        secretary=data.person(rng),
                        established_on=day,
                        dissolved_on=dissolved if dissolved and dissolved >= day else None,
                        last_election_on=_last_election(rng, day, Level.BRANCH, dissolved or today),
                    )
                    child.next_election_due = child.compute_next_election_due()
                    children.append(child)

        # Joint branches: 2–6 enterprises of one community.
        by_community = defaultdict(list)
        for plan in plans:
            if plan.state == cov.JOINT:
                by_community[plan.enterprise.community_id].append(plan)
        joint_by_community = defaultdict(list)
        for community_id, members in by_community.items():
            groups = []
            while members:
                size = data.pick_weighted(rng, JOINT_SIZES)
                groups.append(members[:size])
                members = members[size:]
            if len(groups) > 1 and len(groups[-1]) == 1 and len(groups[-2]) < 5:
                groups[-2].extend(groups.pop())
            for group in groups:
                self.joint_numbers[community_id] += 1
                number = self.joint_numbers[community_id]
                latest = min(_days_ago(today, 30), max(p.last_day for p in group))
                if rng.random() < 0.5:
                    established = _days_ago(today, rng.randint(HISTORY_DAYS + 1, 3000))
                else:
                    established = _day_between(rng, self.window, latest)
                established = min(established, latest)
                dissolved = None
                if all(p.closed for p in group):  # every unit closed: wound up
                    dissolved = max(established, max(p.enterprise.status_date for p in group))
                org = PartyOrganization(
                    name=f"{self.community_names[community_id]}非公企业第{number}联合党支部",
                    level=Level.BRANCH,
                    formation=Formation.JOINT,
                    area_id=community_id,
                    secretary=data.person(rng),
                    established_on=established,
                    dissolved_on=dissolved,
                    last_election_on=_last_election(
                        rng, established, Level.BRANCH, dissolved or today
                    ),
                    red_sail=rng.random() < 0.1,
                )
                org.next_election_due = org.compute_next_election_due()
                orgs.append(org)
                joint_by_community[community_id].append(org)
                for index, plan in enumerate(group):
                    since = established
                    if index and rng.random() < 0.5:
                        since = _day_between(rng, established, plan.last_day)
                    if not established <= since <= plan.last_day:
                        continue  # closed before the branch was formed
                    until = plan.enterprise.status_date if plan.closed else None
                    coverages.append(
                        Coverage(
                            organization=org, enterprise=plan.enterprise, since=since, until=until
                        )
                    )
                    standalone_org[id(plan)] = org  # transfers go to the joint branch

        # Standalone organisations formed this window: ~30 % were in a joint branch before.
        for plan in plans:
            org = standalone_org.get(id(plan))
            if (
                plan.state != cov.STANDALONE
                or plan.org_since is None
                or plan.org_since <= self.window
            ):
                continue
            joint = joint_by_community.get(plan.enterprise.community_id)
            if not joint or rng.random() >= 0.3:
                continue
            earlier = rng.choice(joint)
            until = org.established_on
            since = max(earlier.established_on, until - dt.timedelta(days=rng.randint(120, 500)))
            if since < until:
                coverages.append(
                    Coverage(
                        organization=earlier, enterprise=plan.enterprise, since=since, until=until
                    )
                )

        # Regional / attached organisations.
        for plan in plans:
            e = plan.enterprise
            regional_org = None
            if plan.state == cov.REGIONAL:
                regional_org = (
                    regional["street"]
                    if rng.random() < 0.25
                    else regional["community"][e.community_id]
                )
                since = _day_between(
                    rng,
                    max(regional_org.established_on, _days_ago(today, 2000)),
                    plan.last_day,
                )
                until = e.status_date if plan.closed else None
                if since < regional_org.established_on:  # closed before it existed
                    regional_org = None
            elif plan.state == cov.UNCOVERED and not plan.closed and rng.random() < 0.04:
                # Covered last year, no longer now (the regional organisation let it go).
                regional_org = regional["community"][e.community_id]
                since = max(regional_org.established_on, _days_ago(today, 900))
                until = _day_between(rng, since + dt.timedelta(days=30), _days_ago(today, 20))
            if (
                regional_org is not None
                and since <= plan.last_day
                and (until is None or until > since)
            ):
                coverages.append(
                    Coverage(organization=regional_org, enterprise=e, since=since, until=until)
                )

        # Liaisons and 工青妇.
        for plan in plans:
            e, state = plan.enterprise, plan.state
            early = _days_ago(today, 3000)
            if state == cov.WORK_ONLY:
                mode = data.pick_weighted(rng, {"liaison": 55, "mass": 30, "both": 15})
                if mode != "mass":
                    assign(plan, _day_between(rng, _days_ago(today, 900), plan.last_day))
                if mode != "liaison":
                    kind = data.pick_weighted(rng, MASS_KINDS)
                    mass_org(plan, kind, _day_between(rng, early, plan.last_day))
            elif state == cov.UNCOVERED:
                if rng.random() < 0.12 and not plan.closed:  # a liaison who moved on
                    start = _day_between(rng, self.window, _days_ago(today, 200))
                    end = _day_between(rng, start + dt.timedelta(days=30), _days_ago(today, 10))
                    assign(plan, start, end)
                if rng.random() < 0.04 and not plan.closed:  # a union that was wound up
                    established = _day_between(rng, early, _days_ago(today, 400))
                    dissolved = _day_between(rng, self.window, _days_ago(today, 5))
                    mass_org(plan, MassOrganization.Kind.UNION, established, dissolved)
            else:
                if rng.random() < LIAISON_CHANCE[state]:
                    start = _day_between(rng, _days_ago(today, 1000), plan.last_day)
                    end = None
                    if rng.random() < 0.3 and start + dt.timedelta(days=60) < today:
                        end = _day_between(rng, start + dt.timedelta(days=60), today)
                    assign(plan, start, end)
                for kind, chance in zip(MassOrganization.Kind, MASS_CHANCE[state], strict=True):
                    if rng.random() < chance:
                        mass_org(plan, kind, _day_between(rng, early, plan.last_day))

        # Membership transfers into standalone and joint organisations.
        for plan in plans:
            org = standalone_org.get(id(plan))
            if org is None or plan.closed:
                continue
            chance = 0.08 if plan.state == cov.STANDALONE else 0.06
            if rng.random() >= chance:
                continue
            for _ in range(rng.randint(1, 3 if plan.state == cov.STANDALONE else 1)):
                started = _day_between(
                    rng, max(org.established_on, self.window), _days_ago(today, 1)
                )
                age = (today - started).days
                completed, status = None, MembershipTransfer.Status.COMPLETED
                roll = rng.random()
                # Recent ones are often still open; a few old ones are overdue.
                if (age <= 30 and roll < 0.6) or (age > 30 and roll < 0.05):
                    status = MembershipTransfer.Status.IN_PROGRESS
                elif roll > 0.93:
                    status = MembershipTransfer.Status.CANCELLED
                if status == MembershipTransfer.Status.COMPLETED:
                    completed = min(today, started + dt.timedelta(days=rng.randint(3, 40)))
                transfers.append(
                    MembershipTransfer(
                        member_name=data.person(rng),
                        from_unit=rng.choice(data.FROM_UNITS),
                        to_organization=org,
                        enterprise=plan.enterprise,
                        started_on=started,
                        completed_on=completed,
                        handler=liaison_for(plan).name,
                        status=status,
                        notes="组织关系转接全程代办。" if rng.random() < 0.5 else "",
                    )
                )

        returns = []
        for plan in plans:
            returns.extend(self._returns(rng, plan))

        _insert(PartyOrganization, orgs)
        _insert(PartyOrganization, children)
        _insert(Coverage, coverages)
        _insert(MembershipReturn, returns)
        _insert(LiaisonAssignment, assignments)
        _insert(MassOrganization, mass)
        _insert(MembershipTransfer, transfers)
        return {
            "enterprises": len(ents),
            "organizations": len(orgs) + len(children),
            "coverages": len(coverages),
            "returns": len(returns),
            "assignments": len(assignments),
            "mass": len(mass),
            "transfers": len(transfers),
        }

    def _returns(self, rng, plan):
        """Returns at several dates; figures grow towards ``plan.formal``."""
        if plan.formal is None:
            return []
        e = plan.enterprise
        days = [d for d in self.half_years if e.tracked_since <= d <= plan.last_day]
        days = [d for d in days if rng.random() < 0.8]
        recent = _days_ago(self.today, rng.randint(3, 120))
        if not plan.closed and rng.random() < 0.5 and recent >= e.tracked_since:
            days.append(recent)
        days = sorted(set(days))
        if rng.random() < 0.12:  # stale: nothing reported in the last 12 months
            days = [d for d in days if d < _days_ago(self.today, 400)]
        if not days:
            days = [max(e.tracked_since, _days_ago(self.today, rng.randint(20, 700)))]
            days = [min(days[0], plan.last_day)]
            if days[0] < e.tracked_since:
                return []
        final = plan.formal
        if final >= 3:
            start = max(0, round(final * rng.uniform(0.55, 1.0)))
        else:
            start = rng.randint(0, final)
        n = len(days)
        rows = []
        previous = start
        for i, day in enumerate(days):
            value = final if i == n - 1 else round(start + (final - start) * i / max(1, n - 1))
            value = max(previous, value)
            if plan.org_since and day >= plan.org_since:
                value = max(value, 3)
            previous = value
            rows.append(
                MembershipReturn(
                    enterprise=e,
                    reported_on=day,
                    formal=value,
                    probationary=rng.randint(0, 1 + value // 15) if rng.random() < 0.35 else 0,
                    development_targets=rng.randint(0, 2) if rng.random() < 0.3 else 0,
                    activists=rng.randint(0, 3) if rng.random() < 0.4 else 0,
                    applicants=rng.randint(0, 5) if rng.random() < 0.5 else 0,
                    employees=e.employees,
                )
            )
        return rows

"""Demo data of 点 for ``manage.py seed_demo [--scale N]`` (runs after the enterprise demo).

1. **The article** (through the services, so the audit trail records it), in 胶南街道:
   - the 7 first-batch demonstration sites (首批): 青岛海容商用冷链, 青岛华天车辆, 青岛西海岸
     康恒环保能源 and 青岛世纪海佳机械 from the enterprise demo, and three more of its
     enterprises with their own organisation; named about two years ago, some reviewed
     since, so the review alert fires for the others; their 六有 checklists;
   - a second batch (第二批) of two sites in incubation, and one named site whose
     enterprise has since closed and lost its organisation (that alert fires too);
   - the star-rating rubric (6 dimensions, 18 indicators, 100 points, 4 veto items) and
     two ratings per first-batch site, two years apart: stars go up, down, or are vetoed;
   - 海容's 4 branches and 9 task teams (攻坚小队) claiming its 19 揭榜挂帅 topics, in every
     state, with milestones and acceptances (提升挂件空间利用率 closed as done); a few
     topics at 华天 and 康恒;
   - 传帮带: 海容 mentors 海之冠, 华天 mentors 润丰, 康恒 mentored 鑫泰 (ended);
   - 郑晓斐's deed at 青岛世纪海佳机械 with the city's 灯塔领读 recognition, and the
     水城路社区 红帆教学案例 (reviewed this year).
   Skipped when 华天's site already exists.
2. **At ``--scale N``**: one site per ``ENTERPRISES_PER_SITE`` enterprises in total, each
   with its status history, checklist, a rating, 1–3 task teams and 3–15 topics with
   state histories and milestones, on enterprises that have had their own organisation
   throughout. Deterministic, plain bulk inserts without one audit row per generated
   record (as the enterprise demo does); only the missing sites are added.
"""

import datetime as dt
import random
import time
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from areas.demo import DISTRICT
from areas.models import Area
from enterprises import coverage, uscc
from enterprises import demo_data as names
from enterprises import services as enterprise_services
from enterprises.models import Enterprise, PartyOrganization, add_years

from . import services
from .models import (
    RECOGNISED,
    Acceptance,
    AcceptanceReviewer,
    CaseRecognition,
    ChecklistItem,
    DeedRecognition,
    DemonstrationSite,
    Mentoring,
    MentoringNote,
    Milestone,
    PioneerDeed,
    Rating,
    RatingScore,
    Rubric,
    RubricDimension,
    RubricIndicator,
    RubricVeto,
    SiteBatch,
    SiteLevel,
    SiteStatus,
    SiteStatusChange,
    TaskTeam,
    TeachingCase,
    Topic,
    TopicState,
    TopicStateChange,
    quantize,
)

SEED = 20260301
STREET = "胶南街道"
ENTERPRISES_PER_SITE = 350
BULK = 1000
T = TopicState
S = SiteStatus
D = Decimal


def seed(command, scale):
    started = time.monotonic()
    today = timezone.localdate()
    rubric = _rubric(today)
    _seed_article(command, today, rubric)
    added = _synthetic(command, today, rubric, scale)
    if added:
        _analyze()
    command.stdout.write(
        f"Demonstration sites: {DemonstrationSite.objects.count():,}, "
        f"topics: {Topic.objects.count():,} ({time.monotonic() - started:.1f} s)"
    )


def _ago(today, days):
    return today - dt.timedelta(days=days)


def _this_year(today, month, day):
    """A day of this year, not after today."""
    return min(today, dt.date(today.year, month, day))


def _insert(model, objs):
    if objs:
        QuerySet(model).bulk_create(objs, batch_size=BULK)
    return len(objs)


def _analyze():
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (DemonstrationSite, SiteStatusChange, Topic, TopicStateChange, Milestone):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# ---------------------------------------------------------------------------
# The rubric

RUBRIC_NAME = "非公企业党组织星级评定标准"
RUBRIC = [
    ("班子建设", [("班子健全、分工明确", 6), ("书记抓党建履职", 6), ("组织生活规范开展", 5)]),
    ("党员队伍", [("党员教育管理", 6), ("发展党员工作", 5), ("党员先锋作用发挥", 6)]),
    ("工作机制", [("制度建设与落实", 5), ("阵地建设（“六有”）", 6), ("党建经费保障", 5)]),
    ("发展业绩", [("企业经营效益", 6), ("技术创新成果", 6), ("揭榜挂帅课题成效", 6)]),
    ("群众反映", [("职工满意度", 6), ("工青妇组织建设", 5), ("履行社会责任", 5)]),
    ("品牌特色", [("一企一特色品牌", 6), ("传帮带示范作用", 5), ("宣传推广", 5)]),
]
VETOES = [
    "出资人或党组织书记有严重违纪违法行为",
    "发生重大安全生产或环境污染事故",
    "发生刑事案件或群体性事件",
    "存在严重失信或欠缴税款记录",
]


def _rubric(today):
    existing = Rubric.objects.filter(name=RUBRIC_NAME).order_by("-edition").first()
    if existing is not None:
        return existing
    rubric = Rubric.objects.create(
        name=RUBRIC_NAME,
        subject=Rubric.Subject.ANY,
        notes="参照陕西省非公企业党组织评星定级做法：6个维度、18项指标、满分100分，"
        "两年一评，星级可升可降；出现一票否决情形的不评星。",
    )
    for d_order, (dimension, indicators) in enumerate(RUBRIC, start=1):
        dim = RubricDimension.objects.create(rubric=rubric, name=dimension, order=d_order)
        for i_order, (name, points) in enumerate(indicators, start=1):
            RubricIndicator.objects.create(
                dimension=dim, name=name, max_points=D(points), order=i_order
            )
    for order, description in enumerate(VETOES, start=1):
        RubricVeto.objects.create(rubric=rubric, description=description, order=order)
    return services.rubric_publish(rubric=rubric, on=_ago(today, 1000))


def _score(rng, indicators, percent):
    """{indicator: (self score, reviewer score)} whose reviewer scores add up to
    ``percent`` of the rubric's points (in half points), spread unevenly."""
    half = D("0.5")
    total = sum((i.max_points for i in indicators), D(0))
    goal = (total * D(percent) / 100 / half).quantize(D(1)) * half
    reviewer = {i: ((i.max_points * D(percent) / 100) // half) * half for i in indicators}
    order = list(indicators)
    rng.shuffle(order)
    while sum(reviewer.values()) < goal:
        for indicator in order:
            if sum(reviewer.values()) >= goal:
                break
            if reviewer[indicator] + half <= indicator.max_points:
                reviewer[indicator] += half
    return {
        i: (min(i.max_points, reviewer[i] + D(rng.choice([0, 0.5, 1]))), reviewer[i])
        for i in indicators
    }


# ---------------------------------------------------------------------------
# 1. The article (audited, through the services)

# key, enterprise, community (if it must be made), level, brand, slogan, story,
# named (days ago), reviewed (days ago or None), rating percents (then, now; "veto")
ARTICLE_SITES = [
    (
        "hairong",
        "青岛海容商用冷链股份有限公司",
        "珠山路社区",
        SiteLevel.DISTRICT,
        "红色冷链·先锋领航",
        "党建红链 冷链先锋",
        "公司党委创新实施重点项目党员职工“揭榜挂帅”制度，4个党支部、9个攻坚小队的党员职工"
        "认领“提升挂件空间利用率”等19项课题，把党建“组织力”转化为企业“生产力”。",
        770,
        25,
        (86, 93),
    ),
    (
        "huatian",
        "青岛华天车辆有限公司",
        "水城路社区",
        SiteLevel.DISTRICT,
        "党员先锋“救”在身边",
        "一名党员一面旗 关键时刻冲在前",
        "培育“党员先锋‘救’在身边”应急服务队，党员骨干牵头安全生产和应急救护，"
        "带动职工参与志愿服务。",
        705,
        None,
        (82, 84),
    ),
    (
        "kangheng",
        "青岛西海岸康恒环保能源有限公司",
        "琅琊台农村社区",
        SiteLevel.STREET,
        "绿城闪耀",
        "党建引领 绿色发展",
        "以“绿城闪耀”志愿服务队为载体，党员带头开展环保宣传、垃圾分类进社区，"
        "把企业的环保主业和社区治理结合起来。",
        760,
        40,
        (76, 83),
    ),
    (
        "haijia",
        "青岛世纪海佳机械有限公司",
        "铁山路社区",
        SiteLevel.STREET,
        "海佳领航",
        "党员带头闯市场 先锋引领创新高",
        "党员郑晓斐带领团队开拓国际市场，创公司出口销量新高；公司与中国石油大学（华东）"
        "签订党建共建协议，校企合作攻关。",
        740,
        None,
        (91, 87),
    ),
]
# Three more first-batch sites on other enterprises of the street with their own
# organisation: brand, slogan, named, reviewed, percents.
MORE_SITES = [
    ("匠心筑梦", "党员匠心 品质立企", 765, None, (72, "veto")),
    ("红心向党·创新同行", "党建强 发展强", 750, None, (68, 74)),
    ("先锋工坊", "小工坊 大作为", 730, 10, (80, 78)),
]
CHECKLIST_NOTES = {
    ChecklistItem.Item.VENUE: "党员活动室约120平方米",
    ChecklistItem.Item.FACILITIES: "配备投影、电脑和党员学习终端",
    ChecklistItem.Item.SIGNS: "门口悬挂党组织牌子",
    ChecklistItem.Item.FLAG: "活动室悬挂党旗",
    ChecklistItem.Item.READING: "订阅《党建》《大众日报》等书报",
    ChecklistItem.Item.RULES: "“三会一课”等制度上墙",
}

HAIRONG_TEAMS = [
    # branch number (1 研发 · 2 制造 · 3 营销 · 4 职能), team, leader, members
    (1, "冷链核心技术攻坚小队", "赵文博", 8),
    (1, "新品研发攻坚小队", "刘思远", 7),
    (1, "数字化攻坚小队", "孙浩", 6),
    (2, "精益生产攻坚小队", "高永红", 9),
    (2, "质量提升攻坚小队", "王丽娜", 7),
    (3, "海外市场攻坚小队", "马思雨", 6),
    (3, "客户服务攻坚小队", "陈晨", 5),
    (4, "降本增效攻坚小队", "丁晓东", 6),
    (4, "青年突击攻坚小队", "李佳琪", 8),
]
# title, target, unit, direction, final state
HAIRONG_TOPICS = [
    ("提升挂件空间利用率", "25", "%", "at_least", T.CLOSED),
    ("降低冷柜发泡工序能耗", "8", "%", "at_least", T.CLOSED),
    ("缩短新品研发周期", "30", "天", "at_least", T.CLOSED),
    ("提升钣金件一次交检合格率", "98.5", "%", "at_least", T.CLOSED),
    ("海外订单交付提速", "15", "天", "at_most", T.IN_PROGRESS),
    ("降低包装材料损耗", "12", "%", "at_least", T.IN_PROGRESS),
    ("商用展示柜运行噪音优化", "38", "分贝", "at_most", T.IN_PROGRESS),
    ("智能仓储拣货效率提升", "20", "%", "at_least", T.IN_PROGRESS),
    ("减少喷涂工序返工", "50", "%", "at_least", T.IN_PROGRESS),
    ("客户投诉闭环提速", "48", "小时", "at_most", T.ACCEPTING),
    ("供应商来料不良率下降", "0.5", "%", "at_most", T.ACCEPTING),
    ("冷链车载柜轻量化", "10", "%", "at_least", T.CLAIMED),
    ("数字化车间设备联网率提升", "95", "%", "at_least", T.CLAIMED),
    ("装配线换型时间压缩", "30", "分钟", "at_most", T.CLAIMED),
    ("环保制冷剂替代试验", "3", "个型号", "at_least", T.TOLERATED),
    ("售后备件库存周转提升", "6", "次/年", "at_least", T.PUBLISHED),
    ("出口认证周期缩短", "60", "天", "at_most", T.PUBLISHED),
    ("青年职工技能等级提升", "40", "人", "at_least", T.COLLECTING),
    ("售后服务响应时间缩短", "2", "小时", "at_most", T.COLLECTING),
]
MILESTONES = [("调研分析", 1), ("方案设计", 2), ("试点实施", 3), ("总结推广", 1)]
REVIEWERS = [("张晓明", "胶南街道党工委"), ("李建华", "山东科技大学")]


def _enterprise(name, community_name, street, today):
    """The enterprise demo's enterprise, or (only if it is missing) a minimal one with its
    own organisation, so that this demo stands on its own."""
    existing = Enterprise.objects.filter(name=name).first()
    if existing is not None:
        return existing
    community = Area.objects.get(parent=street, name=community_name)
    number = Enterprise.objects.filter(uscc__startswith="91370211MA7S").count()
    enterprise = Enterprise.objects.create(
        name=name,
        uscc=uscc.make(f"91370211MA7S{number:05d}"),
        community=community,
        industry="C",
        tracked_since=_ago(today, 6 * 365),
    )
    enterprise_services.organization_create(
        organization=PartyOrganization(
            name=f"{name}支部委员会",
            formation=PartyOrganization.Formation.STANDALONE,
            area=community,
            established_on=_ago(today, 6 * 365),
        ),
        enterprises=[enterprise],
    )
    return enterprise


def _covered_throughout(qs, days):
    """Enterprises of ``qs`` with their own organisation at each of ``days``."""
    for day in days:
        qs = qs.filter(coverage.state_q(coverage.STANDALONE, day))
    return qs


def _make_site(enterprise, batch, level, brand, slogan, story, since):
    site = DemonstrationSite(
        enterprise=enterprise,
        batch=batch,
        level=level,
        brand_name=brand,
        slogan=slogan,
        story=story,
    )
    return services.site_create(site=site, since=since, reason="列入示范点培育")


def _checklist(site, rng, day):
    for item in site.checklist.all():
        item.met = rng.random() < 0.85
        item.note = CHECKLIST_NOTES[item.item] if item.met else "正在完善"
        item.checked_on = day
        item.full_clean()
        item.save()


def _rate(rubric, site, year, percent, on, rng):
    indicators = list(RubricIndicator.objects.filter(dimension__rubric=rubric).order_by("pk"))
    vetoes = {}
    if percent == "veto":
        percent, vetoes = 85, {rubric.vetoes.order_by("order")[1]: "年内发生一起较大安全生产事故"}
    return services.rating_record(
        rating=Rating(rubric=rubric, site=site, year=year, reviewers="街道党工委评星小组"),
        scores=_score(rng, indicators, percent),
        vetoes=vetoes,
        rated_on=on,
    )


def _seed_article(command, today, rubric):
    if DemonstrationSite.objects.filter(enterprise__name="青岛华天车辆有限公司").exists():
        command.stdout.write("Article sites: already there, skipped.")
        return
    rng = random.Random(SEED)
    street = Area.objects.get(name=STREET, level=Area.Level.STREET, parent__name=DISTRICT)
    named_days = [spec[7] for spec in ARTICLE_SITES] + [spec[2] for spec in MORE_SITES]
    first = SiteBatch.objects.create(
        area=street,
        name="首批",
        year=_ago(today, max(named_days)).year,
        notes="首批精心筛选并重点打造的7家非公企业党建示范点，作为标杆典型进行“传帮带”。",
    )
    second = SiteBatch.objects.create(area=street, name="第二批", year=_ago(today, 420).year)

    sites, ent = [], {}
    for key, name, community, level, brand, slogan, story, named, reviewed, pcts in ARTICLE_SITES:
        ent[key] = _enterprise(name, community, street, today)
        site = _make_site(ent[key], first, level, brand, slogan, story, _ago(today, 900))
        sites.append((site, named, reviewed, pcts))
    article_ids = [e.pk for e in ent.values()]
    others = _covered_throughout(
        Enterprise.objects.operating_on(today).filter(community__parent=street),
        [_ago(today, 900), _ago(today, 700), today],
    ).exclude(pk__in=article_ids)
    for enterprise, (brand, slogan, named, reviewed, pcts) in zip(
        others.order_by("pk")[: len(MORE_SITES)], MORE_SITES, strict=False
    ):
        story = f"{enterprise.name}以“{brand}”为党建品牌，党员在生产经营一线亮身份、作表率。"
        site = _make_site(
            enterprise, first, SiteLevel.STREET, brand, slogan, story, _ago(today, 900)
        )
        sites.append((site, named, reviewed, pcts))

    for site, named, reviewed, (then, now) in sites:
        named_on = _ago(today, named)
        services.site_name(site=site, on=named_on, reason="经街道党工委研究，命名为首批党建示范点")
        if reviewed:
            services.site_review(site=site, on=_ago(today, reviewed), reason="复核合格")
        _checklist(site, rng, named_on - dt.timedelta(days=20))
        _rate(rubric, site, named_on.year, then, named_on + dt.timedelta(days=45), rng)
        later = _ago(today, 15)
        if later.year != named_on.year:
            _rate(rubric, site, later.year, now, later, rng)

    # 第二批: two sites in incubation, on other enterprises of the street.
    taken = DemonstrationSite.objects.values("enterprise_id")
    fresh = (
        Enterprise.objects.operating_on(today)
        .filter(community__parent=street)
        .exclude(pk__in=taken)
        .filter(coverage.state_q("organization", today))
        .order_by("pk")[:2]
    )
    for enterprise, brand in zip(fresh, ["聚力红帆", "初心工坊"], strict=False):
        _make_site(
            enterprise,
            second,
            SiteLevel.STREET,
            brand,
            "",
            f"{enterprise.name}正在培育“{brand}”党建品牌。",
            _ago(today, 200),
        )
    # A named site whose enterprise has since closed and lost its organisation (alert).
    lost = (
        Enterprise.objects.filter(community__parent=street)
        .exclude(pk__in=taken)
        .filter(coverage.state_q(coverage.STANDALONE, _ago(today, 420)))
        .exclude(coverage.state_q("organization", today))
        .order_by("pk")
        .first()
    )
    if lost is not None:
        site = _make_site(
            lost, second, SiteLevel.STREET, "奋进先锋", "", "第二批示范点。", _ago(today, 450)
        )
        services.site_name(site=site, on=_ago(today, 420), reason="第二批命名")

    _hairong(ent["hairong"], today, rng)
    _other_topics(ent, today, rng)
    _mentoring(ent, today)
    _deeds_and_cases(ent, street, today)
    command.stdout.write(
        f"Article sites: {DemonstrationSite.objects.count()} sites, "
        f"{Topic.objects.count()} topics, {TaskTeam.objects.count()} task teams (audited)."
    )


def _path(final):
    """The states a topic goes through to reach ``final``."""
    return {
        T.COLLECTING: [],
        T.PUBLISHED: [T.PUBLISHED],
        T.CLAIMED: [T.PUBLISHED, T.CLAIMED],
        T.IN_PROGRESS: [T.PUBLISHED, T.CLAIMED, T.IN_PROGRESS],
        T.ACCEPTING: [T.PUBLISHED, T.CLAIMED, T.IN_PROGRESS, T.ACCEPTING],
        T.CLOSED: [T.PUBLISHED, T.CLAIMED, T.IN_PROGRESS, T.CLOSED],
        T.TOLERATED: [T.PUBLISHED, T.CLAIMED, T.IN_PROGRESS, T.TOLERATED],
    }[final]


# Per final state: (posted days ago, days between steps, due days after posting)
TIMING = {
    T.CLOSED: (600, 60, 300),
    T.TOLERATED: (540, 70, 300),
    T.ACCEPTING: (420, 80, 400),
    T.IN_PROGRESS: (360, 50, 330),
    T.CLAIMED: (150, 40, 360),
    T.PUBLISHED: (90, 30, 365),
    T.COLLECTING: (30, 0, 365),
}
PERCENTS = {
    T.CLOSED: [100, 100, 100, 100],
    T.ACCEPTING: [100, 100, 100, 100],
    T.IN_PROGRESS: [100, 100, 50, 0],
    T.TOLERATED: [100, 60, 20, 0],
    T.CLAIMED: [30, 0, 0, 0],
    T.PUBLISHED: [0, 0, 0, 0],
    T.COLLECTING: [0, 0, 0, 0],
}


def _topic(
    enterprise,
    title,
    target,
    unit,
    direction,
    final,
    today,
    claimer,
    leader,
    n,
    rng,
    posted_ago=None,
):
    """One topic, moved through the services to ``final``; ``n`` staggers the dates."""
    default_ago, step, due_after = TIMING[final]
    posted = _ago(today, (posted_ago or default_ago) + 3 * n)
    topic = services.topic_create(
        topic=Topic(
            enterprise=enterprise,
            title=title,
            problem=f"{title}是制约生产经营的难点，现有做法效果不明显，需要集中攻关。",
            expected_result=f"通过党员带头攻关，实现{title}的目标。",
            target_value=D(target),
            target_unit=unit,
            target_direction=direction,
            posted_on=posted,
            due_on=posted + dt.timedelta(days=due_after + 45 * (n % 3)),
        )
    )
    day = posted
    for state in _path(final):
        day = min(today, day + dt.timedelta(days=step or 1))
        if state == T.CLAIMED:
            kind = "team" if isinstance(claimer, TaskTeam) else "branch"
            services.topic_claim(topic=topic, on=day, leader_name=leader, **{kind: claimer})
            for order, ((name, weight), percent) in enumerate(
                zip(MILESTONES, PERCENTS[final], strict=True), start=1
            ):
                Milestone.objects.create(
                    topic=topic,
                    title=name,
                    weight=weight,
                    order=order,
                    percent_done=percent,
                    due_on=day + dt.timedelta(days=60 * order),
                    done_on=min(today, day + dt.timedelta(days=25 * order))
                    if percent == 100
                    else None,
                )
        elif state == T.CLOSED:
            measured = D(target) * (D("0.9") if direction == "at_most" else D("1.1"))
            services.topic_record_acceptance(
                topic=topic,
                on=day,
                reviewers=REVIEWERS,
                measured_value=quantize(measured),
                passed=True,
                opinion="达到预期目标，同意销号。",
            )
        elif state == T.ACCEPTING and n % 2:
            measured = D(target) * (D("1.2") if direction == "at_most" else D("0.8"))
            services.topic_record_acceptance(
                topic=topic,
                on=day,
                reviewers=REVIEWERS[:1],
                measured_value=quantize(measured),
                passed=False,
                opinion="尚未达到目标值，继续完善后再次验收。",
            )
        else:
            services.topic_transition(
                topic=topic,
                to=state,
                on=day,
                reason="市场环境变化，已尽职尽责" if state == T.TOLERATED else "",
            )
    return topic


def _hairong(hairong, today, rng):
    branches = list(
        PartyOrganization.objects.filter(name__startswith="海容商用冷链第").order_by("name")
    )
    if len(branches) < 4:  # the enterprise demo made them; else make them here
        committee = hairong.coverages.first().organization
        for number in range(len(branches) + 1, 5):
            branches.append(
                PartyOrganization.objects.create(
                    name=f"海容商用冷链第{number}党支部",
                    formation=PartyOrganization.Formation.STANDALONE,
                    parent=committee,
                    area=hairong.community,
                    established_on=committee.established_on,
                )
            )
    formed = max(_ago(today, 700), max(b.established_on for b in branches))
    teams = []
    for number, name, leader, members in HAIRONG_TEAMS:
        team = TaskTeam(
            enterprise=hairong,
            branch=branches[number - 1],
            name=name,
            leader_name=leader,
            members=members,
            start=formed,
        )
        team.full_clean()
        team.save()
        teams.append(team)
    # 15 claimed topics: the 9 teams, the 4 branches, then two teams again.
    claimers = [*teams, *branches, teams[0], teams[3]]
    leaders = [t.leader_name for t in teams] + [b.secretary or "刘晓琳" for b in branches]
    leaders += [teams[0].leader_name, teams[3].leader_name]
    claimed = 0
    for n, (title, target, unit, direction, final) in enumerate(HAIRONG_TOPICS):
        claimer = leader = None
        if final not in (T.COLLECTING, T.PUBLISHED):
            claimer, leader = claimers[claimed], leaders[claimed]
            claimed += 1
        _topic(hairong, title, target, unit, direction, final, today, claimer, leader, n, rng)


def _other_topics(ent, today, rng):
    huatian, kangheng = ent["huatian"], ent["kangheng"]
    huatian_branches = list(
        PartyOrganization.objects.filter(name__startswith="华天车辆第").order_by("name")
    ) or [huatian.coverages.filter(until__isnull=True).first().organization]
    kangheng_branch = kangheng.coverages.filter(until__isnull=True).first().organization
    # 华天's branches were formed 300 days ago (with its general branch): later topics.
    specs = [
        (
            huatian,
            "车间应急救护全员培训",
            "100",
            "%",
            "at_least",
            T.CLOSED,
            huatian_branches[0],
            280,
        ),
        (
            huatian,
            "焊装线安全隐患清零",
            "0",
            "项",
            "at_most",
            T.IN_PROGRESS,
            huatian_branches[-1],
            250,
        ),
        (huatian, "新能源车型配套攻关", "2", "个车型", "at_least", T.PUBLISHED, None, None),
        (
            kangheng,
            "垃圾焚烧发电效率提升",
            "5",
            "%",
            "at_least",
            T.IN_PROGRESS,
            kangheng_branch,
            None,
        ),
        (kangheng, "垃圾分类进社区宣传", "12", "场", "at_least", T.COLLECTING, None, None),
    ]
    for n, (enterprise, title, target, unit, direction, final, branch, ago) in enumerate(specs):
        leader = (branch.secretary or "王志刚") if branch else None
        _topic(
            enterprise, title, target, unit, direction, final, today, branch, leader, n, rng, ago
        )


def _mentoring(ent, today):
    pairs = [
        (
            "hairong",
            "青岛海之冠汽车配件制造有限公司",
            400,
            None,
            "“揭榜挂帅”机制和党建品牌打造经验",
        ),
        ("huatian", "青岛润丰精密模具有限公司", 300, None, "党员先锋岗设置和应急服务队建设"),
        ("kangheng", "青岛鑫泰包装制品有限公司", 500, 60, "党组织活动阵地建设（“六有”）"),
    ]
    for key, mentee_name, start, end, content in pairs:
        mentee = Enterprise.objects.filter(name=mentee_name).first()
        if mentee is None:
            continue
        mentoring = Mentoring(
            site=ent[key].demonstration_site,
            mentee=mentee,
            start=_ago(today, start),
            end=_ago(today, end) if end else None,
            content=content,
        )
        mentoring.full_clean()
        mentoring.save()
        for days, text in [
            (start - 30, "上门交流，梳理党建工作台账"),
            (start - 120, "组织党员到示范点参观学习"),
        ]:
            if days > (end or 0):
                MentoringNote.objects.create(
                    mentoring=mentoring, noted_on=_ago(today, days), text=text
                )


def _deeds_and_cases(ent, street, today):
    haijia = ent["haijia"]
    deed = PioneerDeed(
        enterprise=haijia,
        person_name="郑晓斐",
        branch=haijia.coverages.filter(until__isnull=True).first().organization,
        site=haijia.demonstration_site,
        title="带领团队开拓国际市场，创公司出口销量新高",
        background="受国际市场需求波动影响，公司出口订单一度下滑。",
        measures="党员郑晓斐牵头组建外贸攻坚团队，主动对接海外客户，参加国际展会，"
        "优化报价和交付流程。",
        results="公司出口销量创历史新高，新开拓多个海外市场。",
        method="党员带头闯市场：党员领衔组队、目标量化到人、每月复盘。",
        recorded_on=_this_year(today, 3, 20),
    )
    deed.full_clean()
    deed.save()
    DeedRecognition.objects.create(
        deed=deed,
        name="“灯塔领读”主题交流分享会（受邀分享）",
        granted_by="青岛市委组织部",
        granted_on=_this_year(today, 4, 23),
    )
    hairong = ent["hairong"]
    first_topic = hairong.topics.get(title="提升挂件空间利用率")
    deed = PioneerDeed(
        enterprise=hairong,
        person_name=first_topic.leader_name,
        topic=first_topic,
        title="攻克挂件空间利用率难题",
        background="冷柜挂件周转空间紧张，影响生产节拍。",
        measures="攻坚小队揭榜后重新规划挂件工位和周转路线，试点立体挂架。",
        results="挂件空间利用率提升25%以上，课题经验收销号。",
        method="揭榜挂帅：问题上榜、党员揭榜、节点管理、验收销号。",
        recorded_on=_ago(today, 100),
    )
    deed.full_clean()
    deed.save()

    shuicheng = Area.objects.get(parent=street, name="水城路社区")
    case = TeachingCase(
        area=shuicheng,
        title="兜底发展辖区企业党员",
        background="辖区小微企业多，党员少、发展党员难，部分企业长期没有党员。",
        measures="社区党委兜底做好小微企业入党积极分子的培养、考察和发展，"
        "依托联合党支部把企业党员组织起来。",
        results="辖区企业实现党员从“0”到“1”再到“多”，海之冠等企业成立了自己的党支部。",
        method="社区兜底发展、联合支部过渡、条件成熟单独组建。",
        recorded_on=_this_year(today, 5, 10),
    )
    case.full_clean()
    case.save()
    services.case_submit(case=case)
    services.case_review(
        case=case, on=_this_year(today, 6, 18), reviewer="区委组织部", approve=True
    )
    CaseRecognition.objects.create(
        case=case,
        name="全区“红帆支部”深化拓展工作推进会议典型发言",
        granted_by="西海岸新区区委组织部",
        granted_on=_this_year(today, 6, 18),
    )
    draft = TeachingCase(
        area=hairong.community,
        enterprise=hairong,
        site=hairong.demonstration_site,
        topic=first_topic,
        title="“揭榜挂帅”让党建组织力转化为企业生产力",
        background="企业重点项目攻关需要把党员职工组织起来。",
        measures="问题上榜、党支部和攻坚小队揭榜、党员挂帅、节点管理、验收销号。",
        results="4个党支部、9个攻坚小队认领19项课题。",
        method="揭榜挂帅五步法。",
        recorded_on=_ago(today, 20),
    )
    draft.full_clean()
    draft.save()
    services.case_submit(case=draft)  # awaiting review: not on the dashboard yet


# ---------------------------------------------------------------------------
# 2. Synthetic sites at --scale (plain bulk inserts)

BRAND_WORDS = ["红帆", "先锋", "匠心", "初心", "领航", "聚力", "同心", "奋进", "启航", "铸魂"]
BRAND_TAILS = ["工坊", "引擎", "港湾", "阵地", "之家", "号", "行动", "驿站"]
TOPIC_WORDS = [
    "降低单位能耗",
    "提升产品合格率",
    "缩短交付周期",
    "减少物料损耗",
    "提升设备综合效率",
    "优化仓储周转",
    "客户满意度提升",
    "安全隐患清零",
    "新产品研发攻关",
    "数字化改造",
    "出口订单增长",
    "技能人才培养",
]
FINALS = [T.CLOSED] * 4 + [T.IN_PROGRESS] * 5 + [T.ACCEPTING, T.CLAIMED, T.CLAIMED]
FINALS += [T.TOLERATED, T.PUBLISHED, T.COLLECTING]


def _synthetic(command, today, rubric, scale):
    if scale is None:
        return 0
    target = scale // ENTERPRISES_PER_SITE
    existing = DemonstrationSite.objects.count()
    if existing >= target:
        command.stdout.write(f"Demonstration sites: {existing:,} (≥ {target:,}), complete.")
        return 0
    return add_synthetic(command, today, rubric, target - existing)


def add_synthetic(command, today, rubric, count):
    """Add ``count`` generated sites (fewer if too few enterprises qualify)."""
    started = time.monotonic()
    rng = random.Random(f"{SEED}:{DemonstrationSite.objects.count()}")
    district = Area.objects.get(name=DISTRICT, level=Area.Level.DISTRICT)
    window = [_ago(today, 820), _ago(today, 400), today]
    candidates = list(
        _covered_throughout(
            Enterprise.objects.operating_on(today).filter(community__parent__parent=district),
            window,
        )
        .exclude(pk__in=DemonstrationSite.objects.values("enterprise_id"))
        .order_by("pk")
        .values_list("pk", "community__parent_id")
    )
    picked = sorted(rng.sample(candidates, min(count, len(candidates))))
    if not picked:
        return 0
    organization = {
        c["enterprise_id"]: c["organization_id"]
        for c in coverage.active_rows(today)[coverage.STANDALONE]
        .filter(enterprise_id__in=[pk for pk, _ in picked])
        .values("enterprise_id", "organization_id")
    }
    batches = {}
    for street_id in {street for _, street in picked}:
        batches[street_id] = SiteBatch.objects.get_or_create(
            area_id=street_id, name="首批", defaults={"year": _ago(today, 760).year}
        )[0]
    indicators = list(RubricIndicator.objects.filter(dimension__rubric=rubric).order_by("pk"))
    maximum = rubric.total_points()

    sites, plans = [], []
    for number, (enterprise_id, street_id) in enumerate(picked):
        since = _ago(today, rng.randint(760, 820))
        roll = rng.random()
        named = since + dt.timedelta(days=rng.randint(20, 120))
        history = [(S.INCUBATING, since)]
        if roll < 0.12:  # still incubating
            pass
        elif roll < 0.16:
            history += [
                (S.NAMED, named),
                (S.REVOKED, named + dt.timedelta(days=rng.randint(200, 500))),
            ]
        else:
            history.append((S.NAMED, named))
            if rng.random() < 0.5:
                history.append(
                    (S.REVIEWED, add_years(named, 2) - dt.timedelta(days=rng.randint(0, 60)))
                )
        history = [(s, min(day, today)) for s, day in history]
        status, status_since = history[-1]
        last_recognised = next((day for s, day in reversed(history) if s in RECOGNISED), None)
        site = DemonstrationSite(
            enterprise_id=enterprise_id,
            batch=batches[street_id],
            level=SiteLevel.STREET if rng.random() < 0.8 else SiteLevel.DISTRICT,
            brand_name=rng.choice(BRAND_WORDS) + rng.choice(BRAND_TAILS),
            slogan="党建引领 发展强企",
            status=status,
            status_since=status_since,
        )
        if status in RECOGNISED and last_recognised:
            site.review_due = add_years(last_recognised, site.review_cycle_years)
        sites.append(site)
        plans.append((site, history, enterprise_id, number))
    _insert(DemonstrationSite, sites)

    changes, items, teams, ratings = [], [], [], []
    for site, history, enterprise_id, _ in plans:
        for (status, start), following in zip(history, [*history[1:], None], strict=True):
            changes.append(
                SiteStatusChange(
                    site=site,
                    status=status,
                    start=start,
                    end=following[1] if following else None,
                    reason="生成的演示数据",
                )
            )
        items += [
            ChecklistItem(site=site, item=item, met=rng.random() < 0.8, checked_on=history[0][1])
            for item in ChecklistItem.Item
        ]
        if site.status in (S.NAMED, S.REVIEWED):
            for _ in range(rng.randint(1, 3)):
                teams.append(
                    TaskTeam(
                        enterprise_id=enterprise_id,
                        branch_id=organization[enterprise_id],
                        name=rng.choice(TOPIC_WORDS)[:4] + "攻坚小队",
                        leader_name=names.person(rng),
                        members=rng.randint(3, 9),
                        start=history[0][1],
                    )
                )
            rated = history[1][1] + dt.timedelta(days=45)
            if rated <= today:
                ratings.append((site, rated))
    _insert(SiteStatusChange, changes)
    _insert(ChecklistItem, items)
    _insert(TaskTeam, teams)
    teams_of = {}
    for team in teams:
        teams_of.setdefault(team.enterprise_id, []).append(team)

    rating_rows, score_rows = [], []
    for site, rated in ratings:
        scores = _score(rng, indicators, rng.choice([55, 65, 72, 78, 84, 88, 93]))
        total = quantize(sum((r for _, r in scores.values()), D(0)))
        percent = quantize(total / maximum * 100)
        stars = rubric.stars_for(percent)
        rating = Rating(
            rubric=rubric,
            site=site,
            year=rated.year,
            status=Rating.Status.FINAL,
            rated_on=rated,
            self_total=quantize(sum((s for s, _ in scores.values()), D(0))),
            total=total,
            percent=percent,
            stars=stars,
            result_note=f"得分率 {percent}%，评为{stars}星。"
            if stars
            else f"得分率 {percent}%，不评星。",
        )
        rating_rows.append((rating, scores))
    _insert(Rating, [r for r, _ in rating_rows])
    for rating, scores in rating_rows:
        score_rows += [
            RatingScore(rating=rating, indicator=i, self_score=s, reviewer_score=r)
            for i, (s, r) in scores.items()
        ]
    _insert(RatingScore, score_rows)

    topics, topic_plans = [], []
    for site, history, enterprise_id, number in plans:
        if site.status not in (S.NAMED, S.REVIEWED):
            continue
        named = history[1][1]
        for n in range(rng.randint(3, 15)):
            final = rng.choice(FINALS)
            posted = min(today, named + dt.timedelta(days=rng.randint(10, 500)))
            steps = _synthetic_steps(rng, final, posted, today)
            claimer = None
            if final not in (T.COLLECTING, T.PUBLISHED):
                choices = teams_of.get(enterprise_id, [])
                claimer = rng.choice(choices) if choices and rng.random() < 0.6 else None
            topic = Topic(
                enterprise_id=enterprise_id,
                site=site,
                title=f"{rng.choice(TOPIC_WORDS)}（{number + 1}-{n + 1}）",
                problem="生成的演示课题。",
                target_value=D(rng.randint(5, 30)),
                target_unit="%",
                posted_on=posted,
                due_on=_synthetic_due(rng, final, posted, steps, today),
                state=steps[-1][0],
                state_since=steps[-1][1],
                claimed_on=next((day for s, day in steps if s == T.CLAIMED), None),
                claimed_team=claimer,
                claimed_branch_id=None
                if claimer or final in (T.COLLECTING, T.PUBLISHED)
                else organization[enterprise_id],
                leader_name=names.person(rng) if final not in (T.COLLECTING, T.PUBLISHED) else "",
                closed_on=steps[-1][1] if final in (T.CLOSED, T.TOLERATED) else None,
                tolerance_reason="已尽职尽责" if final == T.TOLERATED else "",
            )
            topics.append(topic)
            topic_plans.append((topic, steps, final))
    _insert(Topic, topics)
    state_rows, milestones = [], []
    for topic, steps, final in topic_plans:
        for (state, start), following in zip(steps, [*steps[1:], None], strict=True):
            state_rows.append(
                TopicStateChange(
                    topic=topic, state=state, start=start, end=following[1] if following else None
                )
            )
        for order, ((name, weight), percent) in enumerate(
            zip(MILESTONES, PERCENTS[final], strict=True), start=1
        ):
            if final == T.IN_PROGRESS and order == 3:
                percent = rng.choice([20, 40, 60, 80])
            milestones.append(
                Milestone(
                    topic=topic,
                    title=name,
                    weight=weight,
                    order=order,
                    percent_done=percent,
                    done_on=topic.state_since if percent == 100 else None,
                )
            )
    _insert(TopicStateChange, state_rows)
    _insert(Milestone, milestones)
    acceptances = [
        Acceptance(
            topic=topic,
            accepted_on=topic.closed_on,
            measured_value=topic.target_value + 1,
            passed=True,
            opinion="达到目标，同意销号。",
        )
        for topic, _, final in topic_plans
        if final == T.CLOSED
    ]
    _insert(Acceptance, acceptances)
    _insert(
        AcceptanceReviewer,
        [
            AcceptanceReviewer(acceptance=a, name=names.person(rng), unit="街道党工委")
            for a in acceptances
        ],
    )
    command.stdout.write(
        f"Synthetic sites: +{len(sites):,} sites, +{len(topics):,} topics, "
        f"+{len(teams):,} task teams, +{len(rating_rows):,} ratings "
        f"({time.monotonic() - started:.1f} s)"
    )
    return len(sites)


def _synthetic_due(rng, final, posted, steps, today):
    """Closed topics were due around their closing; open ones mostly later than today."""
    if final in (T.CLOSED, T.TOLERATED):
        due = steps[-1][1] + dt.timedelta(days=rng.randint(-30, 90))
    else:
        due = today + dt.timedelta(days=rng.randint(-60, 360))
    return max(due, posted)


def _synthetic_steps(rng, final, posted, today):
    """[(state, start)] from 征集 on ``posted`` to ``final``, dates ascending, ≤ today."""
    steps, day = [(T.COLLECTING, posted)], posted
    for state in _path(final):
        day = min(today, day + dt.timedelta(days=rng.randint(3, 60)))
        if state == T.CLOSED:
            steps.append((T.ACCEPTING, day))
        steps.append((state, day))
    return steps

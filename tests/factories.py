"""factory-boy factories, plus ``make_in_street``: one record of any scoped model inside
a given street. The URL-walking scope test uses it for every model an object URL shows,
so a new model without an entry here makes that test fail (on purpose)."""

import datetime as dt
import io
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from areas.models import Area
from core.attachments.services import attachment_add
from core.models import Attachment
from enterprises import uscc
from enterprises.models import (
    Coverage,
    Enterprise,
    IndustryChain,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    MembershipTransfer,
    PartyOrganization,
)
from ledger.models import ImportBatch
from partnerships.models import Partner
from showcase import services as showcase_services
from showcase.models import (
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
    RatingVetoFinding,
    Rubric,
    RubricDimension,
    RubricIndicator,
    RubricVeto,
    SiteBatch,
    SiteStatusChange,
    TaskTeam,
    TeachingCase,
    Topic,
    TopicStateChange,
)

# Dated facts default to a day well in the past, so a default record is in force today
# and tests about a past date D pass their own dates explicitly.
LONG_AGO = dt.date(2020, 1, 1)


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("name", "parent")

    name = factory.Sequence(lambda n: f"区域{n}")
    level = Area.Level.DISTRICT
    parent = None


class StreetFactory(AreaFactory):
    level = Area.Level.STREET
    parent = factory.SubFactory(AreaFactory)


class CommunityFactory(AreaFactory):
    level = Area.Level.COMMUNITY
    kind = Area.CommunityKind.URBAN
    parent = factory.SubFactory(StreetFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = User.Role.STAFF
    area = factory.SubFactory(StreetFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"合作单位{n}")
    kind = Partner.Kind.UNIVERSITY
    area = factory.SubFactory(StreetFactory)


class IndustryChainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndustryChain
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"产业链{n}")


def _uscc_for(n):
    """A valid USCC, different for every ``n`` (17-character prefix + check character)."""
    return uscc.make(f"91370211MA{n:07d}"[:17])


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"青岛测试企业{n}有限公司")
    uscc = factory.Sequence(_uscc_for)
    community = factory.SubFactory(CommunityFactory)
    industry = "C"
    tracked_since = LONG_AGO
    status = Enterprise.Status.OPERATING
    status_date = None


class PartyOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrganization

    name = factory.Sequence(lambda n: f"测试党支部{n}")
    level = PartyOrganization.Level.BRANCH
    formation = PartyOrganization.Formation.STANDALONE
    area = factory.SubFactory(CommunityFactory)
    established_on = LONG_AGO


class CoverageFactory(factory.django.DjangoModelFactory):
    """The organisation is managed by the enterprise's community unless given."""

    class Meta:
        model = Coverage

    enterprise = factory.SubFactory(EnterpriseFactory)
    organization = factory.SubFactory(
        PartyOrganizationFactory, area=factory.SelfAttribute("..enterprise.community")
    )
    since = factory.LazyAttribute(lambda o: o.organization.established_on)
    until = None


class MembershipReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipReturn

    enterprise = factory.SubFactory(EnterpriseFactory)
    reported_on = factory.LazyFunction(timezone.localdate)
    formal = 0
    probationary = 0


class LiaisonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Liaison

    name = factory.Sequence(lambda n: f"专员{n}")
    kind = Liaison.Kind.COMMISSIONER
    area = factory.SubFactory(StreetFactory)


class LiaisonAssignmentFactory(factory.django.DjangoModelFactory):
    """The liaison belongs to the enterprise's street unless given."""

    class Meta:
        model = LiaisonAssignment

    enterprise = factory.SubFactory(EnterpriseFactory)
    liaison = factory.SubFactory(
        LiaisonFactory, area=factory.SelfAttribute("..enterprise.community.parent")
    )
    start = LONG_AGO
    end = None


class MassOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MassOrganization

    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = MassOrganization.Kind.UNION
    established_on = LONG_AGO
    dissolved_on = None


class MembershipTransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipTransfer

    member_name = factory.Sequence(lambda n: f"党员{n}")
    from_unit = "青岛某高校党委"
    to_organization = factory.SubFactory(PartyOrganizationFactory)
    enterprise = None
    started_on = factory.LazyFunction(timezone.localdate)
    status = MembershipTransfer.Status.IN_PROGRESS


# ---------------------------------------------------------------------------
# 点 (showcase). Sites and topics are made through their services, so they start with
# their first status / state change like real ones (``since`` / ``publish`` may be given).


class SiteBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteBatch

    area = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"第{n}批")
    year = 2024


class DemonstrationSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DemonstrationSite

    enterprise = factory.SubFactory(EnterpriseFactory)
    batch = factory.SubFactory(
        SiteBatchFactory, area=factory.SelfAttribute("..enterprise.community.parent")
    )
    brand_name = factory.Sequence(lambda n: f"红色引擎{n}")
    slogan = "党建引领高质量发展"

    @classmethod
    def _create(cls, model_class, *args, since=LONG_AGO, **kwargs):
        return showcase_services.site_create(site=model_class(*args, **kwargs), since=since)


class TaskTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskTeam

    enterprise = factory.SubFactory(EnterpriseFactory)
    branch = factory.SubFactory(
        PartyOrganizationFactory, area=factory.SelfAttribute("..enterprise.community")
    )
    name = factory.Sequence(lambda n: f"攻坚小队{n}")
    leader_name = factory.Sequence(lambda n: f"队长{n}")
    members = 5
    start = LONG_AGO


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    enterprise = factory.SubFactory(EnterpriseFactory)
    title = factory.Sequence(lambda n: f"课题{n}")
    problem = "现有工序效率偏低"
    expected_result = "效率提升"
    target_value = Decimal("10")
    target_unit = "%"
    posted_on = LONG_AGO
    due_on = dt.date(2020, 12, 31)

    @classmethod
    def _create(cls, model_class, *args, publish=False, **kwargs):
        return showcase_services.topic_create(topic=model_class(*args, **kwargs), publish=publish)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    topic = factory.SubFactory(TopicFactory)
    title = factory.Sequence(lambda n: f"节点{n}")
    weight = 1
    percent_done = 0


class AcceptanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Acceptance

    topic = factory.SubFactory(TopicFactory)
    accepted_on = LONG_AGO
    measured_value = Decimal("12")
    passed = True


class RubricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rubric

    name = factory.Sequence(lambda n: f"星级评定标准{n}")
    edition = 1


class RubricDimensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricDimension

    rubric = factory.SubFactory(RubricFactory)
    name = factory.Sequence(lambda n: f"维度{n}")


class RubricIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricIndicator

    dimension = factory.SubFactory(RubricDimensionFactory)
    name = factory.Sequence(lambda n: f"指标{n}")
    max_points = Decimal("10")


class RubricVetoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricVeto

    rubric = factory.SubFactory(RubricFactory)
    description = factory.Sequence(lambda n: f"否决项{n}")


def published_rubric(points=(Decimal("60"), Decimal("40")), vetoes=1, **fields):
    """A published rubric: one dimension per indicator of ``points``, ``vetoes`` veto items."""
    rubric = RubricFactory(**fields)
    for number, value in enumerate(points, start=1):
        RubricIndicatorFactory(
            dimension=RubricDimensionFactory(rubric=rubric, order=number), max_points=value
        )
    for _ in range(vetoes):
        RubricVetoFactory(rubric=rubric)
    return showcase_services.rubric_publish(rubric=rubric, on=LONG_AGO)


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    rubric = factory.LazyFunction(published_rubric)
    site = factory.SubFactory(DemonstrationSiteFactory)
    year = 2024


class MentoringFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mentoring

    site = factory.SubFactory(DemonstrationSiteFactory)
    mentee = factory.SubFactory(
        EnterpriseFactory, community=factory.SelfAttribute("..site.enterprise.community")
    )
    content = "党建工作台账规范化"
    start = LONG_AGO


class PioneerDeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PioneerDeed

    enterprise = factory.SubFactory(EnterpriseFactory)
    person_name = factory.Sequence(lambda n: f"党员{n}")
    title = "开拓国际市场"
    background = "背景"
    measures = "举措"
    results = "成效"
    recorded_on = factory.LazyFunction(timezone.localdate)


class TeachingCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingCase

    area = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"红帆教学案例{n}")
    background = "背景"
    measures = "举措"
    results = "成效"
    recorded_on = factory.LazyFunction(timezone.localdate)


def png_bytes(size=(40, 30), color=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def png_upload(name="photo.png", **kwargs):
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


def attachment_on(owner):
    return attachment_add(owner=owner, upload=png_upload())


def make_in_street(model, street):
    """One record of ``model`` that belongs to ``street`` (or a community in it)."""
    community = Area.objects.filter(parent=street, level=Area.Level.COMMUNITY).first()
    if community is None:
        community = CommunityFactory(parent=street)

    def enterprise():
        return EnterpriseFactory(community=community)

    def organization():
        return PartyOrganizationFactory(area=community)

    makers = {
        User: lambda: UserFactory(area=street),
        Area: lambda: community,
        Partner: lambda: PartnerFactory(area=street),
        IndustryChain: IndustryChainFactory,  # reference data, not scoped
        Enterprise: enterprise,
        PartyOrganization: organization,
        Coverage: lambda: CoverageFactory(enterprise=enterprise(), organization=organization()),
        MembershipReturn: lambda: MembershipReturnFactory(enterprise=enterprise()),
        Liaison: lambda: LiaisonFactory(area=street),
        LiaisonAssignment: lambda: LiaisonAssignmentFactory(
            enterprise=enterprise(), liaison=LiaisonFactory(area=street)
        ),
        MassOrganization: lambda: MassOrganizationFactory(enterprise=enterprise()),
        MembershipTransfer: lambda: MembershipTransferFactory(
            to_organization=organization(), enterprise=enterprise()
        ),
        ImportBatch: lambda: ImportBatch.objects.create(
            user=UserFactory(area=street), file_name="台账.xlsx"
        ),
        Attachment: lambda: attachment_on(enterprise()),
        **_showcase_makers(street, community, enterprise),
    }
    if model not in makers:
        # A part keeps its own makers in tests/<app label>/factories.py.
        from importlib import import_module

        module = import_module(f"tests.{model._meta.app_label}.factories")
        return module.make_in_street(model, street)
    return makers[model]()


def _showcase_makers(street, community, enterprise):
    def site():
        return DemonstrationSiteFactory(enterprise=enterprise())

    def topic():
        return TopicFactory(enterprise=enterprise())

    def rating():
        return RatingFactory(site=site())

    def rubric():
        return published_rubric()

    def acceptance():
        return AcceptanceFactory(topic=topic())

    def mentoring():
        return MentoringFactory(site=site())

    def deed():
        return PioneerDeedFactory(enterprise=enterprise())

    def case():
        return TeachingCaseFactory(area=community)

    return {
        SiteBatch: lambda: SiteBatchFactory(area=street),
        DemonstrationSite: site,
        SiteStatusChange: lambda: site().status_changes.get(),
        ChecklistItem: lambda: site().checklist.first(),
        Rubric: rubric,
        RubricDimension: lambda: rubric().dimensions.first(),
        RubricIndicator: lambda: RubricIndicator.objects.filter(dimension__rubric=rubric()).first(),
        RubricVeto: lambda: rubric().vetoes.first(),
        Rating: rating,
        RatingScore: lambda: RatingScore.objects.create(
            rating=(r := rating()),
            indicator=RubricIndicator.objects.filter(dimension__rubric=r.rubric).first(),
        ),
        RatingVetoFinding: lambda: RatingVetoFinding.objects.create(
            rating=(r := rating()), veto=r.rubric.vetoes.first()
        ),
        TaskTeam: lambda: TaskTeamFactory(
            enterprise=enterprise(), branch=PartyOrganizationFactory(area=community)
        ),
        Topic: topic,
        TopicStateChange: lambda: topic().state_changes.get(),
        Milestone: lambda: MilestoneFactory(topic=topic()),
        Acceptance: acceptance,
        AcceptanceReviewer: lambda: AcceptanceReviewer.objects.create(
            acceptance=acceptance(), name="评审专家"
        ),
        Mentoring: mentoring,
        MentoringNote: lambda: MentoringNote.objects.create(
            mentoring=mentoring(), noted_on=LONG_AGO, text="交流党建台账做法"
        ),
        PioneerDeed: deed,
        DeedRecognition: lambda: DeedRecognition.objects.create(
            deed=deed(), name="灯塔领读主题交流分享会", granted_on=LONG_AGO
        ),
        TeachingCase: case,
        CaseRecognition: lambda: CaseRecognition.objects.create(
            case=case(), name="全区红帆教学案例", granted_on=LONG_AGO
        ),
    }

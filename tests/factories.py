"""factory-boy factories, plus ``make_in_street``: one record of any scoped model inside
a given street. The URL-walking scope test uses it for every model an object URL shows,
so a new model without an entry here makes that test fail (on purpose)."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import User
from areas.models import Area
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
    }
    if model not in makers:
        # A part keeps its own makers in tests/<app label>/factories.py.
        from importlib import import_module

        module = import_module(f"tests.{model._meta.app_label}.factories")
        return module.make_in_street(model, street)
    return makers[model]()

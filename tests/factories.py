"""factory-boy factories, plus ``make_in_street``: one record of any scoped model inside
a given street. The URL-walking scope test uses it for every model an object URL shows,
so a new model without an entry here makes that test fail (on purpose)."""

import factory

from accounts.models import User
from areas.models import Area
from partnerships.models import Partner


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


def make_in_street(model, street):
    """One record of ``model`` that belongs to ``street`` (or a community in it)."""
    community = Area.objects.filter(parent=street, level=Area.Level.COMMUNITY).first()
    makers = {
        User: lambda: UserFactory(area=street),
        Area: lambda: community,
        Partner: lambda: PartnerFactory(area=street),
    }
    return makers[model]()

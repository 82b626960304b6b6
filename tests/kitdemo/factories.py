import datetime as dt

import factory

from areas.models import Area

from .models import Patrol


class PatrolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patrol

    title = factory.Sequence(lambda n: f"巡查{n}")
    start = dt.date(2024, 1, 1)
    hours = 2


def make_in_street(model, street):
    community = Area.objects.filter(parent=street, level=Area.Level.COMMUNITY).first()
    return {Patrol: lambda: PatrolFactory(community=community)}[model]()

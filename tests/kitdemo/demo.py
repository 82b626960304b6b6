"""Demo patrols (seed_demo runs it in the test suite, where this part is installed)."""

import datetime as dt

from areas.models import Area

from .models import Patrol


def seed(command, scale):
    if Patrol.objects.exists():
        return
    communities = list(Area.objects.filter(level=Area.Level.COMMUNITY).order_by("pk")[:6])
    for i, community in enumerate(communities):
        Patrol.objects.create(
            title=f"巡查{i}",
            community=community,
            start=dt.date(2024, 1 + i, 1),
            end=dt.date(2025, 1, 1) if i % 3 == 0 else None,
            hours=i + 1,
        )

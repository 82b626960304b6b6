import datetime as dt

from core.alerts import Alert
from core.tables import TITLE, Column

from .models import Patrol


def open_too_long(queryset, today):
    return queryset.filter(end__isnull=True, start__lte=today - dt.timedelta(days=30))


ALERTS = [
    Alert(
        "patrol_open_too_long",
        "Patrol open for more than 30 days",
        "A patrol started more than 30 days ago and not ended.",
        Patrol,
        open_too_long,
        columns=(
            Column("title", "title", link=True, role=TITLE),
            Column("community", "community", value="community.name"),
            Column("start", "started"),
        ),
        prepare=lambda queryset, today: queryset.select_related("community"),
        order=("start", "pk"),
    )
]

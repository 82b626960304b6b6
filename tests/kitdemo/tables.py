import django_filters

from core.filters import AreaFilter, DateFilter, ScopedFilterSet, SearchFilter
from core.tables import TAG, TITLE, Column, Table

from .models import Patrol


class PatrolFilter(ScopedFilterSet):
    q = SearchFilter(label="title contains", fields=("title",))
    area = AreaFilter(levels=["street", "community"])
    started_after = DateFilter(field_name="start", lookup_expr="gte", label="started after")
    open = django_filters.BooleanFilter(field_name="end", lookup_expr="isnull", label="open")

    class Meta:
        model = Patrol
        fields = []


class PatrolTable(Table):
    kind = "patrols"
    list_url_name = "kitdemo:list"
    title = "Patrols"
    model = Patrol
    filterset_class = PatrolFilter
    default_sort = "-start"
    columns = [
        Column("title", "title", sort=("title", "pk"), link=True, role=TITLE),
        Column("community", "community", value="community.name", sort=("community__name", "pk")),
        Column("start", "start", sort=("start", "pk")),
        Column("end", "end", role=TAG),
        Column("hours", "hours", num=True, sort=("hours", "pk")),
    ]

    def prepare(self, queryset, day):
        return queryset.select_related("community__parent")

from core.record_views import RecordDeleteView, RecordEndView
from core.tables import Column
from core.views import RecordCreateView, RecordDetailView, TableListView, VersionedUpdateView

from .forms import PatrolForm
from .models import Patrol
from .tables import PatrolTable


class PatrolListView(TableListView):
    table_class = PatrolTable
    create_url_name = "kitdemo:create"


class PatrolDetailView(RecordDetailView):
    model = Patrol
    facts = (
        Column("community", "community", value="community.name"),
        Column("start", "start"),
        Column("end", "end"),
        Column("hours", "hours"),
    )
    actions = (
        ("edit", "kitdemo:edit", "primary"),
        ("end", "kitdemo:end", ""),
        ("delete", "kitdemo:delete", "danger"),
    )

    def action_applies(self, url_name, obj):
        return url_name != "kitdemo:end" or obj.end is None


class PatrolCreateView(RecordCreateView):
    model = Patrol
    form_class = PatrolForm
    page_title = "New patrol"


class PatrolUpdateView(VersionedUpdateView):
    model = Patrol
    form_class = PatrolForm
    page_title = "Edit patrol"


class PatrolEndView(RecordEndView):
    model = Patrol


class PatrolDeleteView(RecordDeleteView):
    model = Patrol
    success_url = "/kitdemo/"

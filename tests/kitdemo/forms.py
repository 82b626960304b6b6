from areas.forms import AreaChoiceField
from areas.models import Area
from core.forms import BaseModelForm, VersionedFormMixin

from .models import Patrol


class PatrolForm(VersionedFormMixin, BaseModelForm):
    community = AreaChoiceField(label="community", queryset=Area.objects.none())

    class Meta(BaseModelForm.Meta):
        model = Patrol
        fields = ["title", "community", "start", "hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = (
            Area.objects.for_user(self.user).filter(level=Area.Level.COMMUNITY).in_tree_order()
        )

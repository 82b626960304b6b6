"""Task teams (攻坚小队), 传帮带, pioneer deeds (先锋事迹), 红帆 teaching cases, and the lists
of the panel's engaged branches and mentored enterprises."""

from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.record_views import ConfirmForm, RecordEndView
from core.tables import Column
from core.views import ParentMixin, RecordCreateView, VersionedUpdateView
from enterprises.forms import EnterpriseLookupField

from .. import services, tables
from ..forms import (
    CaseCreateForm,
    CaseForm,
    CaseReviewForm,
    DeedCreateForm,
    DeedForm,
    MentoringCreateForm,
    MentoringForm,
    MentoringNoteForm,
    TeamCreateForm,
    TeamForm,
    recognition_form,
)
from ..models import (
    CaseRecognition,
    CaseReview,
    DeedRecognition,
    Mentoring,
    PioneerDeed,
    TaskTeam,
    TeachingCase,
)
from .common import ActionView, ContextEnterpriseMixin, DetailView, ListView, upload_view


def _link(obj):
    if obj is None:
        return "—"
    return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj)


class ContextCreateView(ContextEnterpriseMixin, RecordCreateView):
    """A create page that limits its choices to the enterprise it is opened for."""

    list_url_name = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "enterprise": self.context_enterprise}

    def get_initial(self):
        initial = super().get_initial()
        if self.context_site is not None:
            initial["site"] = self.context_site
        if self.context_topic is not None:
            initial["topic"] = self.context_topic
        return initial

    def get_cancel_url(self):
        for context in (self.context_topic, self.context_site, self.context_enterprise):
            if context is not None:
                return context.get_absolute_url()
        return reverse(self.list_url_name)


# ---------------------------------------------------------------------------
# Task teams


class TeamListView(ListView):
    table_class = tables.TeamTable
    tab = "teams"
    create_url_name = "showcase:team_create"
    create_label = gettext_lazy("New task team")
    empty_text = gettext_lazy("No task team is recorded yet.")
    no_match_text = gettext_lazy("No task teams match these filters.")


class TeamDetailView(DetailView):
    model = TaskTeam
    template_name = "showcase/team_detail.html"
    tab = "teams"
    attachment_upload_url_name = None
    facts = (
        Column("enterprise", gettext_lazy("Enterprise"), html=lambda t: _link(t.enterprise)),
        Column("branch", gettext_lazy("Branch"), value="branch.name"),
        Column("leader_name", gettext_lazy("Team leader")),
        Column("members", gettext_lazy("Number of members")),
        Column("start", gettext_lazy("Formed on")),
        Column("end", gettext_lazy("Disbanded on")),
    )
    actions = (
        (gettext_lazy("Edit"), "showcase:team_edit", "primary"),
        (gettext_lazy("Disband"), "showcase:team_end", ""),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise", "branch")

    def action_applies(self, url_name, obj):
        return url_name != "showcase:team_end" or obj.end is None

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            topics=self.object.topics.order_by("due_on", "pk"), **kwargs
        )


class TeamCreateView(ContextCreateView):
    """Opened for an enterprise (``?enterprise=``, from its site's page or the first step
    here): its branches are the choices."""

    model = TaskTeam
    form_class = TeamCreateForm
    page_title = gettext_lazy("New task team")
    success_text = gettext_lazy("Task team saved.")
    list_url_name = "showcase:team_list"

    def get(self, request, *args, **kwargs):
        if self.context_enterprise is None:
            return self.choose_enterprise()
        return super().get(request, *args, **kwargs)

    def choose_enterprise(self):
        field = EnterpriseLookupField(label=_("Enterprise"))
        raw = self.request.GET.get("enterprise", "")
        error = (
            _("No enterprise in your area matches: %(entries)s") % {"entries": raw} if raw else ""
        )
        return TemplateResponse(
            self.request,
            "showcase/choose_enterprise.html",
            {
                "page_title": self.page_title,
                "field": field,
                "value": raw,
                "error": error,
                "cancel_url": reverse(self.list_url_name),
            },
        )

    def get_initial(self):
        return {"enterprise": self.context_enterprise}


class TeamUpdateView(VersionedUpdateView):
    model = TaskTeam
    form_class = TeamForm
    page_title = gettext_lazy("Edit task team")
    success_text = gettext_lazy("Task team saved.")


class TeamEndView(RecordEndView):
    model = TaskTeam
    page_title = gettext_lazy("Disband the task team")


# ---------------------------------------------------------------------------
# 传帮带


class MentoringListView(ListView):
    table_class = tables.MentoringTable
    tab = "mentorings"
    create_url_name = "showcase:mentoring_create"
    create_label = gettext_lazy("New mentoring pair")
    empty_text = gettext_lazy("No mentoring (传帮带) is recorded yet.")
    no_match_text = gettext_lazy("No mentoring pairs match these filters.")


class MentoringDetailView(DetailView):
    model = Mentoring
    template_name = "showcase/mentoring_detail.html"
    tab = "mentorings"
    attachment_upload_url_name = None
    facts = (
        Column("site", gettext_lazy("Mentoring site"), html=lambda m: _link(m.site)),
        Column("mentee", gettext_lazy("Mentored enterprise"), html=lambda m: _link(m.mentee)),
        Column("content", gettext_lazy("What is passed on")),
        Column("start", gettext_lazy("Start")),
        Column("end", gettext_lazy("End")),
    )
    actions = (
        (gettext_lazy("Edit"), "showcase:mentoring_edit", "primary"),
        (gettext_lazy("End"), "showcase:mentoring_end", ""),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("site", "mentee")

    def action_applies(self, url_name, obj):
        return url_name != "showcase:mentoring_end" or obj.end is None

    def get_context_data(self, **kwargs):
        context = {"notes": self.object.notes.order_by("-noted_on", "-pk")}
        if self.request.user.can_edit:
            context["note_form"] = MentoringNoteForm(user=self.request.user)
        return super().get_context_data(**context, **kwargs)


class MentoringCreateView(ContextCreateView):
    model = Mentoring
    form_class = MentoringCreateForm
    page_title = gettext_lazy("New mentoring pair (传帮带)")
    success_text = gettext_lazy("Mentoring saved.")
    list_url_name = "showcase:mentoring_list"

    def get_form_kwargs(self):
        return RecordCreateView.get_form_kwargs(self)


class MentoringUpdateView(VersionedUpdateView):
    model = Mentoring
    form_class = MentoringForm
    page_title = gettext_lazy("Edit mentoring")
    success_text = gettext_lazy("Mentoring saved.")


class MentoringEndView(RecordEndView):
    model = Mentoring
    page_title = gettext_lazy("End the mentoring")


class MentoringNoteCreateView(ParentMixin, RecordCreateView):
    model = Mentoring
    parent_field = "mentoring"
    form_class = MentoringNoteForm
    page_title = gettext_lazy("New mentoring note")
    success_text = gettext_lazy("Note saved.")

    def get_success_url(self):
        return self.parent.get_absolute_url() + "#notes"


# ---------------------------------------------------------------------------
# Pioneer deeds


class DeedListView(ListView):
    table_class = tables.DeedTable
    tab = "deeds"
    create_url_name = "showcase:deed_create"
    create_label = gettext_lazy("New pioneer deed")
    empty_text = gettext_lazy("No pioneer deed is recorded yet.")
    no_match_text = gettext_lazy("No deeds match these filters.")


PRACTICE_FACTS = (
    Column("background", gettext_lazy("Background")),
    Column("measures", gettext_lazy("Measures")),
    Column("results", gettext_lazy("Measured results")),
    Column("method", gettext_lazy("Reusable method")),
    Column("recorded_on", gettext_lazy("Recorded on")),
)


class DeedDetailView(DetailView):
    model = PioneerDeed
    template_name = "showcase/practice_detail.html"
    tab = "deeds"
    attachment_upload_url_name = "showcase:deed_attachment_upload"
    facts = (
        Column("person_name", gettext_lazy("Member")),
        Column("enterprise", gettext_lazy("Enterprise"), html=lambda d: _link(d.enterprise)),
        Column("branch", gettext_lazy("Branch"), value="branch.name"),
        *PRACTICE_FACTS,
        Column("site", gettext_lazy("From site"), html=lambda d: _link(d.site)),
        Column("topic", gettext_lazy("From topic"), html=lambda d: _link(d.topic)),
    )
    actions = (
        (gettext_lazy("Edit"), "showcase:deed_edit", "primary"),
        (gettext_lazy("Add a recognition"), "showcase:deed_recognition_create", ""),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise", "branch", "site", "topic")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            recognitions=self.object.recognitions.all(),
            cases=self.object.teaching_cases.order_by("-recorded_on", "pk"),
            **kwargs,
        )


class DeedCreateView(ContextCreateView):
    model = PioneerDeed
    form_class = DeedCreateForm
    page_title = gettext_lazy("New pioneer deed")
    success_text = gettext_lazy("Deed saved.")
    list_url_name = "showcase:deed_list"


class DeedUpdateView(VersionedUpdateView):
    model = PioneerDeed
    form_class = DeedForm
    page_title = gettext_lazy("Edit pioneer deed")
    success_text = gettext_lazy("Deed saved.")


class RecognitionCreateView(ParentMixin, RecordCreateView):
    page_title = gettext_lazy("New recognition")
    success_text = gettext_lazy("Recognition saved.")

    def get_success_url(self):
        return self.parent.get_absolute_url() + "#recognitions"


class DeedRecognitionCreateView(RecognitionCreateView):
    model = PioneerDeed
    parent_field = "deed"
    form_class = recognition_form(DeedRecognition)


DeedAttachmentUpload = upload_view(PioneerDeed)


# ---------------------------------------------------------------------------
# Teaching cases


class CaseListView(ListView):
    table_class = tables.CaseTable
    tab = "cases"
    create_url_name = "showcase:case_create"
    create_label = gettext_lazy("New teaching case")
    empty_text = gettext_lazy("No teaching case is recorded yet.")
    no_match_text = gettext_lazy("No cases match these filters.")


def _review(case):
    text = tables.tag(case.get_review_state_display(), tables.CASE_CSS[case.review_state])
    if case.review_state == CaseReview.REVIEWED:
        return format_html("{} {} · {}", text, case.reviewed_on, case.reviewed_by)
    return text


class CaseDetailView(DetailView):
    model = TeachingCase
    template_name = "showcase/practice_detail.html"
    tab = "cases"
    attachment_upload_url_name = "showcase:case_attachment_upload"
    facts = (
        Column("review_state", gettext_lazy("Review"), html=_review),
        Column("review_opinion", gettext_lazy("Review opinion")),
        Column("area", gettext_lazy("Community"), value=lambda c: c.area.path_names),
        Column("enterprise", gettext_lazy("Enterprise"), html=lambda c: _link(c.enterprise)),
        *PRACTICE_FACTS,
        Column("site", gettext_lazy("From site"), html=lambda c: _link(c.site)),
        Column("topic", gettext_lazy("From topic"), html=lambda c: _link(c.topic)),
        Column("deed", gettext_lazy("From deed"), html=lambda c: _link(c.deed)),
    )
    actions = (
        (gettext_lazy("Edit"), "showcase:case_edit", "primary"),
        (gettext_lazy("Submit for review"), "showcase:case_submit", "primary"),
        (gettext_lazy("Review"), "showcase:case_review", "primary"),
        (gettext_lazy("Add a recognition"), "showcase:case_recognition_create", ""),
    )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("area__parent", "enterprise", "site", "topic", "deed")
        )

    def action_applies(self, url_name, obj):
        if url_name == "showcase:case_submit":
            return obj.review_state in (CaseReview.DRAFT, CaseReview.RETURNED)
        if url_name == "showcase:case_review":
            return obj.review_state == CaseReview.SUBMITTED
        return True

    def get_context_data(self, **kwargs):
        return super().get_context_data(recognitions=self.object.recognitions.all(), **kwargs)


class CaseCreateView(ContextCreateView):
    model = TeachingCase
    form_class = CaseCreateForm
    page_title = gettext_lazy("New 红帆 teaching case")
    success_text = gettext_lazy("Case saved as a draft; submit it for review on its page.")
    list_url_name = "showcase:case_list"


class CaseUpdateView(VersionedUpdateView):
    model = TeachingCase
    form_class = CaseForm
    page_title = gettext_lazy("Edit teaching case")
    success_text = gettext_lazy("Case saved.")


class CaseSubmitView(ActionView):
    model = TeachingCase
    form_class = ConfirmForm
    page_title = gettext_lazy("Submit the case for review")
    submit_label = gettext_lazy("Submit for review")
    explanation = gettext_lazy("A case counts on the dashboard once it has been reviewed.")
    done_text = gettext_lazy("The case is submitted for review.")

    def refusal(self):
        if self.object.review_state not in (CaseReview.DRAFT, CaseReview.RETURNED):
            return _("Only a draft or a returned case can be submitted for review.")
        return None

    def act(self, form):
        services.case_submit(case=self.object)


class CaseReviewView(ActionView):
    model = TeachingCase
    form_class = CaseReviewForm
    page_title = gettext_lazy("Review the case")
    submit_label = gettext_lazy("Record the review")
    done_text = gettext_lazy("The review is recorded.")

    def get_initial(self):
        return {
            **super().get_initial(),
            "reviewer": self.request.user.full_name or str(self.request.user),
        }

    def refusal(self):
        if self.object.review_state != CaseReview.SUBMITTED:
            return _("Only a case submitted for review can be reviewed.")
        return None

    def act(self, form):
        data = form.cleaned_data
        services.case_review(
            case=self.object,
            on=data["on"],
            reviewer=data["reviewer"],
            approve=data["approve"],
            opinion=data["opinion"],
        )


class CaseRecognitionCreateView(RecognitionCreateView):
    model = TeachingCase
    parent_field = "case"
    form_class = recognition_form(CaseRecognition)


CaseAttachmentUpload = upload_view(TeachingCase)


# ---------------------------------------------------------------------------
# The panel's engaged branches and mentored enterprises


class BranchListView(ListView):
    table_class = tables.BranchTable
    tab = "teams"
    empty_text = gettext_lazy("No branch has claimed a topic yet.")


class MentoredListView(ListView):
    table_class = tables.MentoredTable
    tab = "mentorings"
    empty_text = gettext_lazy("No enterprise is mentored yet.")

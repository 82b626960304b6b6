"""揭榜挂帅 topics: list, page (state history, claim, milestones with weights and percent
done, acceptances, attachments), create / edit, every transition, the claim, the
acceptance, milestones, and the phone progress update."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.permissions import EditorRequiredMixin
from core import exports
from core.record_views import RecordDeleteView
from core.tables import Column
from core.versioning import StaleEdit
from core.views import ParentMixin, RecordCreateView, VersionedUpdateView

from .. import selectors, services, sheets, tables
from ..forms import (
    AcceptanceForm,
    ClaimForm,
    MilestoneForm,
    ProgressForm,
    TopicCreateForm,
    TopicForm,
    TransitionForm,
)
from ..models import Milestone, Topic, TopicState
from .common import ActionView, ContextEnterpriseMixin, DetailView, ListView, upload_view

T = TopicState


class TopicListView(ListView):
    table_class = tables.TopicTable
    template_name = "showcase/list.html"
    tab = "topics"
    create_url_name = "showcase:topic_create"
    create_label = gettext_lazy("New topic")
    empty_text = gettext_lazy("No 揭榜挂帅 topic is recorded yet.")
    no_match_text = gettext_lazy("No topics match these filters.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["links"] = progress_links(self.request.user, context["listing"].export_query())
        return context


def progress_links(user, query=""):
    """The progress sheet's links: its export (with the list's filters) and, for editors,
    its import (``showcase/sheets.py``)."""
    suffix = f"?{query}" if query else ""
    links = [
        (
            _("Export progress (Excel)"),
            reverse("showcase:topic_progress_export", kwargs={"fmt": "xlsx"}) + suffix,
        )
    ]
    if user.can_edit:
        links.append(
            (
                _("Update progress from a sheet"),
                reverse("ledger:upload", kwargs={"kind": sheets.SHEET.kind}),
            )
        )
    return links


class TopicProgressExportView(LoginRequiredMixin, View):
    """GET: the progress sheet of the topics on the list (its scope, filters and order),
    one row per milestone, to fill in and import again (``showcase/sheets.py``)."""

    def get(self, request, fmt):
        if fmt not in ("xlsx", "csv"):
            raise Http404
        table = tables.TopicTable()
        filterset = table.filterset(request.GET, request.user, request)
        topics = filterset.qs if filterset.is_valid() else Topic.objects.none()
        topics = table.order(topics, table.sorting(request.GET))
        name = sheets.SHEET.label
        return exports.respond(
            fmt, sheets.progress_headers(), sheets.progress_rows(topics), name, name
        )


def _link(obj):
    return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj) if obj else "—"


def _claimer(topic):
    if topic.claimer is None:
        return "—"
    leader = f"（{_('led by')} {topic.leader_name}）" if topic.leader_name else ""
    if topic.claimed_team_id:
        return format_html("{}{}", _link(topic.claimed_team), leader)
    return format_html("{}{}", topic.claimed_branch, leader)


class TopicDetailView(DetailView):
    model = Topic
    template_name = "showcase/topic_detail.html"
    tab = "topics"
    attachment_upload_url_name = "showcase:topic_attachment_upload"
    facts = (
        Column(
            "state",
            gettext_lazy("State"),
            html=lambda t: format_html(
                "{}（{}）", tables.topic_state_html(t), t.state_since or "—"
            ),
        ),
        Column("owner", gettext_lazy("Owner"), html=lambda t: _link(t.owner)),
        Column("target", gettext_lazy("Target"), value=tables.target),
        Column("posted_on", gettext_lazy("Posted on")),
        Column("due_on", gettext_lazy("Due on")),
        Column("claimer", gettext_lazy("Claimed by"), html=_claimer),
        Column("claimed_on", gettext_lazy("Claimed on")),
        Column("closed_on", gettext_lazy("Closed on")),
    )
    actions = (
        (gettext_lazy("Update progress"), "showcase:topic_progress", "primary"),
        (gettext_lazy("Publish (发榜)"), "showcase:topic_publish", "primary"),
        (gettext_lazy("Claim (揭榜)"), "showcase:topic_claim", "primary"),
        (gettext_lazy("Start work (攻坚)"), "showcase:topic_start", "primary"),
        (gettext_lazy("Record acceptance (验收)"), "showcase:topic_accept", ""),
        (gettext_lazy("Close as done (销号)"), "showcase:topic_close", ""),
        (gettext_lazy("Back to work (返工)"), "showcase:topic_rework", ""),
        (gettext_lazy("Close, failure tolerated (容错)"), "showcase:topic_tolerate", "danger"),
        (gettext_lazy("Edit"), "showcase:topic_edit", ""),
        (gettext_lazy("Add a milestone"), "showcase:milestone_create", ""),
    )
    # Each transition's button shows while the move is legal.
    MOVES = {
        "showcase:topic_publish": T.PUBLISHED,
        "showcase:topic_claim": T.CLAIMED,
        "showcase:topic_start": T.IN_PROGRESS,
        "showcase:topic_close": T.CLOSED,
        "showcase:topic_rework": T.IN_PROGRESS,
        "showcase:topic_tolerate": T.TOLERATED,
    }

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("enterprise", "site", "claimed_branch", "claimed_team")
        )

    def action_applies(self, url_name, topic):
        if url_name in self.MOVES:
            if url_name == "showcase:topic_rework" and topic.state != T.ACCEPTING:
                return False
            if url_name == "showcase:topic_start" and topic.state == T.ACCEPTING:
                return False
            return Topic.transition_error(topic.state, self.MOVES[url_name]) is None
        if url_name == "showcase:topic_accept":
            return topic.state in (T.IN_PROGRESS, T.ACCEPTING)
        if url_name in ("showcase:topic_progress", "showcase:milestone_create"):
            return not topic.is_ended
        return True

    def get_context_data(self, **kwargs):
        topic = self.object
        milestones = list(topic.milestones.order_by("order", "pk"))
        acceptances = list(
            topic.acceptances.prefetch_related("reviewers").order_by("accepted_on", "pk")
        )
        for acceptance in acceptances:
            acceptance.met = topic.met_target(acceptance.measured_value)
        return super().get_context_data(
            state_changes=topic.state_changes.order_by("start", "pk"),
            milestones=milestones,
            weight_total=sum(m.weight for m in milestones),
            progress=selectors.topic_progress(topic),
            acceptances=acceptances,
            deeds=topic.pioneer_deeds.order_by("-recorded_on", "pk"),
            cases=topic.teaching_cases.order_by("-recorded_on", "pk"),
            **kwargs,
        )


class TopicCreateView(ContextEnterpriseMixin, RecordCreateView):
    model = Topic
    form_class = TopicCreateForm
    page_title = gettext_lazy("New 揭榜挂帅 topic")
    success_text = gettext_lazy("Topic saved.")

    def get_initial(self):
        initial = super().get_initial()
        if self.context_site is not None:
            initial["site"] = self.context_site
        elif self.context_enterprise is not None:
            initial["enterprise"] = self.context_enterprise
        return initial

    def get_cancel_url(self):
        if self.context_site is not None:
            return self.context_site.get_absolute_url()
        return reverse("showcase:topic_list")

    def form_valid(self, form):
        try:
            self.object = services.topic_create(
                topic=form.save(commit=False), publish=form.cleaned_data["publish"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_text)
        return redirect(self.object)


class TopicUpdateView(VersionedUpdateView):
    model = Topic
    form_class = TopicForm
    success_text = gettext_lazy("Topic saved.")

    def get_page_title(self):
        return _("Edit %(name)s") % {"name": self.object}


class TopicTransitionView(ActionView):
    model = Topic
    form_class = TransitionForm
    to = None

    def get_object_queryset(self):
        return super().get_object_queryset().select_related("enterprise")

    def refusal(self):
        error = Topic.transition_error(self.object.state, self.to)
        passed = self.object.acceptances.filter(passed=True).exists
        if error is None and self.to == T.CLOSED and not passed():
            return _("No acceptance has passed: the topic cannot be closed as done.")
        return error

    def act(self, form):
        services.topic_transition(
            topic=self.object,
            to=self.to,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
        )


class TopicPublishView(TopicTransitionView):
    to = T.PUBLISHED
    page_title = gettext_lazy("Publish the topic (发榜)")
    submit_label = gettext_lazy("Publish")
    explanation = gettext_lazy("Once published, a branch or a task team can claim it (揭榜).")
    done_text = gettext_lazy("The topic is published.")


class TopicStartView(TopicTransitionView):
    to = T.IN_PROGRESS
    page_title = gettext_lazy("Start work on the topic (攻坚中)")
    submit_label = gettext_lazy("Start work")
    done_text = gettext_lazy("Work on the topic has started.")

    def refusal(self):
        if self.object.state == T.ACCEPTING:
            return _under_acceptance()
        return super().refusal()

    def act(self, form):
        if self.object.state == T.ACCEPTING:
            raise ValidationError(_under_acceptance())
        super().act(form)


def _under_acceptance():
    return _("The topic is under acceptance: to redo the work, send it back to work (返工).")


class TopicReworkView(TopicTransitionView):
    to = T.IN_PROGRESS
    page_title = gettext_lazy("Send the topic back to work (返工)")
    submit_label = gettext_lazy("Back to work")
    explanation = gettext_lazy("After an acceptance that did not pass: say what is to be redone.")
    done_text = gettext_lazy("The topic is back in progress.")

    def refusal(self):
        if self.object.state != T.ACCEPTING:
            return _("Only a topic under acceptance can be sent back to work.")
        return super().refusal()

    def act(self, form):
        if self.object.state != T.ACCEPTING:
            raise ValidationError(_("Only a topic under acceptance can be sent back to work."))
        super().act(form)


class TopicCloseView(TopicTransitionView):
    to = T.CLOSED
    page_title = gettext_lazy("Close the topic as done (销号)")
    submit_label = gettext_lazy("Close as done")
    explanation = gettext_lazy("A topic is closed as done after an acceptance that passed.")
    done_text = gettext_lazy("The topic is closed as done.")


class TopicTolerateView(TopicTransitionView):
    to = T.TOLERATED
    page_title = gettext_lazy("Close the topic with the failure tolerated (容错)")
    submit_label = gettext_lazy("Close, failure tolerated")
    explanation = gettext_lazy(
        "Where due diligence was shown (尽职免责): give the reason, it is kept with the topic."
    )
    done_text = gettext_lazy("The topic is closed with its failure tolerated.")


class TopicClaimView(ActionView):
    model = Topic
    form_class = ClaimForm
    page_title = gettext_lazy("Claim the topic (揭榜)")
    submit_label = gettext_lazy("Claim")
    explanation = gettext_lazy(
        "A branch or a task team of the enterprise takes the topic; a named member leads it (挂帅)."
    )
    done_text = gettext_lazy("The topic is claimed.")

    def get_object_queryset(self):
        return super().get_object_queryset().select_related("enterprise__community")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "topic": self.object, "user": self.request.user}

    def refusal(self):
        return Topic.transition_error(self.object.state, T.CLAIMED)

    def act(self, form):
        data = form.cleaned_data
        services.topic_claim(
            topic=self.object,
            on=data["on"],
            leader_name=data["leader_name"],
            branch=data["branch"],
            team=data["team"],
        )


class TopicAcceptanceView(ActionView):
    model = Topic
    form_class = AcceptanceForm
    page_title = gettext_lazy("Record the acceptance (验收)")
    submit_label = gettext_lazy("Record the acceptance")
    done_text = gettext_lazy("The acceptance is recorded.")

    def get_explanation(self):
        return _(
            "Target: %(target)s. A passed acceptance closes the topic as done (销号); one "
            "that did not pass leaves it under acceptance."
        ) % {"target": tables.target(self.object)}

    def refusal(self):
        if self.object.state == T.ACCEPTING:
            return None
        return Topic.transition_error(self.object.state, T.ACCEPTING)

    def act(self, form):
        data = form.cleaned_data
        services.topic_record_acceptance(
            topic=self.object,
            on=data["on"],
            reviewers=data["reviewers"],
            measured_value=data["measured_value"],
            passed=data["passed"],
            opinion=data["opinion"],
        )


TopicAttachmentUpload = upload_view(Topic)


# ---------------------------------------------------------------------------
# Milestones and the phone progress update


class MilestoneCreateView(ParentMixin, RecordCreateView):
    model = Topic
    parent_field = "topic"
    form_class = MilestoneForm
    page_title = gettext_lazy("New milestone")
    success_text = gettext_lazy("Milestone saved.")

    def get_success_url(self):
        return self.parent.get_absolute_url() + "#milestones"


class MilestoneUpdateView(VersionedUpdateView):
    model = Milestone
    form_class = MilestoneForm
    page_title = gettext_lazy("Edit milestone")
    success_text = gettext_lazy("Milestone saved.")


class MilestoneDeleteView(RecordDeleteView):
    model = Milestone
    done_text = gettext_lazy("Milestone %(name)s deleted.")

    def get_object_queryset(self):
        return super().get_object_queryset().select_related("topic")


def progress_page(request, topic, forms=None, status=200):
    """The phone page: the topic's progress and one short form per milestone."""
    milestones = list(topic.milestones.order_by("order", "pk"))
    forms = forms or {}
    rows = [(m, forms.get(m.pk) or ProgressForm(milestone=m)) for m in milestones]
    return TemplateResponse(
        request,
        "showcase/topic_progress.html",
        {
            "object": topic,
            "topic": topic,
            "rows": rows,
            "progress": selectors.topic_progress(topic),
            "page_title": _("Progress of %(topic)s") % {"topic": topic},
        },
        status=status,
    )


class TopicProgressView(EditorRequiredMixin, View):
    """GET: the milestones of a topic, each with its percent-done form (posting to
    ``milestone_progress``)."""

    model = Topic

    def get(self, request, pk):
        topic = get_object_or_404(Topic.objects.for_user(request.user), pk=pk)
        return progress_page(request, topic)


class MilestoneProgressView(EditorRequiredMixin, View):
    """POST: one milestone's percent done (``services.milestone_set_progress``, version
    checked); then back to the progress page. A GET goes to that page."""

    model = Milestone

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.can_edit:
            self.milestone = get_object_or_404(
                Milestone.objects.for_user(request.user).select_related("topic"), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return redirect("showcase:topic_progress", self.milestone.topic_id)

    def post(self, request, pk):
        milestone = self.milestone
        topic = milestone.topic
        form = ProgressForm(request.POST, milestone=milestone)
        if form.is_valid():
            try:
                with transaction.atomic():
                    version = form.cleaned_data["version"]
                    if version is None:  # left out or tampered: never skip the check
                        raise StaleEdit
                    services.milestone_set_progress(
                        milestone=milestone,
                        percent_done=form.cleaned_data["percent_done"],
                        version=version,
                    )
            except StaleEdit:
                messages.error(
                    request,
                    _(
                        "Not saved: someone else updated “%(milestone)s” after you opened the "
                        "page. It now shows their value; enter yours again if it still holds."
                    )
                    % {"milestone": milestone},
                )
                return redirect(reverse("showcase:topic_progress", args=[topic.pk]))
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("“%(milestone)s”: %(percent)s%% done.")
                    % {"milestone": milestone, "percent": milestone.percent_done},
                )
                return redirect(reverse("showcase:topic_progress", args=[topic.pk]))
        return progress_page(request, topic, {milestone.pk: form}, status=200)

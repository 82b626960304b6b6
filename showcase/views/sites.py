"""Demonstration sites: list, page (status history, brand, 六有 with evidence, star
history, topics, 传帮带, attachments), create / edit, naming / review / revocation, the
topic board; batches; the checklist items."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Attachment
from core.tables import Column
from core.views import RecordCreateView, VersionedUpdateView

from .. import selectors, services, tables
from ..forms import BatchForm, ChecklistItemForm, SiteCreateForm, SiteForm, SiteStatusForm
from ..models import (
    RECOGNISED,
    ChecklistItem,
    DemonstrationSite,
    SiteBatch,
    SiteStatus,
    TopicState,
)
from .common import ActionView, DetailView, ListView, upload_view
from .topics import progress_links

S = SiteStatus


class SiteListView(ListView):
    table_class = tables.SiteTable
    template_name = "showcase/list.html"
    tab = "sites"
    create_url_name = "showcase:site_create"
    create_label = gettext_lazy("New demonstration site")
    empty_text = gettext_lazy("No demonstration site is recorded yet.")
    no_match_text = gettext_lazy("No demonstration sites match these filters.")
    links = (
        (gettext_lazy("Site batches"), "showcase:batch_list"),
        (gettext_lazy("Rating rubrics"), "showcase:rubric_list"),
    )

    def get_context_data(self, **kwargs):
        links = [(label, reverse(name)) for label, name in self.links]
        return super().get_context_data(links=links, **kwargs)


def _link(obj, text=None):
    return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), text or obj)


def _status(site):
    text = site.get_status_display()
    if site.status_since:
        text = f"{text}（{site.status_since:%Y-%m-%d}）"
    return tables.tag(text, tables.SITE_STATUS_CSS[S(site.status)])


def _review_due(site):
    if site.review_due is None:
        return "—"
    days = (site.review_due - timezone.localdate()).days
    text = f"{site.review_due:%Y-%m-%d}"
    if days < 0:
        return format_html(
            "{} {}", text, tables.tag(_("overdue by %(n)s days") % {"n": -days}, "bad")
        )
    return text


class SiteDetailView(DetailView):
    model = DemonstrationSite
    template_name = "showcase/site_detail.html"
    tab = "sites"
    attachment_upload_url_name = "showcase:site_attachment_upload"
    facts = (
        Column("enterprise", gettext_lazy("Enterprise"), html=lambda s: _link(s.enterprise)),
        Column(
            "community",
            gettext_lazy("Community"),
            value=lambda s: s.enterprise.community.path_names,
        ),
        Column("batch", gettext_lazy("Batch"), value=lambda s: f"{s.batch} · {s.batch.area.name}"),
        Column("level", gettext_lazy("Site level"), value="get_level_display"),
        Column("status", gettext_lazy("Status"), html=_status),
        Column("review_due", gettext_lazy("Review due"), html=_review_due),
        Column("review_cycle_years", gettext_lazy("Review cycle (years)")),
    )
    actions = (
        (gettext_lazy("Edit"), "showcase:site_edit", "primary"),
        (gettext_lazy("Name it"), "showcase:site_name", "primary"),
        (gettext_lazy("Review (复核)"), "showcase:site_review", ""),
        (gettext_lazy("Incubate again"), "showcase:site_reincubate", ""),
        (gettext_lazy("Revoke"), "showcase:site_revoke", "danger"),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise__community__parent", "batch__area")

    def action_applies(self, url_name, obj):
        return {
            "showcase:site_name": obj.status == S.INCUBATING,
            "showcase:site_review": obj.status in RECOGNISED,
            "showcase:site_revoke": obj.status != S.REVOKED,
            "showcase:site_reincubate": obj.status == S.REVOKED,
        }.get(url_name, True)

    def get_context_data(self, **kwargs):
        site = self.object
        checklist = list(site.checklist.all())
        evidence = defaultdict(list)
        for attachment in Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(ChecklistItem),
            object_id__in=[i.pk for i in checklist],
        ):
            evidence[attachment.object_id].append(attachment)
        for item in checklist:
            item.evidence = evidence[item.pk]
        states = dict.fromkeys(TopicState, 0)
        for row in site.topics.values("state").annotate(n=Count("pk")).order_by():
            states[TopicState(row["state"])] = row["n"]
        return super().get_context_data(
            status_changes=site.status_changes.order_by("start", "pk"),
            checklist=checklist,
            checklist_met=sum(1 for i in checklist if i.met),
            star_history=selectors.star_history(site=site),
            topic_states=[(s, n) for s, n in states.items()],
            topic_total=sum(states.values()),
            progress=selectors.site_progress(site),
            progress_links=progress_links(self.request.user, f"site={site.pk}"),
            mentorings=site.mentorings.select_related("mentee").order_by("-start", "pk"),
            deeds=site.pioneer_deeds.order_by("-recorded_on", "pk"),
            cases=site.teaching_cases.order_by("-recorded_on", "pk"),
            **kwargs,
        )


class SiteCreateView(RecordCreateView):
    model = DemonstrationSite
    form_class = SiteCreateForm
    page_title = gettext_lazy("New demonstration site")
    success_text = gettext_lazy("Demonstration site saved: it is in incubation (培育).")

    def get_cancel_url(self):
        return reverse("showcase:site_list")

    def form_valid(self, form):
        try:
            self.object = services.site_create(
                site=form.save(commit=False), since=form.cleaned_data["since"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_text)
        return redirect(self.object)


class SiteUpdateView(VersionedUpdateView):
    model = DemonstrationSite
    form_class = SiteForm
    success_text = gettext_lazy("Demonstration site saved.")

    def get_page_title(self):
        return _("Edit %(name)s") % {"name": self.object}


class SiteStatusView(ActionView):
    model = DemonstrationSite
    form_class = SiteStatusForm
    to = None

    def refusal(self):
        site = self.object
        error = DemonstrationSite.transition_error(site.status, self.to)
        if error:
            return error
        if self.to in RECOGNISED and not services.organization_covers(
            site.enterprise, timezone.localdate()
        ):
            return _(
                "No active party organisation covers %(enterprise)s today: a site is named "
                "or reviewed only with one."
            ) % {"enterprise": site.enterprise}
        return None

    def act(self, form):
        services.site_change_status(
            site=self.object,
            to=self.to,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
        )


class SiteNameView(SiteStatusView):
    to = S.NAMED
    page_title = gettext_lazy("Name the demonstration site")
    submit_label = gettext_lazy("Name it")
    explanation = gettext_lazy(
        "Naming (命名) needs an active party organisation covering the enterprise on that day. "
        "The review (复核) falls due after the site's review cycle."
    )
    done_text = gettext_lazy("The site is named.")


class SiteReviewView(SiteStatusView):
    to = S.REVIEWED
    page_title = gettext_lazy("Review the demonstration site (复核)")
    submit_label = gettext_lazy("Record the review")
    explanation = gettext_lazy(
        "A passed review keeps the site named; the next review falls due one cycle later."
    )
    done_text = gettext_lazy("The review is recorded.")


class SiteRevokeView(SiteStatusView):
    to = S.REVOKED
    page_title = gettext_lazy("Revoke the demonstration site")
    submit_label = gettext_lazy("Revoke")
    explanation = gettext_lazy("Give the reason: it is kept in the site's status history.")
    done_text = gettext_lazy("The site is revoked.")


class SiteReincubateView(SiteStatusView):
    to = S.INCUBATING
    page_title = gettext_lazy("Incubate the site again")
    submit_label = gettext_lazy("Incubate again")
    done_text = gettext_lazy("The site is in incubation again.")


class SiteBoardView(DetailView):
    """The site's topics in columns by state; on a phone the columns stack."""

    model = DemonstrationSite
    template_name = "showcase/site_board.html"
    tab = "sites"

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise")

    def get_context_data(self, **kwargs):
        board = selectors.topic_board(self.object)
        return super().get_context_data(
            columns=[(state, state.label, topics) for state, topics in board.items()],
            # Progress is recorded while the topic is claimed, in progress or accepted.
            progress_states=[TopicState.CLAIMED, TopicState.IN_PROGRESS, TopicState.ACCEPTING],
            progress=selectors.site_progress(self.object),
            **kwargs,
        )


SiteAttachmentUpload = upload_view(DemonstrationSite)
ChecklistAttachmentUpload = upload_view(ChecklistItem)


class ChecklistItemUpdateView(VersionedUpdateView):
    model = ChecklistItem
    form_class = ChecklistItemForm
    success_text = gettext_lazy("六有 item saved.")

    def get_queryset(self):
        return super().get_queryset().select_related("site")

    def get_page_title(self):
        return f"{self.object.site} · {self.object.get_item_display()}"


# ---------------------------------------------------------------------------
# Batches


class BatchListView(ListView):
    table_class = tables.BatchTable
    tab = "sites"
    create_url_name = "showcase:batch_create"
    create_label = gettext_lazy("New batch")
    empty_text = gettext_lazy("No batch is recorded yet.")


class BatchCreateView(RecordCreateView):
    model = SiteBatch
    form_class = BatchForm
    page_title = gettext_lazy("New site batch")
    success_text = gettext_lazy("Batch saved.")
    success_url = reverse_lazy("showcase:batch_list")

    def get_cancel_url(self):
        return reverse("showcase:batch_list")


class BatchUpdateView(VersionedUpdateView):
    model = SiteBatch
    form_class = BatchForm
    page_title = gettext_lazy("Edit site batch")
    success_text = gettext_lazy("Batch saved.")
    success_url = reverse_lazy("showcase:batch_list")

    def get_cancel_url(self):
        return reverse("showcase:batch_list")

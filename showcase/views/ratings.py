"""Star ratings (评星定级): list, page (scores per indicator, vetoes, result, the
subject's stars up and down), create / edit, the score sheet; the rubrics (everyone reads
them; admins publish editions and edit drafts in the Django admin)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView as BaseDetailView
from django.views.generic import FormView, TemplateView

from accounts.permissions import AdminRequiredMixin, EditorRequiredMixin
from core.record_views import ConfirmForm
from core.tables import Column
from core.views import RecordCreateView, VersionedUpdateView

from .. import selectors, services, tables
from ..forms import RatingCreateForm, RatingForm, ScoreForm
from ..models import Rating, Rubric, RubricDimension, RubricIndicator
from .common import TABS, ContextEnterpriseMixin, DetailView, ListView, error_messages, upload_view


class RatingListView(ListView):
    table_class = tables.RatingTable
    tab = "ratings"
    create_url_name = "showcase:rating_create"
    create_label = gettext_lazy("New star rating")
    empty_text = gettext_lazy("No star rating is recorded yet.")
    no_match_text = gettext_lazy("No ratings match these filters.")


def _subject(rating):
    subject = rating.subject
    if rating.site_id:
        return format_html('<a href="{}">{}</a>', subject.get_absolute_url(), subject)
    return str(subject)


def _result(rating):
    if rating.status == Rating.Status.DRAFT:
        return tables.tag(rating.get_status_display(), "warn")
    return format_html("{} {}", tables.rating_status(rating), rating.result_note)


def dimensions_of(rubric):
    return rubric.dimensions.prefetch_related(
        Prefetch("indicators", queryset=RubricIndicator.objects.order_by("order", "pk"))
    ).order_by("order", "pk")


class RatingDetailView(DetailView):
    model = Rating
    template_name = "showcase/rating_detail.html"
    tab = "ratings"
    attachment_upload_url_name = "showcase:rating_attachment_upload"
    facts = (
        Column("subject", gettext_lazy("Rated"), html=_subject),
        Column("year", gettext_lazy("Rating year")),
        Column("rubric", gettext_lazy("Rubric"), value=lambda r: str(r.rubric)),
        Column("result", gettext_lazy("Result"), html=_result),
        Column("self_total", gettext_lazy("Self-assessed points")),
        Column("total", gettext_lazy("Reviewed points")),
        Column("percent", gettext_lazy("Percent of the total")),
        Column("rated_on", gettext_lazy("Decided on")),
        Column("reviewers", gettext_lazy("Reviewers")),
    )
    actions = (
        (gettext_lazy("Score sheet"), "showcase:rating_scores", "primary"),
        (gettext_lazy("Edit"), "showcase:rating_edit", ""),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("site__enterprise", "organization", "rubric")

    def get_context_data(self, **kwargs):
        rating = self.object
        scores = {s.indicator_id: s for s in rating.scores.all()}
        dimensions = []
        for dimension in dimensions_of(rating.rubric):
            rows = [(i, scores.get(i.pk)) for i in dimension.indicators.all()]
            dimensions.append((dimension, rows))
        history = (
            selectors.star_history(site=rating.site)
            if rating.site_id
            else selectors.star_history(organization=rating.organization)
        )
        return super().get_context_data(
            dimensions=dimensions,
            vetoes=rating.veto_findings.select_related("veto"),
            star_history=history,
            **kwargs,
        )


class RatingCreateView(ContextEnterpriseMixin, RecordCreateView):
    model = Rating
    form_class = RatingCreateForm
    page_title = gettext_lazy("New star rating")
    success_text = gettext_lazy("Rating saved: fill in its score sheet.")

    def get_initial(self):
        initial = super().get_initial()
        if self.context_site is not None:
            initial["site"] = self.context_site
        return initial

    def get_cancel_url(self):
        return reverse("showcase:rating_list")

    def get_success_url(self):
        return reverse("showcase:rating_scores", args=[self.object.pk])


class RatingUpdateView(VersionedUpdateView):
    model = Rating
    form_class = RatingForm
    page_title = gettext_lazy("Edit star rating")
    success_text = gettext_lazy("Rating saved.")


class RatingScoreView(EditorRequiredMixin, FormView):
    """The score sheet: save a draft, or decide (every indicator scored by the reviewers):
    ``services.rating_record`` computes the result (stars, or no star after a veto)."""

    model = Rating
    form_class = ScoreForm
    template_name = "showcase/rating_scores.html"

    @cached_property
    def rating(self):
        return get_object_or_404(
            Rating.objects.for_user(self.request.user).select_related(
                "rubric", "site", "organization"
            ),
            pk=self.kwargs["pk"],
        )

    @cached_property
    def indicators(self):
        return list(
            RubricIndicator.objects.filter(dimension__rubric=self.rating.rubric)
            .select_related("dimension")
            .order_by("dimension__order", "dimension__pk", "order", "pk")
        )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "rating": self.rating,
            "indicators": self.indicators,
            "vetoes": list(self.rating.rubric.vetoes.order_by("order", "pk")),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.rating,
            rating=self.rating,
            page_title=_("Score sheet: %(rating)s") % {"rating": self.rating},
            cancel_url=self.rating.get_absolute_url(),
            tabs_template=TABS,
            tab="ratings",
            **kwargs,
        )

    def form_valid(self, form):
        final = "decide" in self.request.POST
        try:
            with transaction.atomic():
                current = Rating.objects.select_for_update().get(pk=self.rating.pk)
                posted = form.cleaned_data.get("version")
                if posted is None or posted != current.version:  # left out: refused too
                    raise ValidationError(
                        _(
                            "Not saved: someone else changed this rating after you opened the "
                            "sheet. Open it again to see their scores."
                        )
                    )
                services.rating_record(
                    rating=current,
                    scores=form.scores(),
                    vetoes=form.found(),
                    rated_on=form.cleaned_data["rated_on"],
                    final=final,
                )
        except ValidationError as error:
            for message in error_messages(error):
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, _("Rating decided.") if final else _("Draft saved."))
        return redirect(self.rating)


RatingAttachmentUpload = upload_view(Rating)


# ---------------------------------------------------------------------------
# Rubrics


class RubricListView(LoginRequiredMixin, TemplateView):
    """Every rubric, in full: what a rating is scored on (a published standard)."""

    template_name = "showcase/rubric_list.html"

    def get_context_data(self, **kwargs):
        rubrics = (
            Rubric.objects.for_user(self.request.user)
            .prefetch_related(
                Prefetch(
                    "dimensions",
                    queryset=RubricDimension.objects.order_by("order", "pk").prefetch_related(
                        Prefetch(
                            "indicators", queryset=RubricIndicator.objects.order_by("order", "pk")
                        )
                    ),
                ),
                "vetoes",
            )
            .order_by("name", "-edition")
        )
        return super().get_context_data(
            rubrics=rubrics, tabs_template=TABS, tab="ratings", **kwargs
        )


class RubricDetailView(AdminRequiredMixin, BaseDetailView):
    """An admin's page of one edition: publish it, or start the next edition."""

    model = Rubric
    template_name = "showcase/rubric_detail.html"

    def get_queryset(self):
        return Rubric.objects.for_user(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            dimensions=dimensions_of(self.object),
            vetoes=self.object.vetoes.order_by("order", "pk"),
            total=self.object.total_points(),
            admin_url=reverse("admin:showcase_rubric_change", args=[self.object.pk]),
            **kwargs,
        )


class RubricActionView(AdminRequiredMixin, FormView):
    model = Rubric
    form_class = ConfirmForm
    template_name = "showcase/action_form.html"
    page_title = ""
    submit_label = None
    explanation = ""

    @cached_property
    def object(self):
        return get_object_or_404(Rubric.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object,
            page_title=self.page_title,
            submit_label=self.submit_label,
            explanation=self.explanation,
            cancel_url=self.object.get_absolute_url(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            result = self.act()
        except ValidationError as error:
            for message in error_messages(error):
                form.add_error(None, message)
            return self.form_invalid(form)
        return redirect(result)


class RubricPublishView(RubricActionView):
    page_title = gettext_lazy("Publish the rubric")
    submit_label = gettext_lazy("Publish")
    explanation = gettext_lazy(
        "A published edition is frozen: ratings are scored on it, and a change is a new edition."
    )

    def act(self):
        services.rubric_publish(rubric=self.object)
        messages.success(self.request, _("The rubric is published."))
        return self.object


class RubricNewEditionView(RubricActionView):
    page_title = gettext_lazy("Start a new edition")
    submit_label = gettext_lazy("Make a draft copy")
    explanation = gettext_lazy(
        "A draft copy of this edition (dimensions, indicators, vetoes, thresholds) to change "
        "in the admin and publish."
    )

    def act(self):
        copy = services.rubric_new_edition(rubric=self.object)
        messages.success(self.request, _("Draft edition %(n)s made.") % {"n": copy.edition})
        return copy

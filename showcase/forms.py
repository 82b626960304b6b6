"""Forms of 点. Record forms are ``BaseModelForm`` (+ ``VersionedFormMixin`` for edits);
the forms of actions (naming, transitions, claims, acceptance, progress, review) are
plain forms whose values go to ``showcase.services``, which refuses what the rules forbid
(the view shows its message on the form).

Choices that depend on an enterprise (its branches, task teams, site, topics) are
limited to that enterprise: the create pages take it from the page they are opened from
(``?site=`` / ``?topic=`` / ``?enterprise=``); without it, an enterprise is typed (USCC or
registered name, ``EnterpriseLookupField``) and the links can be added on the edit page.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from areas.forms import AreaChoiceField
from areas.models import Area
from core.forms import BaseModelForm, DateInput, VersionedFormMixin, choose_prompt
from enterprises.forms import EnterpriseLookupField
from enterprises.models import Enterprise, PartyOrganization

from .models import (
    ChecklistItem,
    DemonstrationSite,
    Mentoring,
    MentoringNote,
    Milestone,
    PioneerDeed,
    Rating,
    Rubric,
    SiteBatch,
    TaskTeam,
    TeachingCase,
    Topic,
)


def today():
    return timezone.localdate()


def linked_organizations(user, enterprise, also=None):
    """Active party organisations in the user's scope that cover ``enterprise`` or sit
    under one that does (an enterprise committee's branches, e.g. 海容's 4 branches);
    ``also``: the pk of one more to keep (a record's current choice)."""
    if enterprise is None:
        return PartyOrganization.objects.none()
    covering = PartyOrganization.objects.filter(
        Q(coverages__enterprise=enterprise, coverages__until__isnull=True)
        | Q(parent__coverages__enterprise=enterprise)
        | Q(parent__parent__coverages__enterprise=enterprise)
    ).values("pk")
    linked = Q(pk__in=covering, dissolved_on__isnull=True)
    if also is not None:
        linked |= Q(pk=also)
    return PartyOrganization.objects.for_user(user).filter(linked).order_by("name", "pk")


class OrganizationLookupField(forms.CharField):
    """A party organisation typed by its exact name, within ``queryset`` (the scope)."""

    def __init__(self, *args, **kwargs):
        self.queryset = PartyOrganization.objects.none()
        kwargs.setdefault("help_text", _("The organisation's exact name."))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, PartyOrganization):
            return value.name
        if isinstance(value, int):
            return PartyOrganization.objects.filter(pk=value).values_list("name", flat=True).first()
        return value

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        matches = list(self.queryset.filter(name=text)[:2])
        if not matches:
            raise ValidationError(
                _("No party organisation in your area is called “%(name)s”.") % {"name": text}
            )
        if len(matches) > 1:
            raise ValidationError(
                _("Several organisations are called “%(name)s”: ask an administrator.")
                % {"name": text}
            )
        return matches[0]


def action_date(label=None):
    return forms.DateField(
        label=label or _("Date"),
        widget=DateInput,
        initial=today,
        help_text=_("Not in the future; not before the current status began."),
    )


# ---------------------------------------------------------------------------
# Sites


class SiteFields(BaseModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = SiteBatch.objects.for_user(self.user).select_related("area")

    class Meta(BaseModelForm.Meta):
        model = DemonstrationSite
        fields = ["batch", "level", "brand_name", "slogan", "story", "review_cycle_years"]
        widgets = {"story": forms.Textarea(attrs={"rows": 4})}


class SiteCreateForm(SiteFields):
    enterprise = EnterpriseLookupField(label=_("Enterprise"))
    since = forms.DateField(
        label=_("In incubation since"),
        widget=DateInput,
        initial=today,
        help_text=_("A new site starts in incubation (培育); name it on its page."),
    )
    field_order = ["enterprise", "batch", "level", "brand_name", "slogan", "story"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(self.user).live()

    def clean_enterprise(self):
        enterprise = self.cleaned_data["enterprise"]
        if enterprise and DemonstrationSite.objects.filter(enterprise=enterprise).exists():
            raise ValidationError(_("This enterprise is already a demonstration site."))
        if enterprise:
            self.instance.enterprise = enterprise
        return enterprise


class SiteForm(VersionedFormMixin, SiteFields):
    pass


class SiteStatusForm(forms.Form):
    on = action_date()
    reason = forms.CharField(
        label=_("Reason"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class BatchForm(VersionedFormMixin, BaseModelForm):
    area = AreaChoiceField(label=_("Named by"), queryset=Area.objects.none())

    class Meta(BaseModelForm.Meta):
        model = SiteBatch
        fields = ["area", "name", "year", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (
            Area.objects.for_user(self.user).exclude(level=Area.Level.COMMUNITY).in_tree_order()
        )
        if not self.instance.pk:
            self.initial.setdefault("year", today().year)


class ChecklistItemForm(VersionedFormMixin, BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = ChecklistItem
        fields = ["met", "note", "checked_on"]


# ---------------------------------------------------------------------------
# Topics

TOPIC_FIELDS = [
    "title",
    "problem",
    "expected_result",
    "target_value",
    "target_unit",
    "target_direction",
    "posted_on",
    "due_on",
]


class TopicForm(VersionedFormMixin, BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = Topic
        fields = TOPIC_FIELDS
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 3}),
            "expected_result": forms.Textarea(attrs={"rows": 2}),
        }


class TopicCreateForm(BaseModelForm):
    site = forms.ModelChoiceField(
        label=_("Demonstration site"),
        queryset=DemonstrationSite.objects.none(),
        required=False,
        help_text=_("The site that posts the topic (or give the enterprise below)."),
    )
    enterprise = EnterpriseLookupField(
        label=_("Enterprise"),
        required=False,
        help_text=_("Only for an enterprise that is not a site: its USCC or registered name."),
    )
    publish = forms.BooleanField(
        label=_("Publish it (发榜) on the posting date"),
        required=False,
        help_text=_("Leave unticked to keep it in collection (征集) for now."),
    )

    class Meta(BaseModelForm.Meta):
        model = Topic
        fields = TOPIC_FIELDS
        widgets = TopicForm.Meta.widgets

    field_order = ["site", "enterprise", *TOPIC_FIELDS, "publish"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = (
            DemonstrationSite.objects.for_user(self.user)
            .select_related("enterprise")
            .order_by("brand_name", "pk")
        )
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(self.user).live()
        self.initial.setdefault("posted_on", today())

    def clean(self):
        cleaned = super().clean()
        site, enterprise = cleaned.get("site"), cleaned.get("enterprise")
        if site is None and enterprise is None and not self.has_error("enterprise"):
            raise ValidationError(
                _("Choose the site, or give the enterprise, that owns the topic.")
            )
        if site is not None and enterprise is not None and site.enterprise_id != enterprise.pk:
            self.add_error("enterprise", _("The site is another enterprise's."))
        self.instance.site = site
        self.instance.enterprise = site.enterprise if site is not None else enterprise
        return cleaned


class TransitionForm(forms.Form):
    on = action_date()
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ClaimForm(forms.Form):
    """揭榜: a branch or a task team (one), a named leader (挂帅), a day."""

    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=PartyOrganization.objects.none(), required=False
    )
    team = forms.ModelChoiceField(
        label=_("or task team"), queryset=TaskTeam.objects.none(), required=False
    )
    leader_name = forms.CharField(
        label=_("Led by (挂帅)"), max_length=50, help_text=_("The member who leads the topic.")
    )
    on = action_date(_("Claimed on"))

    def __init__(self, *args, topic, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = linked_organizations(user, topic.enterprise)
        self.fields["team"].queryset = TaskTeam.objects.for_user(user).filter(
            enterprise=topic.enterprise, end__isnull=True
        )
        choose_prompt(self)


class AcceptanceForm(forms.Form):
    """验收: reviewers, the measured result against the target, passed or not."""

    reviewers = forms.CharField(
        label=_("Reviewers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: the name, then a comma and the unit (optional)."),
    )
    measured_value = forms.DecimalField(label=_("Measured result"), max_digits=14, decimal_places=2)
    passed = forms.TypedChoiceField(
        label=_("Verdict"),
        choices=[("1", _("Passed: close it as done (销号)")), ("0", _("Not passed"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    on = action_date(_("Accepted on"))

    def clean_reviewers(self):
        rows = []
        for line in self.cleaned_data["reviewers"].splitlines():
            line = line.strip()
            if not line:
                continue
            for sep in ("，", ",", "、", " "):
                if sep in line:
                    name, unit = line.split(sep, 1)
                    break
            else:
                name, unit = line, ""
            rows.append((name.strip(), unit.strip()))
        if not rows:
            raise ValidationError(_("An acceptance is recorded by at least one reviewer."))
        return rows


class MilestoneForm(VersionedFormMixin, BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = Milestone
        fields = ["title", "weight", "due_on", "order"]


class ProgressForm(VersionedFormMixin):
    """A phone update of one milestone: its percent done (and the version it was opened
    at: a POST without one is refused, like every edit)."""

    percent_done = forms.IntegerField(
        label=_("Percent done"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5, "min": 0, "max": 100}),
    )

    def __init__(self, *args, milestone, **kwargs):
        kwargs.setdefault("prefix", f"m{milestone.pk}")
        kwargs.setdefault(
            "initial", {"percent_done": milestone.percent_done, "version": milestone.version}
        )
        super().__init__(*args, **kwargs)
        self.milestone = milestone


# ---------------------------------------------------------------------------
# Task teams


class TeamForm(VersionedFormMixin, BaseModelForm):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=PartyOrganization.objects.none())

    class Meta(BaseModelForm.Meta):
        model = TaskTeam
        fields = ["name", "branch", "leader_name", "members", "start"]

    def __init__(self, *args, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        if enterprise is None and self.instance.enterprise_id:
            enterprise = self.instance.enterprise
        also = self.instance.branch_id if self.instance.pk else None
        self.fields["branch"].queryset = linked_organizations(self.user, enterprise, also)
        self.fields["branch"].help_text = _(
            "An organisation that covers the enterprise, or a branch under it."
        )
        choose_prompt(self)


class TeamCreateForm(TeamForm):
    enterprise = EnterpriseLookupField(label=_("Enterprise"))
    field_order = ["enterprise", "name", "branch"]

    def __init__(self, *args, enterprise=None, user=None, **kwargs):
        data = args[0] if args else kwargs.get("data")
        lookup = EnterpriseLookupField()
        lookup.queryset = Enterprise.objects.for_user(user).live()
        if enterprise is None and data:
            try:
                enterprise = lookup.clean(data.get("enterprise", ""))
            except ValidationError:
                enterprise = None
        self.enterprise = enterprise
        if kwargs.get("instance") is None:
            kwargs["instance"] = TaskTeam(enterprise=enterprise)
        super().__init__(*args, enterprise=enterprise, user=user, **kwargs)
        self.fields["enterprise"].queryset = lookup.queryset
        if enterprise is not None:
            self.initial.setdefault("enterprise", enterprise)

    def clean_enterprise(self):
        enterprise = self.cleaned_data["enterprise"]
        self.instance.enterprise = enterprise
        return enterprise


# ---------------------------------------------------------------------------
# 传帮带


class MentoringForm(VersionedFormMixin, BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = Mentoring
        fields = ["content", "start"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3})}


class MentoringCreateForm(BaseModelForm):
    mentee = EnterpriseLookupField(label=_("Mentored enterprise"))

    class Meta(BaseModelForm.Meta):
        model = Mentoring
        fields = ["site", "mentee", "content", "start"]
        widgets = MentoringForm.Meta.widgets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = DemonstrationSite.objects.for_user(self.user).order_by(
            "brand_name", "pk"
        )
        self.fields["mentee"].queryset = Enterprise.objects.for_user(self.user).live()
        self.initial.setdefault("start", today())


class MentoringNoteForm(BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = MentoringNote
        fields = ["noted_on", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("noted_on", today())


# ---------------------------------------------------------------------------
# Deeds and cases

PRACTICE_FIELDS = ["title", "background", "measures", "results", "method", "recorded_on"]
PRACTICE_WIDGETS = {
    name: forms.Textarea(attrs={"rows": 3})
    for name in ("background", "measures", "results", "method")
}


def _limit_links(form, enterprise, names):
    """The site / topic / deed choices of ``enterprise``; without one, none are offered."""
    user = form.user
    querysets = {
        "site": DemonstrationSite.objects.for_user(user),
        "topic": Topic.objects.for_user(user),
        "deed": PioneerDeed.objects.for_user(user),
        "branch": None,
    }
    for name in names:
        if name not in form.fields:
            continue
        if enterprise is None:
            del form.fields[name]
        elif name == "branch":
            also = form.instance.branch_id if form.instance.pk else None
            form.fields[name].queryset = linked_organizations(user, enterprise, also)
        else:
            form.fields[name].queryset = querysets[name].filter(enterprise=enterprise)


class DeedForm(VersionedFormMixin, BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = PioneerDeed
        fields = ["person_name", "branch", *PRACTICE_FIELDS, "site", "topic"]
        widgets = PRACTICE_WIDGETS

    def __init__(self, *args, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise or (
            self.instance.enterprise if self.instance.enterprise_id else None
        )
        _limit_links(self, self.enterprise, ["branch", "site", "topic"])
        self.initial.setdefault("recorded_on", today())


class DeedCreateForm(DeedForm):
    enterprise = EnterpriseLookupField(label=_("Enterprise"))
    field_order = ["enterprise"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(self.user).live()
        if self.enterprise is not None:
            self.initial.setdefault("enterprise", self.enterprise)

    def clean_enterprise(self):
        enterprise = self.cleaned_data["enterprise"]
        self.instance.enterprise = enterprise
        return enterprise


class CaseForm(VersionedFormMixin, BaseModelForm):
    area = AreaChoiceField(label=_("Community"), queryset=Area.objects.none(), required=False)

    class Meta(BaseModelForm.Meta):
        model = TeachingCase
        fields = ["area", *PRACTICE_FIELDS, "site", "topic", "deed"]
        widgets = PRACTICE_WIDGETS

    def __init__(self, *args, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise or (
            self.instance.enterprise if self.instance.enterprise_id else None
        )
        self.fields["area"].queryset = (
            Area.objects.for_user(self.user).filter(level=Area.Level.COMMUNITY).in_tree_order()
        )
        self.fields["area"].help_text = _(
            "Where the practice comes from; for a case about one enterprise, leave it empty: "
            "its community is taken."
        )
        _limit_links(self, self.enterprise, ["site", "topic", "deed"])
        self.initial.setdefault("recorded_on", today())


class CaseCreateForm(CaseForm):
    enterprise = EnterpriseLookupField(
        label=_("Enterprise"),
        required=False,
        help_text=_("If the case is about one enterprise: its USCC or registered name."),
    )
    field_order = ["enterprise", "area"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(self.user).live()
        if self.enterprise is not None:
            self.initial.setdefault("enterprise", self.enterprise)

    def clean_enterprise(self):
        enterprise = self.cleaned_data["enterprise"]
        self.instance.enterprise = enterprise
        return enterprise


class CaseReviewForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[
            ("1", _("Approve: it counts on the dashboard")),
            ("0", _("Return it for changes")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reviewer = forms.CharField(label=_("Reviewer"), max_length=50)
    opinion = forms.CharField(
        label=_("Opinion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the case is returned: what should change."),
    )
    on = action_date(_("Reviewed on"))


class RecognitionForm(BaseModelForm):
    class Meta(BaseModelForm.Meta):
        fields = ["name", "granted_by", "granted_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("granted_on", today())


def recognition_form(model):
    meta = type("Meta", (RecognitionForm.Meta,), {"model": model})
    return type(f"{model.__name__}Form", (RecognitionForm,), {"Meta": meta})


# ---------------------------------------------------------------------------
# Ratings


class RatingCreateForm(BaseModelForm):
    site = forms.ModelChoiceField(
        label=_("Demonstration site"), queryset=DemonstrationSite.objects.none(), required=False
    )
    organization = OrganizationLookupField(
        label=_("or party organisation"),
        required=False,
        help_text=_("To rate an organisation instead of a site: its exact name."),
    )

    class Meta(BaseModelForm.Meta):
        model = Rating
        fields = ["site", "organization", "rubric", "year", "reviewers"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = DemonstrationSite.objects.for_user(self.user).order_by(
            "brand_name", "pk"
        )
        self.fields["organization"].queryset = PartyOrganization.objects.for_user(self.user)
        self.fields["rubric"].queryset = Rubric.objects.filter(published_on__isnull=False)
        self.fields["rubric"].help_text = _("Published rubrics only (admins edit rubrics).")
        self.initial.setdefault("year", today().year)
        choose_prompt(self)


class RatingForm(VersionedFormMixin, BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = Rating
        fields = ["year", "reviewers"]


class ScoreForm(VersionedFormMixin):
    """The score sheet of a rating: per indicator a self score and a reviewer score
    (bounded by its points), the veto items found, the day of the decision."""

    rated_on = forms.DateField(
        label=_("Decided on"),
        widget=DateInput,
        required=False,
        help_text=_("Needed to decide; a draft can be saved without it."),
    )

    def __init__(self, *args, rating, indicators, vetoes, **kwargs):
        super().__init__(*args, **kwargs)
        self.rating, self.indicators, self.vetoes = rating, indicators, vetoes
        scores = {s.indicator_id: s for s in rating.scores.all()}
        found = {f.veto_id: f for f in rating.veto_findings.all()}
        self.rows = []
        for indicator in indicators:
            score = scores.get(indicator.pk)
            bounds = {"min_value": 0, "max_value": indicator.max_points, "required": False}
            names = (f"self_{indicator.pk}", f"reviewer_{indicator.pk}")
            self.fields[names[0]] = forms.DecimalField(
                label=_("Self-assessed"), decimal_places=2, **bounds
            )
            self.fields[names[1]] = forms.DecimalField(
                label=_("Reviewed"), decimal_places=2, **bounds
            )
            if score is not None:
                self.initial[names[0]] = score.self_score
                self.initial[names[1]] = score.reviewer_score
            self.rows.append((indicator, self[names[0]], self[names[1]]))
        self.veto_rows = []
        for veto in vetoes:
            flag, note = f"veto_{veto.pk}", f"veto_note_{veto.pk}"
            self.fields[flag] = forms.BooleanField(label=veto.description, required=False)
            self.fields[note] = forms.CharField(
                label=pgettext_lazy("showcase", "What was found"), max_length=300, required=False
            )
            if veto.pk in found:
                self.initial[flag], self.initial[note] = True, found[veto.pk].note
            self.veto_rows.append((veto, self[flag], self[note]))
        self.initial.setdefault("rated_on", rating.rated_on)
        self.initial.setdefault("version", rating.version)

    def scores(self):
        return {
            i.pk: (self.cleaned_data[f"self_{i.pk}"], self.cleaned_data[f"reviewer_{i.pk}"])
            for i in self.indicators
        }

    def found(self):
        return {
            v.pk: self.cleaned_data[f"veto_note_{v.pk}"]
            for v in self.vetoes
            if self.cleaned_data[f"veto_{v.pk}"]
        }

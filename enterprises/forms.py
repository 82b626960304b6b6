from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from areas.forms import AreaChoiceField
from areas.models import Area
from core.forms import BaseModelForm, BoundedDateField, VersionedFormMixin

from . import uscc
from .models import (
    Enterprise,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    MembershipTransfer,
    PartyOrganization,
)
from .services import check_coverage_rules


def scoped_communities(user):
    return Area.objects.for_user(user).filter(level=Area.Level.COMMUNITY).in_tree_order()


def scoped_areas(user):
    """Streets and communities the user may assign records to, in tree order."""
    return Area.objects.for_user(user).exclude(level=Area.Level.DISTRICT).in_tree_order()


AreaField = AreaChoiceField


class EnterpriseLookupField(forms.CharField):
    """An enterprise typed by USCC or exact name (a select of 50,000 would be unusable).

    Resolved within the user's scope: anything else is "not found", never a leak.
    """

    def __init__(self, *args, many=False, **kwargs):
        self.many = many
        self.queryset = Enterprise.objects.none()
        kwargs.setdefault(
            "help_text",
            _("One per line: the USCC or the exact registered name.")
            if many
            else _("The USCC or the exact registered name."),
        )
        if many:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Enterprise):
            return value.uscc
        if isinstance(value, int):
            return Enterprise.objects.filter(pk=value).values_list("uscc", flat=True).first()
        if isinstance(value, list | tuple):
            return "\n".join(self.prepare_value(v) for v in value)
        return value

    def clean(self, value):
        text = super().clean(value)
        entries = [t.strip() for t in text.replace("，", ",").replace(",", "\n").splitlines()]
        entries = [t for t in entries if t]
        if not entries:
            return [] if self.many else None
        if not self.many and len(entries) > 1:
            raise ValidationError(_("Enter one enterprise only."))
        found, missing = [], []
        for entry in entries:
            match = self.queryset.filter(uscc=uscc.normalize(entry)).first() or (
                self.queryset.filter(name=entry).first()
            )
            if match is None:
                missing.append(entry)
            elif match not in found:
                found.append(match)
        if missing:
            raise ValidationError(
                _("No enterprise in your area matches: %(entries)s")
                % {"entries": "、".join(missing)}
            )
        return found if self.many else found[0]


class EnterpriseForm(VersionedFormMixin, BaseModelForm):
    community = AreaField(label=_("Community"), queryset=Area.objects.none())
    # Longer than 18: spaces, dashes and full-width characters are removed by clean_uscc.
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=60,
        help_text=_("18 characters, GB 32100-2015; full-width characters and spaces are fixed."),
    )

    class Meta(BaseModelForm.Meta):
        model = Enterprise
        fields = [
            "name",
            "uscc",
            "community",
            "address",
            "industry",
            "industry_chain",
            "ownership",
            "size",
            "above_scale",
            "employees",
            "investor_is_member",
            "contact_name",
            "contact_phone",
            "tracked_since",
            "status",
            "status_date",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = scoped_communities(self.user)
        self.fields["uscc"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_uscc(self):
        code = uscc.validate(self.cleaned_data["uscc"])
        existing = Enterprise.objects.filter(uscc=code).exclude(pk=self.instance.pk).first()
        if existing is not None:
            visible = Enterprise.objects.for_user(self.user).filter(pk=existing.pk).exists()
            if visible:
                raise ValidationError(
                    format_html(
                        '{} <a href="{}">{}</a>',
                        _("This USCC is already registered:"),
                        existing.get_absolute_url(),
                        existing.name,
                    ),
                    code="duplicate",
                )
            # Never reveal a record outside the user's area.
            raise ValidationError(
                _(
                    "This USCC is already registered in another area. "
                    "Ask the district administrator if the enterprise has moved here."
                ),
                code="duplicate",
            )
        return code

    def validate_unique(self):
        # The USCC duplicate is reported by clean_uscc with a link; skip the generic message.
        exclude = self._get_validation_exclusions()
        exclude.add("uscc")
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class OrganizationForm(VersionedFormMixin, BaseModelForm):
    area = AreaField(label=_("Managing area"), queryset=Area.objects.none())

    class Meta(BaseModelForm.Meta):
        model = PartyOrganization
        fields = [
            "name",
            "level",
            "formation",
            "parent",
            "area",
            "secretary",
            "established_on",
            "last_election_on",
            "dissolved_on",
            "red_sail",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = scoped_areas(self.user)
        parents = PartyOrganization.objects.for_user(self.user).filter(
            level__in=[PartyOrganization.Level.COMMITTEE, PartyOrganization.Level.GENERAL_BRANCH]
        )
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents


class OrganizationCreateForm(OrganizationForm):
    enterprises = EnterpriseLookupField(
        label=_("Covered enterprises"),
        many=True,
        required=False,
        help_text=_(
            "One per line: USCC or exact name. A standalone organisation covers exactly one "
            "enterprise; a joint branch several (usually no more than 5). Coverage starts on "
            "the establishment date."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprises"].queryset = Enterprise.objects.for_user(self.user).live()

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("enterprises") or []
        if cleaned.get("formation") == PartyOrganization.Formation.STANDALONE and len(chosen) > 1:
            self.add_error(
                "enterprises",
                _(
                    "A standalone organisation covers exactly one enterprise. "
                    "Use a joint organisation to cover several."
                ),
            )
        return cleaned


class CoverageAddForm(forms.Form):
    enterprise = EnterpriseLookupField(label=_("Enterprise"))
    since = BoundedDateField(label=_("Covered since"), initial=timezone.localdate)

    def __init__(self, *args, organization, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).live()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enterprise") and cleaned.get("since"):
            if cleaned["since"] > timezone.localdate():
                self.add_error("since", _("This date cannot be in the future."))
            else:
                check_coverage_rules(
                    organization=self.organization,
                    enterprise=cleaned["enterprise"],
                    since=cleaned["since"],
                )
        return cleaned


class MembershipReturnForm(VersionedFormMixin, BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = MembershipReturn
        fields = [
            "reported_on",
            "formal",
            "probationary",
            "development_targets",
            "activists",
            "applicants",
            "employees",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # The instance's empty date would win over a field initial: set the form's.
            self.initial["reported_on"] = self.initial.get("reported_on") or timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("reported_on")
        same_day = MembershipReturn.objects.filter(
            enterprise_id=self.instance.enterprise_id, reported_on=day
        ).exclude(pk=self.instance.pk)
        if day and same_day.exists():
            self.add_error(
                "reported_on",
                _("There is already a return for this enterprise on this day; edit that one."),
            )
        return cleaned


class LiaisonForm(VersionedFormMixin, BaseModelForm):
    area = AreaField(label=_("Area"), queryset=Area.objects.none())

    class Meta(BaseModelForm.Meta):
        model = Liaison
        fields = ["name", "kind", "unit", "phone", "area", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = scoped_areas(self.user)


class AssignmentForm(BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = LiaisonAssignment
        fields = ["liaison", "start"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["liaison"].queryset = Liaison.objects.for_user(self.user).filter(active=True)
        if not self.instance.pk:
            self.initial["start"] = timezone.localdate()


class MassOrganizationForm(VersionedFormMixin, BaseModelForm):
    class Meta(BaseModelForm.Meta):
        model = MassOrganization
        fields = ["kind", "established_on", "dissolved_on"]

    def clean(self):
        cleaned = super().clean()
        kind, start = cleaned.get("kind"), cleaned.get("established_on")
        enterprise = self.instance.enterprise
        if kind and start:
            others = MassOrganization.objects.filter(enterprise=enterprise, kind=kind).exclude(
                pk=self.instance.pk
            )
            open_ended = others.filter(dissolved_on__isnull=True)
            if open_ended.exists() and not cleaned.get("dissolved_on"):
                self.add_error(
                    "kind",
                    _(
                        "This enterprise already has an active %(kind)s; "
                        "record its dissolution first."
                    )
                    % {"kind": MassOrganization.Kind(kind).label},
                )
        return cleaned


class TransferForm(VersionedFormMixin, BaseModelForm):
    enterprise = EnterpriseLookupField(label=_("Enterprise"), required=False)

    class Meta(BaseModelForm.Meta):
        model = MembershipTransfer
        fields = [
            "member_name",
            "from_unit",
            "to_organization",
            "enterprise",
            "started_on",
            "status",
            "completed_on",
            "handler",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = PartyOrganization.objects.for_user(
            self.user
        ).filter(dissolved_on__isnull=True)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(self.user).live()
        self.fields["enterprise"].help_text = _("Where the member works, if known: USCC or name.")
        if not self.instance.pk and self.user is not None:
            self.initial["handler"] = self.initial.get("handler") or str(self.user)

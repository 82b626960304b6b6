"""Filters for scoped lists (django-filter), shared by every part.

``ScopedFilterSet`` is a FilterSet made for one user: choice filters whose choices depend
on the user take ``queryset=lambda request: …`` (django-filter calls it with the request;
when there is no request, e.g. in a command or a test, the filterset makes one that
carries the user). ``AreaFilter`` lists the user's areas in tree order and keeps the
records in the chosen area or below it; ``SearchFilter`` searches text fields with
``contains`` (Chinese has no case, and pg_trgm indexes serve ``LIKE '%…%'``).

A filterset also says which of its filters are set (``active()``), for the summary on the
folded filter button of phone lists.
"""

from types import SimpleNamespace

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from areas import tree
from areas.forms import AreaChoiceField
from areas.models import Area

from .forms import BoundedDateFilter, DateInput, search_text


class AreaFilter(django_filters.ModelChoiceFilter):
    """An area of the user's scope (``levels`` restricts the choice); the records in it or
    below it (``Model.objects.in_area``), or with ``field_name`` set, whose field is it."""

    field_class = AreaChoiceField

    def __init__(self, *args, levels=None, subtree=True, **kwargs):
        self.levels = levels
        self.subtree = subtree
        kwargs.setdefault("label", _("Area"))
        kwargs.setdefault("queryset", self._areas)
        super().__init__(*args, **kwargs)

    def _areas(self, request):
        return tree.scoped(request.user, self.levels)

    def filter(self, qs, value):
        if not value:
            return qs
        if self.subtree and self.field_name in ("", "area") and hasattr(qs, "in_area"):
            return qs.in_area(value)
        return qs.filter(**{self.field_name: value})


class SearchFilter(django_filters.CharFilter):
    """Text contained in any of ``fields``."""

    def __init__(self, *args, fields=(), **kwargs):
        self.fields = fields
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = search_text(value)  # no NUL or control characters (PostgreSQL refuses NUL)
        if not value:
            return qs
        condition = Q()
        for name in self.fields:
            condition |= Q(**{f"{name}__contains": value})
        return qs.filter(condition)


class DateFilter(BoundedDateFilter):
    """A date (1900–2100, a clear message otherwise) with the native date picker."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", DateInput)
        super().__init__(*args, **kwargs)


class ScopedFilterSet(django_filters.FilterSet):
    def __init__(self, data=None, queryset=None, *, user, request=None, prefix=None):
        self.user = user
        if request is None:
            request = SimpleNamespace(user=user, GET=data or {})
        super().__init__(data, queryset=queryset, request=request, prefix=prefix)

    def active(self):
        """[(label, shown value)] of the filters that are set, for the filter summary."""
        if not self.is_bound or not self.form.is_valid():
            return []
        shown = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", [], ()) or isinstance(
                self.form.fields[name].widget, forms.HiddenInput
            ):
                continue
            field = self.form.fields[name]
            if hasattr(field, "choices") and not isinstance(value, Area):
                labels = {str(k): v for k, v in field.choices}
                text = labels.get(str(value), value)
            elif isinstance(value, Area):
                text = tree.label(value)
            elif hasattr(value, "isoformat"):
                text = value.isoformat()
            else:
                text = value
            shown.append((field.label, text))
        return shown

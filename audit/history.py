"""Turn Change rows into what a person reads: field labels and display values."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    change: object
    model_label: str
    fields: list[FieldChange] = field(default_factory=list)


def _field_for(model, key):
    for f in model._meta.get_fields():
        if getattr(f, "attname", None) == key or f.name == key:
            return f
    return None


def _display(f, value, names):
    if value is None or value == "" or value == []:
        return "—"
    if f is None:
        return str(value)
    if f.many_to_many or f.many_to_one or f.one_to_one:
        model = f.related_model
        values = value if isinstance(value, list) else [value]
        return "、".join(names[model].get(str(v), f"#{v}") for v in values)
    if f.choices:
        labels = {str(k): str(v) for k, v in f.flatchoices}
        return labels.get(str(value), str(value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def present_changes(changes):
    """Entries for a page of changes; related names cost one query per related model."""
    changes = list(changes)
    wanted = defaultdict(set)
    for change in changes:
        model = change.content_type.model_class()
        if model is None:
            continue
        for key, pair in change.changes.items():
            f = _field_for(model, key)
            if f is not None and f.is_relation and f.related_model is not None:
                for value in pair:
                    for v in value if isinstance(value, list) else [value]:
                        if v is not None:
                            wanted[f.related_model].add(v)
    names = defaultdict(dict)
    for model, pks in wanted.items():
        for obj in model._base_manager.filter(pk__in=pks):
            names[model][str(obj.pk)] = str(obj)
    entries = []
    for change in changes:
        model = change.content_type.model_class()
        entry = Entry(
            change=change,
            model_label=str(model._meta.verbose_name) if model else change.content_type.model,
        )
        for key, (before, after) in change.changes.items():
            f = _field_for(model, key) if model else None
            label = str(getattr(f, "verbose_name", key)) if f is not None else key
            shown = FieldChange(label, _display(f, before, names), _display(f, after, names))
            if shown.before == shown.after:
                continue  # e.g. empty to empty (None → ""): nothing a person would call a change
            entry.fields.append(shown)
        entries.append(entry)
    return entries


def history_of(obj, limit=None):
    """Entries for one record's page (变更记录)."""
    changes = obj.history()
    if limit:
        changes = changes[:limit]
    return present_changes(changes.select_related("content_type"))


# What an event's details mean (an import: its file and what it did).
EVENT_DETAIL_LABELS = {
    "file": gettext_lazy("File"),
    "kind": gettext_lazy("Sheet"),
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Updated"),
    "unchanged": gettext_lazy("Unchanged"),
    "errors": gettext_lazy("Errors"),
    "rows": gettext_lazy("Rows"),
    "reason": gettext_lazy("Reason"),
}


def event_detail(event):
    """[(label, value)] of an event's details, labels in the interface language."""
    return [
        (EVENT_DETAIL_LABELS.get(key, key), value) for key, value in (event.detail or {}).items()
    ]

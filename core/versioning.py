"""Optimistic locking: two people editing one record; the second save is refused.

Every record with an edit view has a ``version`` (a PositiveIntegerField, default 1); its
edit form carries the version it was opened at (``core.forms.VersionedFormMixin``) and
the kit's edit views save through ``save_with_version`` (``core.views.VersionedEditMixin``,
part of every ``RecordUpdateView``). Other writers of such a record bump the version too:
the ledger's importer, and the Django admin (``VersionedAdminMixin``).
"""

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from django.shortcuts import redirect
from django.utils import timezone

from audit.history import present_changes

from .forms import VersionedFormMixin


class StaleEdit(Exception):
    """Someone else saved the record after this form was opened (or the form did not say
    which version it was opened at)."""


def save_with_version(instance, form_version):
    """Save ``instance`` unless the stored version moved on since ``form_version``.

    The check and the increment happen in one UPDATE … WHERE version = %s, so two
    simultaneous saves cannot both pass. A form without a version is refused too
    (``form_version`` None): a POST that leaves the version out must not skip the check.
    """
    model = type(instance)
    if instance.pk is None:
        instance.save()
        return instance
    if form_version is None:
        raise StaleEdit
    expected = int(form_version)
    # _base_manager is a plain manager: the bump is not audited (the save below is). The
    # UPDATE also locks the row until the transaction ends, so a concurrent save waits and
    # then finds the version moved on.
    if not model._base_manager.filter(pk=instance.pk, version=expected).update(
        version=expected + 1
    ):
        raise StaleEdit
    instance.version = expected + 1
    instance.save()
    return instance


def bump_version(instance):
    """Count a save that did not come through a versioned form (the admin): forms opened
    before it are then stale. Call right after the save."""
    type(instance)._base_manager.filter(pk=instance.pk).update(version=F("version") + 1)
    instance.refresh_from_db(fields=["version"])


class VersionedAdminMixin:
    """For the ModelAdmin of a versioned model (and its inlines' models): a change saved
    in the Django admin makes every edit form opened before it stale."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and hasattr(obj, "version"):
            bump_version(obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for obj, _fields in getattr(formset, "changed_objects", []):  # set by formset.save()
            if hasattr(obj, "version"):
                bump_version(obj)


class VersionedEditMixin:
    """Optimistic locking for an edit view (an UpdateView with a model form): refuses to
    overwrite changes saved by someone else since the form was opened, and refuses a POST
    that does not say which version it was opened at.

    Required, not optional: the kit's ``RecordUpdateView`` has it, and the two-editor test
    (tests/test_lost_updates.py) finds every edit view and fails for one without it. The
    form must be a ``core.forms.VersionedFormMixin`` and the model must have a
    ``version`` field; the view says so at once otherwise. On a refusal the form is shown
    again with the current values (the user's edits re-applied) and the changes made
    since it was opened (``conflict`` in the context).

    Depends on Django and ``audit`` only, so ``accounts`` (user edits) uses it too.
    """

    def get_form_class(self):
        form_class = super().get_form_class()
        model = form_class._meta.model
        if not issubclass(form_class, VersionedFormMixin) or not any(
            f.name == "version" for f in model._meta.concrete_fields
        ):
            raise ImproperlyConfigured(
                f"{type(self).__name__}: an edit view needs a version field on "
                f"{model.__name__} and a form with core.forms.VersionedFormMixin."
            )
        return form_class

    def get_success_message(self):
        return getattr(self, "success_text", "")

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = save_with_version(
                    form.save(commit=False), form.cleaned_data.get("version")
                )
                form.save_m2m()
        except StaleEdit:
            return self.conflict(form)
        message = self.get_success_message()
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url())

    def conflict(self, form):
        current = self.get_queryset().get(pk=self.object.pk)
        since = form.cleaned_data.get("opened_at")
        changes = current.history()
        if since:
            changes = changes.filter(at__gte=since)
        data = self.request.POST.copy()
        data["version"] = current.version
        data["opened_at"] = timezone.now().isoformat()
        kwargs = {**self.get_form_kwargs(), "data": data, "instance": current}
        fresh = self.get_form_class()(**kwargs)
        fresh.is_valid()
        return self.render_to_response(
            self.get_context_data(
                form=fresh,
                # "changed": someone saved since; "unversioned": the POST had no version.
                stale="changed" if form.cleaned_data.get("version") else "unversioned",
                conflict=present_changes(changes[:20]),
            )
        )

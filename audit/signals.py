"""Single-record saves, deletes and many-to-many edits of AuditedModel subclasses."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import AuditedModel, Change, _json_value, diff, record, snapshot


def saved_before(instance):
    """The audited values of ``instance`` (attname → value, as recorded) before the save
    in progress, or None for a new record. Read it in a ``pre_save`` receiver: audit's
    own runs first (its app is first in INSTALLED_APPS) and ``post_save`` forgets it."""
    return getattr(instance, "_audit_before", None)


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance, AuditedModel) or instance._state.adding:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old is not None else None


@receiver(post_save)
def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, AuditedModel):
        return
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if created or before is None:
        record(instance, Change.Action.CREATE, diff({}, snapshot(instance)))
    else:
        record(instance, Change.Action.UPDATE, diff(before, snapshot(instance)))


@receiver(post_delete)
def _record_delete(sender, instance, **kwargs):
    if isinstance(instance, AuditedModel):
        record(instance, Change.Action.DELETE, diff(snapshot(instance), {}))


@receiver(m2m_changed)
def _record_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Record a many-to-many edit on the record that owns the field, as a list of ids."""
    if reverse or not isinstance(instance, AuditedModel):
        return
    field = next(
        (f for f in type(instance)._meta.many_to_many if f.remote_field.through is sender), None
    )
    if field is None:
        return
    if action in ("pre_add", "pre_remove", "pre_clear"):
        instance._audit_m2m_before = sorted(
            getattr(instance, field.name).values_list("pk", flat=True)
        )
    elif action in ("post_add", "post_remove", "post_clear"):
        before = getattr(instance, "_audit_m2m_before", [])
        after = sorted(getattr(instance, field.name).values_list("pk", flat=True))
        if before != after:
            record(
                instance,
                Change.Action.UPDATE,
                {field.name: [_json_value(before), _json_value(after)]},
            )

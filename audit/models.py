import datetime as dt
from contextvars import ContextVar
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import hooks
from .context import current_actor, current_event, current_ip


class Event(models.Model):
    """Something a person did that is not a record change: sign-ins, imports."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGIN_BLOCKED = "login_blocked", _("Sign-in refused (locked)")
        LOGOUT = "logout", _("Signed out")
        IMPORT = "import", _("Import")
        PASSWORD_RESET = "password_reset", _("Password reset by admin")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["kind", "username", "ip", "at"], name="audit_event_lockout")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username} {self.at:%Y-%m-%d %H:%M}"


class Change(models.Model):
    """One create, update or delete of one record, with field-level before/after."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    event = models.ForeignKey(
        Event, verbose_name=_("event"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+"
    )
    object_pk = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=200)
    # {"field_name": [before, after]}; for create, before is null; for delete, after is null.
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_pk", "at"], name="audit_change_record")
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"


# ---------------------------------------------------------------------------
# Recording


def _json_value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return sorted(_json_value(v) for v in value)
    return str(value)


_audited_fields = {}


def audited_fields(model):
    """Concrete fields whose values are recorded (the primary key and secrets excluded)."""
    found = _audited_fields.get(model)
    if found is None:
        skip = set(getattr(model, "audit_exclude", ()))
        found = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in skip and f.attname not in skip
        ]
        _audited_fields[model] = found
    return found


def snapshot(instance):
    return {
        f.attname: _json_value(f.value_from_object(instance))
        for f in audited_fields(type(instance))
    }


def diff(before, after):
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def build_change(instance, action, changes):
    return Change(
        actor=current_actor(),
        ip=current_ip(),
        event=current_event(),
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance), for_concrete_model=True),
        object_pk=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
    )


def record(instance, action, changes):
    if action == Change.Action.UPDATE and not changes:
        return None
    change = build_change(instance, action, changes)
    change.save()
    hooks.recorded.send(sender=type(instance), entries=[(instance, changes)])
    return change


def record_many(entries):
    """entries: iterable of (instance, action, changes). Written in bulk inserts.

    Imports write tens of thousands of these, so who / where / which event and the
    content types are resolved once, not per row, and the rows are plain tuples until
    they are written.
    """
    actor, ip, event = current_actor(), current_ip(), current_event()
    actor_id = actor.pk if actor is not None else None
    event_id = event.pk if event is not None else None
    content_types = {}
    rows, written = [], []
    for obj, action, changes in entries:
        if action == Change.Action.UPDATE and not changes:
            continue
        model = type(obj)
        content_type = content_types.get(model)
        if content_type is None:
            content_type = content_types[model] = ContentType.objects.get_for_model(
                model, for_concrete_model=True
            ).pk
        rows.append((action, content_type, str(obj.pk), str(obj)[:200], changes))
        written.append((obj, changes))
    if rows:
        _insert_changes(rows, actor_id, ip, event_id)
        hooks.recorded.send(sender=None, entries=written)
    return len(rows)


_COLUMNS = [
    "at",
    "actor_id",
    "ip",
    "event_id",
    "action",
    "content_type_id",
    "object_pk",
    "object_repr",
    "changes",
]


def _insert_changes(rows, actor_id, ip, event_id):
    """Insert Change rows ((action, content type, pk, repr, changes)): COPY on PostgreSQL
    (about 5× a multi-row INSERT, which matters for imports of 50,000 records),
    bulk_create elsewhere."""
    if connection.vendor != "postgresql" or len(rows) < 100:
        Change.objects.bulk_create(
            [
                Change(
                    actor_id=actor_id,
                    ip=ip,
                    event_id=event_id,
                    action=action,
                    content_type_id=content_type,
                    object_pk=pk,
                    object_repr=text,
                    changes=changes,
                )
                for action, content_type, pk, text, changes in rows
            ],
            batch_size=5000,
        )
        return
    now = timezone.now()
    table = connection.ops.quote_name(Change._meta.db_table)
    sql = f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN"
    encode = DjangoJSONEncoder(ensure_ascii=False).encode  # as json.dumps(cls=…) does
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        write = copy.write_row
        for action, content_type, pk, text, changes in rows:
            write((now, actor_id, ip, event_id, action, content_type, pk, text, encode(changes)))


def recorded_bulk_update(model, objs, fields, write):
    """``write(objs)`` updates ``fields`` of ``objs`` (a list of saved ``model``
    records) and returns what bulk_update returns; around it, what
    ``AuditedQuerySet.bulk_update`` records: the values before, one Change per record
    that changed, ``hooks.bulk_written``. Faster writers (ledger/bulk.py: COPY and one
    UPDATE … FROM on PostgreSQL) record through this, so the trail is the same."""
    objs = list(objs)
    attnames = [model._meta.get_field(f).attname for f in fields]
    before = {
        row["pk"]: row
        for row in model._base_manager.filter(pk__in=[o.pk for o in objs]).values("pk", *attnames)
    }
    result = write(objs)
    entries = []
    for o in objs:
        old = {a: _json_value(before.get(o.pk, {}).get(a)) for a in attnames}
        new = {a: _json_value(getattr(o, a)) for a in attnames}
        entries.append((o, Change.Action.UPDATE, diff(old, new)))
    record_many(entries)
    hooks.bulk_written.send(
        sender=model, action="update", objs=objs, fields=attnames, before=before
    )
    return result


# ---------------------------------------------------------------------------
# The base every domain model uses


_in_bulk_update = ContextVar("audit_in_bulk_update", default=False)


class AuditedQuerySet(models.QuerySet):
    """Records bulk writes too, so no ORM path changes data without a trace.

    Single saves and deletes (including cascades and ``QuerySet.delete``) are recorded
    by signals (see ``audit.signals``); the bulk paths below bypass signals, so they
    record here, and tell listeners through ``audit.hooks``.
    """

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        record_many((o, Change.Action.CREATE, diff({}, snapshot(o))) for o in objs if o.pk)
        hooks.bulk_written.send(
            sender=self.model, action="create", objs=objs, fields=None, before={}
        )
        return objs

    def bulk_update(self, objs, fields, *args, **kwargs):
        def write(objs):
            # Django's bulk_update runs QuerySet.update internally: don't record twice.
            token = _in_bulk_update.set(True)
            try:
                return super(AuditedQuerySet, self).bulk_update(objs, fields, *args, **kwargs)
            finally:
                _in_bulk_update.reset(token)

        return recorded_bulk_update(self.model, objs, fields, write)

    def update(self, **kwargs):
        if _in_bulk_update.get():
            return super().update(**kwargs)
        attnames = [self.model._meta.get_field(f).attname for f in kwargs]
        pks = list(self.values_list("pk", flat=True))
        base = self.model._base_manager.filter(pk__in=pks)
        before = {row["pk"]: row for row in base.values("pk", *attnames)}
        count = super().update(**kwargs)
        after = {row["pk"]: row for row in base.values("pk", *attnames)}
        objs = base.in_bulk() if pks else {}
        entries = []
        for pk in pks:
            old = {a: _json_value(before[pk][a]) for a in attnames}
            new = {a: _json_value(after[pk][a]) for a in attnames}
            entries.append((objs[pk], Change.Action.UPDATE, diff(old, new)))
        record_many(entries)
        hooks.bulk_written.send(
            sender=self.model,
            action="update",
            objs=[objs[pk] for pk in pks if pk in objs],
            fields=attnames,
            before=before,
        )
        return count

    update.alters_data = True

    def delete(self):
        with hooks.write_batch(self.model):
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class AuditedModel(models.Model):
    """Abstract base for domain records: every write leaves a Change row."""

    objects = AuditedQuerySet.as_manager()

    audit_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        with hooks.write_batch(type(self)):
            return super().delete(*args, **kwargs)

    def history(self):
        return Change.objects.filter(
            content_type=ContentType.objects.get_for_model(type(self), for_concrete_model=True),
            object_pk=str(self.pk),
        ).select_related("actor", "event")

"""Writing many records of one model at once, with their audit entries.

``insert(objs)`` is ``Model.objects.bulk_create(objs)`` (the audited manager records
every record it creates), except for large batches on PostgreSQL: there the primary
keys are taken from the table's sequence in one query, the rows are sent with ``COPY``
(several times faster than a multi-row INSERT, which Django builds parameter by
parameter), and the audit entries are recorded exactly as ``AuditedQuerySet.bulk_create``
records them. Same rows, same history, same version bumps (``core.versions``); only faster. Field
values are prepared as Django prepares them for a save (``pre_save`` for ``auto_now``
fields, ``get_db_prep_save`` for any field that is not a plain value).
"""

import datetime as dt
import operator

from django.db import connections, models, router, transaction
from django.db.models import signals
from django.db.models.base import ModelState

from audit import hooks
from audit.models import (
    AuditedModel,
    Change,
    _json_value,
    audited_fields,
    record_many,
    recorded_bulk_update,
)

# Objects: below this, bulk_create is as fast. (At 500, the ~450 new organisations of a
# 1,000-row chunk went through bulk_create and its general audit path: 0.9 s per 10,000
# rows; COPY costs two round trips whatever the size.)
COPY_FROM = 50
FAST = True  # False: every insert through the audited manager (tests compare the paths)
PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,  # DateTimeField too
    models.AutoField,
    models.BigAutoField,
    models.ForeignKey,
)
_sequences = {}


def insert(objs, batch_size=2000):
    """Create ``objs`` (instances of one model); sets their primary keys."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    if not FAST or connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        return model.objects.bulk_create(objs, batch_size=batch_size)
    _copy(model, objs, connection)
    if issubclass(model, AuditedModel):
        recorder = _recorder(model)
        record_many((o, Change.Action.CREATE, created(o, recorder)) for o in objs)
        # As AuditedQuerySet.bulk_create: apps keeping derived data (the stored state of
        # the 1) hear of the rows.
        hooks.bulk_written.send(sender=model, action="create", objs=objs, fields=None, before={})
    return objs


def update(objs, fields, batch_size=None):
    """``Model.objects.bulk_update(objs, fields)`` (recorded by the audited manager),
    except for large batches on PostgreSQL: there the new values are sent with ``COPY``
    into a temporary table and written by one ``UPDATE … FROM`` (Django's bulk_update
    builds a ``CASE WHEN id = … THEN …`` of every record for every field, which costs
    0.7 ms a record to build and grows with the square of the batch to run), recorded
    exactly as the audited manager records (``audit.models.recorded_bulk_update``)."""
    objs = list(objs)
    if not objs:
        return 0
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    if not FAST or connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        return model.objects.bulk_update(objs, fields, batch_size=batch_size)
    meta = model._meta
    targets = [meta.get_field(name) for name in fields]
    if any(f.primary_key or not f.concrete or f.many_to_many for f in targets):
        return model.objects.bulk_update(objs, fields, batch_size=batch_size)

    def write(objs):
        return _copy_update(model, objs, targets, connection)

    if issubclass(model, AuditedModel):
        return recorded_bulk_update(model, objs, fields, write)
    return write(objs)


def _copy_update(model, objs, targets, connection):
    meta = model._meta
    qn = connection.ops.quote_name
    relations = [(f.name, f.attname) for f in targets if f.is_relation]
    for obj in objs:
        if obj.pk is None:
            raise ValueError("All bulk_update() objects must have a primary key set.")
        _prepare_related(obj, relations, operation="bulk_update")
    pk = meta.pk
    columns = [pk, *targets]
    names = ", ".join(qn(f.column) for f in columns)
    table = qn(meta.db_table)
    temp = qn(f"ledger_update_{meta.db_table}")
    convert = [None if isinstance(f, PLAIN) else f for f in columns]
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        # The new values typed as the table's columns (their defaults and constraints
        # are not copied: the table's own apply when the UPDATE writes them).
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {temp} ({names}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [
                        getattr(obj, f.attname)
                        if c is None
                        else c.get_db_prep_save(getattr(obj, f.attname), connection)
                        for f, c in zip(columns, convert, strict=True)
                    ]
                )
        assignments = ", ".join(f"{qn(f.column)} = new.{qn(f.column)}" for f in targets)
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {temp} AS new "
            f"WHERE {table}.{qn(pk.column)} = new.{qn(pk.column)}"
        )
        rows = cursor.rowcount
        cursor.execute(f"DROP TABLE {temp}")
    return rows


_recorders = {}


def _recorder(model):
    """(attribute name, converter) of the audited fields, sorted as ``diff`` sorts them;
    the converter is what ``audit.models._json_value`` does for the field's type."""
    if model not in _recorders:
        found = []
        for f in sorted(audited_fields(model), key=lambda f: f.attname):
            if isinstance(f, PLAIN_VALUES):
                convert = None
            elif isinstance(f, models.DateField):  # DateTimeField too
                convert = _iso
            else:
                convert = _json_value
            found.append((f.attname, convert))
        _recorders[model] = found
    return _recorders[model]


PLAIN_VALUES = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def _iso(value):
    """``_json_value`` of a date or datetime (the type checks it makes first, skipped)."""
    if type(value) in (dt.date, dt.datetime):
        return value.isoformat()
    return _json_value(value)


def created(obj, recorder):
    """What ``audit.models.diff({}, snapshot(obj))`` records for a new record, computed
    without the general machinery (imports record tens of thousands)."""
    get = obj.__dict__.get
    out = {}
    for name, convert in recorder:
        value = get(name)
        if value is not None:
            out[name] = [None, value if convert is None else convert(value)]
    return out


class Factory:
    """``Factory(Model)(**fields)`` is ``Model(**fields)``, built faster, for the tens of
    thousands of records a plan holds: defaults are looked up once per model, values set
    by attribute name, and a related instance cached as the descriptor would cache it.
    When something listens to the model's ``pre_init`` / ``post_init`` signals, the
    instance is built by ``Model(*values)`` so that they are sent."""

    def __init__(self, model):
        self.model = model
        self.defaults = {}
        self.callables = []
        self.names = {}  # field name or attname → (attname, is a relation given by instance)
        self.fields = list(model._meta.concrete_fields)
        for f in self.fields:
            self.names[f.name] = (f.attname, f.is_relation and f.name != f.attname)
            self.names[f.attname] = (f.attname, False)
            if f.has_default() and callable(f.default):
                self.callables.append(f)
            else:
                self.defaults[f.attname] = f.get_default()
        self._callables = {}  # the given names → the callable defaults still to call
        self.signals = signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(
            model
        )

    def __call__(self, **fields):
        values = self.defaults.copy()
        # A callable default (``localdate``: 60 µs) only for the fields not given.
        given = fields.keys()
        callables = self._callables.get(frozenset(given)) if self.callables else ()
        if callables is None:
            callables = self._callables[frozenset(given)] = [
                f for f in self.callables if f.name not in given and f.attname not in given
            ]
        for f in callables:
            values[f.attname] = f.get_default()
        related = []
        names = self.names
        for name, value in fields.items():
            attname, relation = names[name]
            if relation:
                values[attname] = value.pk if value is not None else None
                related.append((name, value))
            else:
                values[attname] = value
        model = self.model
        if self.signals:
            obj = model(*[values[f.attname] for f in self.fields])
        else:
            obj = model.__new__(model)
            obj._state = ModelState()
            obj.__dict__.update(values)
        cache = obj._state.fields_cache
        for name, value in related:
            cache[name] = value
        return obj


def _prepare_related(obj, relations, operation="bulk_create"):
    """What ``Model._prepare_related_fields_for_save`` does before a bulk_create or
    bulk_update: a related record must be saved, and its key is copied if it was saved
    after being assigned."""
    cache = obj._state.fields_cache
    for name, attname in relations:
        related = cache.get(name)
        if related is None:
            continue
        if related.pk is None:
            raise ValueError(
                f"{operation}() prohibited to prevent data loss due to unsaved related "
                f"object '{name}'."
            )
        if getattr(obj, attname) is None:
            setattr(obj, attname, related.pk)


def _sequence(model, connection):
    key = (connection.alias, model)
    if key not in _sequences:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)",
                [model._meta.db_table, model._meta.pk.column],
            )
            _sequences[key] = cursor.fetchone()[0]
    return _sequences[key]


def _copy(model, objs, connection):
    meta = model._meta
    fields = list(meta.concrete_fields)
    sequence = _sequence(model, connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, len(objs)])
        ids = [row[0] for row in cursor.fetchall()]
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    converted = [
        f for f in fields if not isinstance(f, PLAIN) and f not in stamped and not f.primary_key
    ]
    relations = [(f.name, f.attname) for f in fields if f.is_relation]
    for obj, pk in zip(objs, ids, strict=True):
        _prepare_related(obj, relations)
        obj.pk = pk
        for f in stamped:
            f.pre_save(obj, True)
    attnames = [f.attname for f in fields]
    convert = {f.attname: f for f in converted}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        write = copy.write_row
        if convert:
            for obj in objs:
                write(
                    [
                        convert[a].get_db_prep_save(getattr(obj, a), connection)
                        if a in convert
                        else getattr(obj, a)
                        for a in attnames
                    ]
                )
        else:
            values = operator.itemgetter(*attnames)
            for obj in objs:
                try:
                    write(values(obj.__dict__))
                except KeyError:  # a deferred attribute: ask the instance
                    write([getattr(obj, a) for a in attnames])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias

"""Writing many records of one model at once, with their audit entries.

``insert(objs)`` is ``Model.objects.bulk_create(objs)`` (the audited manager records
every record it creates), except for large batches on PostgreSQL: there the primary
keys are taken from the table's sequence in one query, the rows are sent with ``COPY``
(several times faster than a multi-row INSERT, which Django builds parameter by
parameter), and the audit entries are recorded exactly as ``AuditedQuerySet.bulk_create``
records them. Same rows, same history, same data version bump; only faster. Field
values are prepared as Django prepares them for a save (``pre_save`` for ``auto_now``
fields, ``get_db_prep_save`` for any field that is not a plain value).
"""

from django.db import connections, models, router

from audit.models import AuditedModel, Change, diff, record_many, snapshot

COPY_FROM = 500  # objects: below this, bulk_create is as fast
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
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        return model.objects.bulk_create(objs, batch_size=batch_size)
    _copy(model, objs, connection)
    if issubclass(model, AuditedModel):
        record_many((o, Change.Action.CREATE, diff({}, snapshot(o))) for o in objs)
    return objs


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
    for obj, pk in zip(objs, ids, strict=True):
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # as bulk_create
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
            for obj in objs:
                write([getattr(obj, a) for a in attnames])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias

"""Running a hand-assembled statement (the dashboard's figures, the alert counts)."""

from django.db import connection, transaction


def count_parts(*counted):
    """(scalar SQL expressions, params) counting each item (see ``counts``): to put in a
    SELECT list of a larger statement."""
    from django.core.exceptions import EmptyResultSet

    parts, params = [], []
    for item in counted:
        queryset, column = item if isinstance(item, tuple) else (item, None)
        try:
            if column is None:
                query, sub = queryset.order_by().values("pk").query.sql_with_params()
                parts.append(f"(SELECT COUNT(*) FROM ({query}) c{len(parts)})")
            else:
                query, sub = queryset.order_by().values(column).query.sql_with_params()
                name = connection.ops.quote_name(column)
                parts.append(f"(SELECT COUNT(DISTINCT {name}) FROM ({query}) c{len(parts)})")
        except EmptyResultSet:
            parts.append("0")
            continue
        params.extend(sub)
    return parts, params


def counts(*counted):
    """Several counts in one statement: each item is a queryset (its rows are counted) or
    (queryset, column) (the distinct non-null values of that column are counted)."""
    parts, params = count_parts(*counted)
    return list(fetch("SELECT " + ", ".join(parts), params)[0]) if parts else []


def fetch(sql, params):
    """All rows of one statement.

    On PostgreSQL JIT is switched off for it (``SET LOCAL`` in a transaction of its own):
    the planner's cost estimate of the correlated alternatives of coverage subqueries is
    large enough to trigger JIT compilation, which costs more than the whole query. On
    SQLite no transaction is opened, so a read never takes the write lock.
    """
    if connection.vendor == "postgresql":
        # No savepoint inside an outer transaction: SET LOCAL then lasts until it ends,
        # which is harmless, and the statement is not wrapped in two more.
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            # One round trip: the SET and the statement together.
            cursor.execute("SET LOCAL jit = off; " + sql, params)
            cursor.nextset()
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()

"""Running a hand-assembled statement (the dashboard's figures, the alert counts)."""

from django.db import connection, transaction


def fetch(sql, params):
    """All rows of one statement.

    On PostgreSQL JIT is switched off for it (``SET LOCAL`` in a transaction of its own):
    the planner's cost estimate of the correlated alternatives of coverage subqueries is
    large enough to trigger JIT compilation, which costs more than the whole query. On
    SQLite no transaction is opened, so a read never takes the write lock.
    """
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            # One round trip: the SET and the statement together.
            cursor.execute("SET LOCAL jit = off; " + sql, params)
            cursor.nextset()
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()

"""Bounded database work: statement timeouts, and what a request does when it hits one.

- **PostgreSQL**: every connection starts with ``statement_timeout`` set (the settings'
  ``DATABASES`` OPTIONS, so it costs no query): ``DB_STATEMENT_TIMEOUT_MS`` in a web
  process, ``DB_COMMAND_STATEMENT_TIMEOUT_MS`` in a management command or the task
  worker (``manage.py`` tells them apart, see ``process_role``). The server cancels a
  statement that runs longer, so a query whose requester gave up does not load the
  database for minutes. The value belongs to the process, so a connection kept open
  between requests (``CONN_MAX_AGE``) keeps the right one; ``statement_timeout()``
  changes it for a block and puts it back.
- **SQLite** has no statement timeout; its busy timeout (``OPTIONS["timeout"]``) bounds
  how long a write waits for the write lock.

Either way the request gets a 503 page that says what happened and what to do
(``matrix.middleware.RequestTransactionMiddleware``), not a server error.
"""

import os
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

WEB, COMMAND = "web", "command"
# manage.py sets this: "command" for every command but the development server.
ROLE_VARIABLE = "MATRIX_PROCESS_ROLE"
# Commands that serve web requests keep the web timeout.
SERVING_COMMANDS = {"runserver", "testserver"}


def role_for_argv(argv):
    """The role of a ``manage.py`` process started with ``argv``."""
    command = argv[1] if len(argv) > 1 else ""
    return WEB if not command or command in SERVING_COMMANDS else COMMAND


def process_role():
    return COMMAND if os.environ.get(ROLE_VARIABLE) == COMMAND else WEB


def postgresql_options(options, timeout_ms):
    """``OPTIONS`` with ``-c statement_timeout=…`` added to any libpq options given.

    0 adds nothing: the server's (or the database role's) setting applies. That is the
    way behind PgBouncer in transaction mode, which does not pass startup options.
    """
    if not timeout_ms:
        return dict(options)
    given = options.get("options", "")
    return {**options, "options": f"{given} -c statement_timeout={int(timeout_ms)}".strip()}


def is_statement_timeout(error):
    """PostgreSQL cancelled the statement (SQLSTATE 57014: statement_timeout)."""
    cause = getattr(error, "__cause__", None)
    return isinstance(error, OperationalError) and getattr(cause, "sqlstate", None) == "57014"


def is_database_locked(error):
    """SQLite gave up waiting for the write lock (its busy timeout)."""
    return isinstance(error, OperationalError) and "database is locked" in str(error)


@contextmanager
def statement_timeout(ms, using=DEFAULT_DB_ALIAS):
    """Run a block with another statement timeout (PostgreSQL; a no-op on SQLite).

    For a long job run inside a web process (a task executed in the request, a
    command called from code): ``with statement_timeout(settings.DB_COMMAND_…):``.
    The previous value is restored at the end, so a connection reused by the next
    request has the request's timeout again.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [str(int(ms))])
    try:
        yield
    finally:
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, false)", [previous])

import time
from contextlib import contextmanager

from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.db import OperationalError, connection

RENEWED_AT = "_renewed_at"


class IdleTimeoutMiddleware:
    """Signs a user out after SESSION_COOKIE_AGE seconds without a request.

    Each request moves the session's expiry forward, but at most once every
    SESSION_RENEW_SECONDS: saving the session is a database write, and writing on every
    page view would cost more than the page itself once pages come from the cache. So
    the idle timeout is between SESSION_COOKIE_AGE − SESSION_RENEW_SECONDS and
    SESSION_COOKIE_AGE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            last = request.session.get(RENEWED_AT, 0)
            if time.time() - last >= settings.SESSION_RENEW_SECONDS:
                if request.method in SAFE_METHODS and not request.session.modified:
                    renew_without_waiting(request.session)
                else:
                    mark_renewed(request.session)  # modified: saved with a new expiry
        return response


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def renew_without_waiting(session):
    """Renew the session of a read request now, or on a later request if the database is
    busy: on SQLite a long import holds the write lock, and a page view that only reads
    must not wait for it (or fail after the busy timeout) just to move an expiry that
    has a minute of slack."""
    mark_renewed(session)
    try:
        with _no_lock_wait():
            session.save()
    except OperationalError:
        if connection.vendor != "sqlite":
            raise
        # Not saved: the stored session keeps its old renewal time and expiry, so the
        # next request tries again.
    except UpdateError:
        pass  # signed out meanwhile (another tab): the next request goes to the sign-in
    session.modified = False  # saved (or postponed): SessionMiddleware need not save it


@contextmanager
def _no_lock_wait():
    """On SQLite, fail at once instead of waiting for another writer's lock."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(previous)}")


def mark_renewed(session):
    session[RENEWED_AT] = int(time.time())

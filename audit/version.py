"""The data version: cache computed figures without ever showing a stale one.

Every audited write (single saves, deletes, many-to-many edits and the bulk paths of
``AuditedQuerySet``) calls ``bump_on_commit``: once its transaction commits, the single
``DataVersion`` row is incremented. ``cached(key, compute)`` stores a result under the
version current when it was computed; after any committed change the version differs,
so the old result is never read again.

Why after commit: incrementing inside the transaction would hold a row lock on the
counter until commit and serialise every writer (a long import would block everyone).
Reading order makes the after-commit bump safe: a reader that sees the old version may
cache figures that already include the new data under the old key, which is harmless;
a reader never sees the new version before the data it stands for is committed.
"""

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F

# Within one request the version is read once (see ``read_once``); a bump forgets it.
_memo = ContextVar("data_version_memo", default=None)


def _bump(using=DEFAULT_DB_ALIAS):
    from .models import DataVersion

    memo = _memo.get()
    if memo is not None:
        memo.clear()

    if not DataVersion.objects.using(using).filter(pk=1).update(number=F("number") + 1):
        DataVersion.objects.using(using).get_or_create(pk=1, defaults={"number": 1})


def bump_on_commit(using=DEFAULT_DB_ALIAS):
    """Schedule one increment for when the current transaction commits (now if none)."""
    connection = connections[using]
    if connection.in_atomic_block and any(
        func is _bump_default for _sids, func, _robust in connection.run_on_commit
    ):
        return  # already scheduled for this transaction
    transaction.on_commit(_bump_default, using=using)


def _bump_default():
    _bump(DEFAULT_DB_ALIAS)


def bump_now():
    """For writes that bypass the audit trail on purpose (synthetic demo data)."""
    _bump(DEFAULT_DB_ALIAS)


def current():
    memo = _memo.get()
    if memo is not None and "number" in memo:
        return memo["number"]
    from .models import DataVersion

    number = DataVersion.objects.values_list("number", flat=True).filter(pk=1).first() or 0
    if memo is not None:
        memo["number"] = number
    return number


@contextmanager
def read_once():
    """Inside the block ``current()`` queries the database once, not once per cached
    figure (a list page reads the badge, the count and the page's ids). Reading the
    version a few milliseconds early is harmless: see the module docstring."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def cached(key, compute, timeout=600):
    """``compute()``, reused until the data changes (or ``timeout`` seconds pass)."""
    full_key = f"dv{current()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    return value


def key_of(*parts):
    """A short cache key for everything a cached value depends on."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def store(key, value, number, timeout=600):
    """Put a value that ``cached(key, …)`` would compute, found while computing another
    under version ``number`` (read before that computation began, not after it)."""
    cache.set(f"dv{number}:{key}", value, timeout)

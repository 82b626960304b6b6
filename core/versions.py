"""Narrow invalidation of cached pages and figures: a version per part and per area.

A cached value names what it depends on (``Deps``): the parts of the matrix whose data it
shows and the area it shows them for. Its key carries the current value of a few version
counters, so after a change to that data the key differs and the old value is never read
again (it expires or is culled). The counters are

- ``*``: everything (an area edit renames or moves streets on every page);
- ``<part>``: the whole part (a record that belongs to no area, e.g. a rubric);
- ``<part>:<node>``: the part in one street, one district, or ``root`` (everything).

A committed write bumps, for each part that reads the changed model's app, the counters
of the record's street, of its district and ``root``; so a street page (node: its street)
only goes cold when its street changes, a district page (node: the district) when any
street under it does, as it must. Which parts read an app: the part of the app itself and
every part whose models point to the app's models (the showcase's records hang off
enterprises, so an enterprise edit bumps both). Writes to an app that is no part (areas,
accounts, attachments …): scoped records bump every part in their street; unscoped ones
(an area) bump ``*``.

Why counters in the cache (generational keys) and not a table: reading them is one
``get_many`` of a handful of keys, no database query, on every page; a table would be one
more query per page and a row lock per write. A counter that is missing (never set, culled,
or the cache cleared) starts at a fresh random value, so an entry stored under an earlier
value can never be read again.

Why after commit (as the single data version before): a reader that sees the old value may
store figures that already include the new data under the old key, which is harmless; a
reader never sees the new value before the data it stands for is committed. A page that
reads some data before its own counters (e.g. the record of a detail page) is guarded by
``guard()``: the user's scope counters, read before any data, are read again before
storing, and nothing is stored if they moved.
"""

import hashlib
import random
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from . import registry

EVERYTHING = "*"
ROOT = "root"
PREFIX = "ver:"
TOO_MANY = 2000  # ids of one kind in a transaction: bump the parts wholesale, not per street

# Within one request the counters are read once (``read_once``); a bump forgets them.
_memo = ContextVar("versions_memo", default=None)


# ---------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Deps:
    """What a cached value depends on: ``parts`` (part keys) in the area ``node``."""

    parts: tuple
    node: str

    def names(self):
        found = [EVERYTHING]
        for part in self.parts:
            found += [part, f"{part}:{self.node}"]
        return found


def node_of(area):
    """The counter an area's pages read: its street (a community reads its street's), a
    district its own; None (everything, a system admin's scope) reads ``root``."""
    if area is None:
        return ROOT
    from areas.models import Area

    if area.level == Area.Level.COMMUNITY:
        return str(area.parent_id)
    return str(area.pk)


def all_parts():
    return tuple(p.key for p in registry.parts())


def deps(area, parts=None):
    """Deps of a page about ``area`` (None: everything) showing ``parts`` (default all)."""
    return Deps(all_parts() if parts is None else tuple(parts), node_of(area))


def scope(user, parts=None):
    """Deps of what a user's whole scope shows (the badge; pages of their own area)."""
    if user.is_system_admin or user.area_id is None:
        return deps(None, parts)
    return deps(user.area, parts)


def counters():
    """Where the counters live: the ``versions`` cache when configured (the file cache's
    own directory: the default one culls the least recently written entries first, which
    would be exactly the counters that rarely move, ``*`` among them, and every page would
    go cold at each cull), else the default cache (Redis: counters are read on every page,
    so an LRU policy keeps them)."""
    return caches["versions"] if "versions" in settings.CACHES else cache


def _fresh():
    return random.getrandbits(62)


def values(names, *, memo=True):
    """{name: current value} of these counters, missing ones started afresh."""
    names = list(dict.fromkeys(names))
    found = {}
    known = _memo.get() if memo else None
    if known is not None:
        found = {n: known[n] for n in names if n in known}
    wanted = [n for n in names if n not in found]
    if wanted:
        stored = counters().get_many([PREFIX + n for n in wanted])
        for name in wanted:
            value = stored.get(PREFIX + name)
            if value is None:
                value = _fresh()
                if not counters().add(PREFIX + name, value, timeout=None):
                    value = counters().get(PREFIX + name, value)  # another process started it
            found[name] = value
        if known is not None:
            known.update({n: found[n] for n in wanted})
    return found


def stamp(dep):
    """The part of a cache key that changes whenever data ``dep`` depends on changes."""
    current = values(dep.names())
    return key_of(*(current[n] for n in dep.names()))


def key_of(*parts):
    """A short cache key for everything a cached value depends on."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def cached(key, compute, dep, timeout=600):
    """``compute()``, reused until data ``dep`` depends on changes (or ``timeout`` passes)."""
    full_key = f"{key}:{stamp(dep)}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    return value


class Guard:
    """Counters read before the data a value is computed from; ``still()`` says whether
    none moved since (read again, not from the request's memo)."""

    def __init__(self, dep):
        self.names = dep.names()
        self.before = values(self.names)

    def still(self):
        return values(self.names, memo=False) == self.before


@contextmanager
def read_once():
    """Inside the block each counter is read from the cache once (a page reads its body's,
    the badge's and the area switch's)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


class ReadOnceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with read_once():
            return self.get_response(request)


# ---------------------------------------------------------------------------
# Bumping


def bump(names):
    """Move these counters on (now)."""
    memo = _memo.get()
    for name in set(names):
        if memo is not None:
            memo.pop(name, None)
        # A fresh random value, not ``incr``: the file cache's incr is a get and a set, so
        # two workers bumping at once could both write v + 1, and a page rendered between
        # the two commits would be stored under the value that outlives the second one.
        # Two random values differ (62 bits), whoever writes last.
        counters().set(PREFIX + name, _fresh(), timeout=None)


def bump_everything():
    """For writes that bypass the audit trail on purpose (synthetic demo data)."""
    bump([EVERYTHING])


def _readers():
    """{app label of a part: keys of the parts that read its models}: the part itself and
    every part whose models point to them (the showcase's sites to enterprises)."""
    from django.apps import apps

    part_apps = {p.app_label for p in registry.parts()}
    readers = defaultdict(set)
    for part in registry.parts():
        readers[part.app_label].add(part.key)
        for model in apps.get_app_config(part.app_label).get_models():
            for field in model._meta.get_fields():
                related = getattr(field, "related_model", None)
                if field.is_relation and field.concrete and related is not None:
                    label = related._meta.app_label
                    if label in part_apps:
                        readers[label].add(part.key)
    return readers


_readers_memo = None


def parts_reading(app_label):
    global _readers_memo
    if _readers_memo is None:
        _readers_memo = _readers()
    return _readers_memo.get(app_label, set())


class Pending:
    """What the writes of one transaction touched, bumped when it commits.

    ``anchors``: {(model, lookup): {(parts, pk)}}: records whose area is reached from
    ``model`` row ``pk`` through ``lookup`` (resolved at commit, in one query per kind);
    ``known``: areas already known from the records themselves (an enterprise gives its
    community, so its coverages need no query, even if deleted with it)."""

    def __init__(self):
        self.names = set()
        self.areas = defaultdict(set)  # area pk -> parts
        self.anchors = defaultdict(set)
        self.known = {}

    def add(self, obj, changes):
        from areas.models import Area

        model = type(obj)
        app = model._meta.app_label
        lookup = getattr(model, "scope_area_lookup", None)
        parts = parts_reading(app)
        if not parts:
            if not lookup or model is Area:
                self.names.add(EVERYTHING)
                return
            parts = set(all_parts())
        parts = frozenset(parts)
        if not lookup:
            self.names.update(parts)
            return
        first, _sep, rest = lookup.partition("__")
        field = model._meta.get_field(first)
        if not (field.many_to_one or field.one_to_one) or not field.concrete:
            self.names.update(parts)  # not a plain foreign key: the whole part
            return
        ids = {getattr(obj, field.attname, None)}
        moved = changes.get(field.attname)
        if isinstance(moved, list | tuple):  # e.g. [old community, new]: both streets
            ids.update(moved)
        ids.discard(None)
        target = field.related_model
        for pk in ids:
            if not rest:
                if target is Area:
                    self.areas[pk] |= parts
                    if pk == getattr(obj, field.attname, None):
                        self.known[(model, obj.pk)] = pk
                continue
            self.anchors[(target, rest)].add((parts, pk))

    def flush(self):
        try:
            names = self._resolve()
        except Exception:  # noqa: BLE001 - never leave a stale page: bump everything
            names = {EVERYTHING}
        bump(names)

    def _resolve(self):
        """The counters to bump: the parts' nodes of every area the writes touched."""
        from areas.models import Area

        names, areas = set(self.names), defaultdict(set)
        for pk, parts in self.areas.items():
            areas[pk] |= parts
        for (model, lookup), entries in self.anchors.items():
            ids = {pk for _parts, pk in entries}
            found = {}
            if getattr(model, "scope_area_lookup", None) == lookup:
                found = {pk: self.known[(model, pk)] for pk in ids if (model, pk) in self.known}
            missing = ids - set(found)
            if len(missing) > TOO_MANY:
                names.update(p for parts, _pk in entries for p in parts)
                continue
            if missing:
                rows = model._base_manager.filter(pk__in=missing).values_list("pk", lookup)
                found.update(rows)
            for parts, pk in entries:
                if found.get(pk) is None:  # gone (deleted) or no area: the whole part
                    names.update(parts)
                else:
                    areas[found[pk]] |= parts
        if areas:
            rows = Area._base_manager.filter(pk__in=list(areas)).values_list(
                "pk", "level", "parent_id", "parent__parent_id"
            )
            seen = set()
            for pk, level, parent, grandparent in rows:
                seen.add(pk)
                nodes = {
                    Area.Level.COMMUNITY: (parent, grandparent),
                    Area.Level.STREET: (pk, parent),
                }.get(level, (pk,))
                for part in areas[pk]:
                    names.add(f"{part}:{ROOT}")
                    names.update(f"{part}:{n}" for n in nodes if n is not None)
            for pk in set(areas) - seen:  # an area deleted meanwhile
                names.update(areas[pk])
        return names


def changed(entries, using=DEFAULT_DB_ALIAS):
    """Audited writes of (instance, changes): bump what they touch when the transaction
    commits (now outside one). One ``Pending`` per transaction."""
    connection = connections[using]
    pending = getattr(connection, "_versions_pending", None)
    scheduled = (
        pending is not None
        and connection.in_atomic_block
        and any(func == pending.flush for _sids, func, _robust in connection.run_on_commit)
    )
    if not scheduled:
        pending = Pending()
    for obj, changes in entries:
        pending.add(obj, changes or {})
    if not connection.in_atomic_block:
        connection._versions_pending = None
        pending.flush()
    elif not scheduled:
        connection._versions_pending = pending
        transaction.on_commit(pending.flush, using=using)


def _on_recorded(sender, entries, **kwargs):
    changed(entries)

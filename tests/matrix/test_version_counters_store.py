"""With the file cache (the embedded default), the version counters live in a directory
of their own: culling the pages never drops a counter, which would make every page cold
at once (``*`` is written once and would be among the first culled)."""

import importlib

from core import versions


def file_caches(tmp_path, max_entries):
    return {
        "default": {
            "BACKEND": "matrix.cache.FileCache",
            "LOCATION": str(tmp_path / "cache"),
            "OPTIONS": {"MAX_ENTRIES": max_entries, "CULL_EVERY": 1},
        },
        "versions": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache" / "versions"),
            "TIMEOUT": None,
        },
    }


def test_the_base_settings_give_the_file_cache_a_counters_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("CACHE_DIR", str(tmp_path))
    from matrix.settings import base

    try:
        base = importlib.reload(base)
        assert base.CACHES["versions"]["LOCATION"] == str(tmp_path / "versions")
        assert base.CACHES["default"]["LOCATION"] == str(tmp_path)
    finally:
        monkeypatch.undo()
        importlib.reload(base)


def test_a_cull_of_the_pages_keeps_every_counter(settings, tmp_path):
    settings.CACHES = file_caches(tmp_path, max_entries=20)
    from django.core.cache import cache, caches

    try:
        before = versions.values(["*", "kitdemo:root"], memo=False)
        for n in range(200):  # far beyond MAX_ENTRIES: culled many times over
            cache.set(f"page-{n}", "html")
        assert len(list((tmp_path / "cache").glob("*.djcache"))) < 60
        assert versions.values(["*", "kitdemo:root"], memo=False) == before
    finally:
        for alias in ("default", "versions"):
            caches[alias].clear()


def test_clear_cache_also_restarts_the_counters(settings, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    settings.CACHES = file_caches(tmp_path, max_entries=1000)
    before = versions.values(["*"], memo=False)
    call_command("clear_cache", stdout=StringIO())
    assert versions.values(["*"], memo=False) != before

"""matrix.cache.FileCache: culls the least recently written entries, and lists its
directory only once every CULL_EVERY sets."""

import os

import pytest

from matrix.cache import FileCache


def make(tmp_path, **options):
    return FileCache(
        str(tmp_path),
        {"TIMEOUT": 60, "OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2, **options}},
    )


def age(cache, key, seconds_ago):
    path = cache._key_to_file(key)
    written = os.stat(path).st_mtime - seconds_ago
    os.utime(path, (written, written))


@pytest.mark.parametrize("cull_every", [1, 5])
def test_the_oldest_entries_are_culled_first(tmp_path, cull_every):
    cache = make(tmp_path, CULL_EVERY=cull_every)
    for i in range(10):
        cache.set(f"k{i}", i)
        age(cache, f"k{i}", 100 - i)  # k0 is the oldest
    for extra in range(cull_every):  # the check comes on the CULL_EVERY-th set
        cache.set(f"new{extra}", extra)
    kept = [i for i in range(10) if cache.get(f"k{i}") is not None]
    assert len(kept) <= 5 and kept == list(range(10 - len(kept), 10))  # the newest stay
    assert all(cache.get(f"new{extra}") == extra for extra in range(cull_every))


def test_the_directory_is_listed_once_every_cull_every_sets(tmp_path, monkeypatch):
    cache = make(tmp_path, CULL_EVERY=50)
    listings = []
    real = os.scandir

    def counting(path):
        listings.append(path)
        return real(path)

    monkeypatch.setattr(os, "scandir", counting)
    for i in range(100):
        cache.set(f"k{i}", i)
    assert len(listings) == 2

"""The project's cache backend: Django's file cache, culled cheaply and oldest first."""

import os

from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    """Django's file cache lists the whole directory on every ``set()`` to decide whether
    to cull, then deletes entries at random. Entries under old version counters
    (``core.versions``) are never read again, so the directory fills up to MAX_ENTRIES
    and stays there, and every ``set()`` listed ~20,000 files (23 ms on the development
    machine) and culled fresh entries as readily as dead ones.

    This one counts the files on one ``set()`` in CULL_EVERY (default 100, per process),
    and culls the least recently written first: entries of old versions go before
    current ones.
    So the directory may exceed MAX_ENTRIES by up to CULL_EVERY × workers files, and two
    workers culling at once may remove more than 1 / CULL_FREQUENCY of it.
    """

    def __init__(self, dir, params):
        options = dict(params.get("OPTIONS", {}))
        self._cull_every = int(options.pop("CULL_EVERY", 100))
        super().__init__(dir, {**params, "OPTIONS": options})
        self._sets_since_check = 0

    def _cull(self):
        self._sets_since_check += 1
        if self._sets_since_check < self._cull_every:
            return
        self._sets_since_check = 0
        entries = []
        with os.scandir(self._dir) as found:
            for entry in found:
                if entry.name.endswith(self.cache_suffix):
                    try:
                        entries.append((entry.stat().st_mtime, entry.path))
                    except FileNotFoundError:  # deleted by another worker meanwhile
                        continue
        if len(entries) < self._max_entries:
            return
        if self._cull_frequency == 0:
            return self.clear()
        entries.sort()
        for _written, path in entries[: len(entries) // self._cull_frequency]:
            self._delete(path)

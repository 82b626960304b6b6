"""A bump always moves a counter to a value no reader has seen, even when two workers bump
at once (the file cache's incr is a read and a write, not atomic across processes)."""

from core import versions


def test_two_bumps_from_the_same_value_give_a_value_nobody_read(real_cache, monkeypatch):
    name = versions.PREFIX + "kitdemo:root"
    seen = versions.values(["kitdemo:root"], memo=False)["kitdemo:root"]
    written = []

    class Recording:
        """The cache, with the values written to the counter noted."""

        def __call__(self):
            return self

        def __getattr__(self, attr):
            return getattr(real_cache, attr)

        def set(self, key, value, *args, **kwargs):
            if key == name:
                written.append(value)
            return real_cache.set(key, value, *args, **kwargs)

    monkeypatch.setattr(versions, "counters", Recording)
    # Two workers that both read ``seen`` and then bump: neither may write seen + 1 twice.
    versions.bump(["kitdemo:root"])
    versions.bump(["kitdemo:root"])
    assert len(written) == 2
    assert len({seen, *written}) == 3
    assert versions.values(["kitdemo:root"], memo=False)["kitdemo:root"] not in (seen,)

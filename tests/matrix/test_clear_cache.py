from io import StringIO

from django.core.cache import cache
from django.core.management import call_command


def test_clear_cache_empties_the_cache(real_cache):
    cache.set("a-page", "old html")
    out = StringIO()
    call_command("clear_cache", stdout=out)
    assert cache.get("a-page") is None
    assert "Cache cleared." in out.getvalue()

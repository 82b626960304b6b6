"""A paginator whose count and page contents are cached under the data version.

Counting and ordering tens of thousands of filtered rows is the expensive part of a
list; the same list is viewed again and again. ``audit.version.cached`` keys the results
on the data version, so after any committed change they are recomputed: never stale.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from audit import version


class VersionCachedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cache_key, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cache_key = cache_key

    @cached_property
    def count(self):
        return version.cached(f"{self.cache_key}:count", lambda: Paginator.count.func(self))

    def _get_page(self, object_list, number, paginator):
        rows = version.cached(f"{self.cache_key}:page{number}", lambda: list(object_list))
        return super()._get_page(rows, number, paginator)

"""Headers as people write them → the column a spec means.

A header and every name a spec lists for a column (its header and its ``variants``) are
compared after the same normalisation, so the variants a spec lists cover the ways
offices write them without listing each:

- full width → half width, spaces, ``*`` and marks removed, letters in lower case;
- notes and units in brackets removed: ``正式党员（人）``, ``统一社会信用代码(18位)``;
- numbering in front removed: ``1.``, ``（一）``, ``一、``, ``①``;
- 时间 reads as 日期; 建立 and 组建 read as 成立;
- 组织 / 支部 before 成立… or at the end is dropped: ``团组织成立时间`` = ``团支部成立日期``
  = ``团成立日期``.

Columns that no spec reads but that are never data (序号, the error report's 错误说明)
are skipped quietly; every other unrecognised column is "unknown": the preview lists it
and the import waits until the user acknowledges it.
"""

import re
import unicodedata

from django.core.exceptions import ImproperlyConfigured

ERROR_HEADER = "错误说明"  # the error report's last column
_CIRCLED = re.compile(r"^\s*[\u2460-\u2473\u3251-\u325f]\s*")
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|<[^>]*>|〔[^〕]*〕")
_NUMBERING = re.compile(r"^\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*[.、,)]+\s*")
_NOISE = re.compile(r"[\s*:：/、_\-.。,，'\"“”‘’]")
_SUFFIX = re.compile(r"(?<=.)(组织|支部)(?=成立|$)")
QUIET = {"序号", "序", "行号", "no", "编号序号"}


def normalize(text):
    """统一社会信用代码（18位） → 统一社会信用代码; see the module docstring."""
    text = _CIRCLED.sub("", str(text or ""))
    text = unicodedata.normalize("NFKC", text)
    text = _BRACKETED.sub("", text)
    text = _NUMBERING.sub("", text)
    text = _NOISE.sub("", text).lower()
    text = text.replace("时间", "日期").replace("建立", "成立").replace("组建", "成立")
    return _SUFFIX.sub("", text)


def is_quiet(text):
    name = normalize(text)
    return name in QUIET or name == normalize(ERROR_HEADER)


def header_text(value):
    return str(value).strip() if value is not None else ""


class Lookup:
    """The columns of one spec, by every normalised name."""

    def __init__(self, spec):
        self.by_name = {}
        for column in spec.columns:
            for name in (column.header, column.key, *column.variants):
                normal = normalize(name)
                other = self.by_name.setdefault(normal, column.key)
                if other != column.key:
                    raise ImproperlyConfigured(
                        f"sheet {spec.kind!r}: {name!r} of column {column.key!r} reads the "
                        f"same as a name of column {other!r}"
                    )

    def key(self, text):
        """The column key a header names, or None."""
        if text in (None, ""):
            return None
        return self.by_name.get(normalize(text))

    def keys(self, values):
        return {self.key(v) for v in values if isinstance(v, str)} - {None}

"""Zero server errors under fuzzing (issue 14, Must deliver 6).

Every view the URL walk finds (tests/test_url_security.py) gets extreme and malformed
values (huge and negative numbers, 0, non-digits, other scripts' digits, very long strings,
NUL and control characters, far and malformed dates, empty values, lists of values) in
every parameter it reads, as each persona (admin, staff, leader, stranger, anonymous):
a GET with them as query parameters, and for a view that takes POST, a POST with them as
form fields. No response may be a server error and no exception may escape.

The parameters are discovered, not listed: one GET and one POST per view with a request
that records every name the view reads from ``request.GET`` / ``request.POST`` (filter
sets and forms read their fields that way), plus the fields of every form in the page's
context. A view added later is fuzzed the day it exists.

Runtime: a few examples per view and persona by default (fixed seed, so a run is
reproducible). More: ``FUZZ_PROFILE=deep`` (200 examples, random) or
``FUZZ_EXAMPLES=n``. Failing examples are shrunk and printed by Hypothesis.
"""

import datetime as dt
import os
import re
import time

import pytest
from django import forms
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enterprises import alerts
from tests.factories import make_in_street
from tests.test_url_security import ALL, build_url, takes_pk, view_class

PERSONAS = ["admin", "staff", "leader", "stranger", "anonymous"]

settings.register_profile(
    "fuzz-default",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 2)),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "fuzz-deep",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 200)),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
PROFILE = settings.get_profile(
    "fuzz-deep" if os.environ.get("FUZZ_PROFILE") == "deep" else "fuzz-default"
)

# Route converters other than pk: valid values, so the view behind them is reached.
KWARG_CHOICES = {
    "key": [a.key for a in alerts.ALERTS],
    "kind": ["enterprises", "organizations", "liaisons", "transfers"],
    "fmt": ["xlsx", "csv"],
}

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "00",
    "9" * 19,
    "9" * 20,
    "9" * 5000,
    "-" + "9" * 30,
    "１２",  # full-width digits
    "١٢",  # Arabic-Indic digits
    "①",
    " 1 ",
    "1e10",
    "1.5",
    "NaN",
    "inf",
    "0x1F",
    "\x00",
    "a\x00b",
    "\r\n",
    "\t",
    "\x1b[0m",
    "\x7f",
    "\ufeff",
    "\ud7ff",
    "%00",
    "' OR 1=1 --",
    '"><script>alert(1)</script>',
    '=HYPERLINK("x")',
    "../../etc/passwd",
    "0001-01-01",
    "1899-12-31",
    "2101-01-01",
    "9999-12-31",
    "2024-02-30",
    "2024-13-01",
    "0000-00-00",
    "+99999-01-01",
    "2024/01/01",
    "2024-01-01T25:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59.999999+14:00",
    "长" * 10_000,
    "a" * 100_000,
]

SCALAR = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(max_size=30),  # any characters, NUL and control characters included
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str),
    st.builds(
        "{}-{:02d}-{:02d}".format,
        st.integers(-99999, 99999),
        st.integers(0, 99),
        st.integers(0, 99),
    ),
)
VALUE = st.one_of(SCALAR, st.lists(SCALAR, min_size=2, max_size=3))

# ---------------------------------------------------------------------------
# Discovery: the names a view reads.

_SEEN = set()


class RecordingQueryDict(QueryDict):
    """A QueryDict that notes every name looked up (copies share the notes)."""

    def __getitem__(self, key):
        _SEEN.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        _SEEN.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        _SEEN.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        _SEEN.add(key)
        return super().__contains__(key)


def _recording(query_dict):
    recorded = RecordingQueryDict(mutable=True, encoding=query_dict.encoding)
    for key, values in query_dict.lists():
        recorded.setlist(key, values)
    recorded._mutable = False
    return recorded


@pytest.fixture
def record_names(monkeypatch):
    """While active, request.GET and request.POST note the names a view reads."""
    original_get = WSGIRequest.__dict__["GET"]
    original_post = WSGIRequest.__dict__["POST"]

    def get(self):
        if "_fuzz_get" not in self.__dict__:
            self.__dict__["_fuzz_get"] = _recording(original_get.__get__(self, WSGIRequest))
        return self.__dict__["_fuzz_get"]

    def set_get(self, value):
        self.__dict__["_fuzz_get"] = value

    def post(self):
        if "_fuzz_post" not in self.__dict__:
            self.__dict__["_fuzz_post"] = _recording(original_post.__get__(self, WSGIRequest))
        return self.__dict__["_fuzz_post"]

    def set_post(self, value):
        self.__dict__["_fuzz_post"] = value

    monkeypatch.setattr(WSGIRequest, "GET", property(get, set_get))
    monkeypatch.setattr(WSGIRequest, "POST", property(post, set_post))
    _SEEN.clear()
    return _SEEN


def _context_forms(response):
    found = []
    for context in response.context or []:
        for value in context.flatten().values():
            form = getattr(value, "form", value)  # a FilterSet carries its form
            if isinstance(form, forms.BaseForm) and form not in found:
                found.append(form)
    return found


def _form_data(form):
    """What a browser would post for this form as shown."""
    data = {}
    for bound in form:
        value = bound.value()
        if bound.field.disabled or value is None or isinstance(bound.field, forms.FileField):
            continue
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif isinstance(value, dt.date):
            data[bound.html_name] = value.isoformat()
        else:
            data[bound.html_name] = str(value)
    return data


_DISCOVERED = {}  # view name -> (GET names, POST names, POST base data); per run


def discover(name, url, cls, admin_user, record):
    """(names read from GET, names read from POST, the view's form as shown)."""
    if name in _DISCOVERED:
        return _DISCOVERED[name]
    accepts_post = hasattr(cls, "post") if cls else True
    view_form = None
    if hasattr(cls, "get_form"):  # a form view (FormMixin): its form is what it posts
        view_form = getattr(cls, "authentication_form", None) or cls.form_class
    client = Client()
    client.force_login(admin_user)
    record.clear()
    response = client.get(url)
    get_names = set(record)
    base, post_names = {}, set()
    for form in _context_forms(response):
        names = {form.add_prefix(n) for n in form.fields}
        if view_form is not None and isinstance(form, view_form):
            base = _form_data(form)  # the view's own form: posted
            post_names |= names
        elif not form.is_bound:
            get_names |= names  # a filter form: read from the query string
    if accepts_post:
        record.clear()
        client.post(url, {})
        post_names |= set(record)
    get_names.add("page")
    found = (sorted(get_names), sorted(post_names - {"csrfmiddlewaretoken"}), base)
    _DISCOVERED[name] = found
    return found


# ---------------------------------------------------------------------------
# The fuzz test.

FUZZED = [(n, r, p) for n, r, p in ALL]
STATS = {"requests": 0, "seconds": 0.0}

# A deterministic sweep beside the random examples: each boundary value alone in each
# parameter (alone, so that another invalid value cannot hide it behind a form error),
# as the admin, who reaches every view's deepest code.
BOUNDARY = ["9" * 5000, "0001-01-01", "9999-12-31", "\x00"]


@pytest.fixture(autouse=True)
def _real_cache(settings):
    """A real cache, as in production, empty for each view: the alert badge and the
    cached bodies are computed once per data version, not for every fuzzed request (the
    fuzz writes nothing, mostly), which keeps the run short."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


def _route_kwargs(route):
    return [n for n in re.findall(r"<(?:\w+:)?(\w+)>", route) if n != "pk"]


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name, route, pattern", FUZZED, ids=[n for n, _, _ in FUZZED])
def test_no_server_error_for_any_input(
    name, route, pattern, admin_user, staff, leader, stranger, jiaonan, record_names
):
    cls = view_class(pattern)
    pk = make_in_street(cls.model, jiaonan).pk if takes_pk(route) else None
    kwargs = _route_kwargs(route)
    url = build_url(route, pk, {k: KWARG_CHOICES.get(k, ["1"])[0] for k in kwargs})
    accepts_post = hasattr(cls, "post") if cls else True
    get_names, post_names, base = discover(name, url, cls, admin_user, record_names)
    start, sent = time.monotonic(), 0

    admin = _client(admin_user)
    for value in BOUNDARY:
        for param in get_names:
            if param == "page":
                continue  # Django's paginator; the random examples still send it
            response = admin.get(url, {param: value})
            assert response.status_code < 500, f"admin GET {url} {param}={value[:20]!r}"
        for field in post_names:
            response = admin.post(url, {**base, field: value})
            assert response.status_code < 500, f"admin POST {url} {field}={value[:20]!r}"
        sent += len(get_names) - ("page" in get_names) + len(post_names)

    chosen = st.fixed_dictionaries(
        {k: st.sampled_from(KWARG_CHOICES.get(k, ["1"])) for k in kwargs}
    )
    query = st.dictionaries(st.sampled_from(get_names), VALUE, min_size=1, max_size=6)
    post = (
        st.dictionaries(st.sampled_from(post_names), VALUE, min_size=1, max_size=8)
        if post_names
        else st.dictionaries(st.sampled_from(["x", *get_names]), VALUE, max_size=2)
    )
    users = {"admin": admin_user, "staff": staff, "leader": leader, "stranger": stranger}

    def fuzz_as(persona, client):

        @PROFILE
        @given(route_kwargs=chosen, params=query, data=post)
        def fuzz(route_kwargs, params, data):
            nonlocal sent
            url = build_url(route, pk, route_kwargs)
            response = client.get(url, params)
            sent += 1
            assert response.status_code < 500, f"{persona} GET {url} {params!r}"
            if accepts_post:
                response = client.post(url, {**base, **data})
                sent += 1
                assert response.status_code < 500, f"{persona} POST {url} {data!r}"

        fuzz()

    for persona in PERSONAS:
        fuzz_as(persona, _client(users.get(persona)))
    STATS["requests"] += sent
    STATS["seconds"] += time.monotonic() - start


def test_the_fuzzer_reads_the_parameters_of_the_views(admin_user, jiaonan, record_names):
    """The discovery finds what the views read: filters, form fields, ids by hand."""
    by_name = {n: (r, p) for n, r, p in ALL}

    def names(view):
        route, pattern = by_name[view]
        cls = view_class(pattern)
        pk = make_in_street(cls.model, jiaonan).pk if takes_pk(route) else None
        _DISCOVERED.pop(view, None)
        return discover(view, build_url(route, pk), cls, admin_user, record_names)

    assert {"as_of", "q", "community", "band", "coverage"} <= set(names("enterprises:list")[0])
    assert {"date_from", "date_to", "user"} <= set(names("accounts:audit_changes")[0])
    assert "enterprise" in names("enterprises:organization_create")[0]
    assert {"q", "formation", "level", "state"} <= set(names("enterprises:organization_list")[0])
    assert {"name", "uscc", "version", "opened_at"} <= set(names("enterprises:edit")[1])
    assert {"area", "next"} <= set(names("accounts:viewing_area")[1])


@pytest.fixture(scope="module", autouse=True)
def _report_volume(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if STATS["requests"] and reporter and capture:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nfuzz: {STATS['requests']} requests in {STATS['seconds']:.1f} s "
                f"({PROFILE.max_examples} random examples per view and persona)"
            )

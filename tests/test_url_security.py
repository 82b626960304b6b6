"""Walk every URL pattern of the project: it picks up new views automatically.

- anonymous: redirect to the login page (or 403), never data;
- a stranger from another street: 404 for any object outside their area (403 where the
  whole page is closed to their role);
- a leader: 403 for every write view (and every POST that is not on the allow-list).

A view that shows an object (``<int:pk>``) must name its model (``model = …``), and
``tests.factories.make_in_street`` must know how to make one: otherwise this test fails.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.permissions import AdminRequiredMixin, EditorRequiredMixin
from tests.factories import make_in_street

# URLs that anyone may open, or that every signed-in user may post to (their own session).
PUBLIC = {"accounts:login", "set_language"}
SELF_SERVICE_POSTS = {"accounts:logout", "accounts:password_change", "accounts:viewing_area"}
SKIP_PREFIXES = ("django-admin/", "static/", "__debug__/")


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            full_ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else ns
            yield from _walk(p.url_patterns, prefix + str(p.pattern), full_ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            if route.startswith(SKIP_PREFIXES) or not p.name:
                continue
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield name, route, p


ALL = sorted(_walk(get_resolver().url_patterns), key=lambda x: x[0])


def view_class(pattern):
    return getattr(pattern.callback, "view_class", None)


def is_write_view(pattern):
    cls = view_class(pattern)
    return bool(cls and issubclass(cls, EditorRequiredMixin | AdminRequiredMixin))


def build_url(route, pk=None, extra=None):
    """Fill a route's converters: pk from the object, other kwargs from ``extra``."""
    import re

    def repl(match):
        name = match.group(2)
        if name == "pk":
            return str(pk)
        return str((extra or {}).get(name, "1"))

    url = re.sub(r"<(?:(\w+):)?(\w+)>", repl, route)
    return "/" + url.replace("^", "").replace("$", "")


def takes_pk(route):
    return "<int:pk>" in route or "<pk>" in route


def test_the_walk_finds_the_project_urls():
    names = {name for name, _, _ in ALL}
    assert {"home", "accounts:login", "accounts:user_edit"} <= names


@pytest.mark.parametrize("name, route, pattern", ALL, ids=[a[0] for a in ALL])
def test_anonymous_gets_no_data(client, areas, jiaonan, name, route, pattern):
    if name in PUBLIC:
        return
    pk = None
    if takes_pk(route):
        pk = make_in_street(view_class(pattern).model, jiaonan).pk
    url = build_url(route, pk)
    for method in (client.get, client.post):
        response = method(url)
        # 405: a POST-only view refuses a GET before anything else.
        assert response.status_code in (302, 403, 405), f"{method.__name__} {url}"
        if response.status_code == 302:
            assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize(
    "name, route, pattern",
    [a for a in ALL if takes_pk(a[1])],
    ids=[a[0] for a in ALL if takes_pk(a[1])],
)
def test_stranger_gets_404_for_objects_of_another_street(
    stranger_client, staff, jiaonan, name, route, pattern
):
    cls = view_class(pattern)
    assert cls is not None and getattr(cls, "model", None), f"{name}: object view must set model"
    obj = make_in_street(cls.model, jiaonan)
    url = build_url(route, obj.pk)
    expected = (403, 404) if issubclass(cls, AdminRequiredMixin) else (404,)
    methods = [stranger_client.get] + ([stranger_client.post] if hasattr(cls, "post") else [])
    for method in methods:
        response = method(url)
        assert response.status_code in expected, f"{method.__name__} {url}: {response.status_code}"


WRITES = [a for a in ALL if is_write_view(a[2])]


@pytest.mark.parametrize("name, route, pattern", WRITES, ids=[a[0] for a in WRITES])
def test_leader_gets_403_for_every_write(leader_client, jiaonan, name, route, pattern):
    pk = make_in_street(view_class(pattern).model, jiaonan).pk if takes_pk(route) else None
    url = build_url(route, pk)
    assert leader_client.get(url).status_code == 403
    assert leader_client.post(url).status_code == 403


@pytest.mark.parametrize("name, route, pattern", ALL, ids=[a[0] for a in ALL])
def test_every_view_that_accepts_posts_is_guarded(name, route, pattern):
    """A view that takes POST must be an editor/admin view or on the self-service list."""
    cls = view_class(pattern)
    if name in PUBLIC | SELF_SERVICE_POSTS:
        return
    accepts_post = (
        hasattr(cls, "post") if cls else "post" in getattr(pattern.callback, "__name__", "")
    )
    if accepts_post:
        assert is_write_view(pattern), f"{name} accepts POST but is not an editor/admin view"

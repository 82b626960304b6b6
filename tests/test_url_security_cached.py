"""The URL walk of tests/test_url_security.py again, with a real cache (Redis under
.ci/run, else local memory) and two personas interleaved on every page: another street,
another role, another language. Each persona must get exactly the page it gets from an
empty cache, whoever viewed the page before: a cached body, badge or area switch whose key
forgets the scope, the role or the language is served to the wrong persona and fails here.
"""

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import make_in_street

from .test_url_security import ALL, PUBLIC, build_url, takes_pk, view_class

PAGES = [a for a in ALL if a[0] not in PUBLIC]


def client_for(user, language=None):
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def seen(client, url):
    """What a persona sees: the status and the page, without its per-request tokens."""
    response = client.get(url)
    kind = response.get("Content-Type", "")
    if response.status_code == 302:
        return response.status_code, response.url
    if not kind.startswith(("text/html", "application/json")):
        return response.status_code, kind  # a file (export): made per request, not cached
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    body = re.sub(r'name="opened_at" value="[^"]+"', "", body)  # an edit form's time
    return response.status_code, body


@pytest.mark.parametrize("name, route, pattern", PAGES, ids=[a[0] for a in PAGES])
def test_no_persona_sees_anothers_cached_page(
    real_cache, staff, stranger, leader, jiaonan, name, route, pattern
):
    pk = make_in_street(view_class(pattern).model, jiaonan).pk if takes_pk(route) else None
    url = build_url(route, pk)
    a = client_for(staff)
    others = {
        "street": client_for(stranger),
        "role": client_for(leader),
        "language": client_for(staff, "en"),
    }
    for pair, b in others.items():
        real_cache.clear()
        a_fresh = seen(a, url)
        b_after_a = seen(b, url)
        real_cache.clear()
        b_fresh = seen(b, url)
        a_after_b = seen(a, url)
        assert b_after_a == b_fresh, f"{pair}: {url} served persona A's page to B"
        assert a_after_b == a_fresh, f"{pair}: {url} served persona B's page to A"

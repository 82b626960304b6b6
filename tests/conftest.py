"""Personas: an admin; staff and a leader of 胶南街道; staff of 红石崖街道 (the stranger)."""

import os

import pytest

from accounts.models import User
from areas.models import Area

from .factories import AreaFactory, CommunityFactory, StreetFactory, UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture
def district(db):
    return AreaFactory(name="西海岸新区")


@pytest.fixture
def jiaonan(district):
    return StreetFactory(name="胶南街道", parent=district)


@pytest.fixture
def hongshiya(district):
    return StreetFactory(name="红石崖街道", parent=district)


@pytest.fixture
def shuicheng(jiaonan):
    return CommunityFactory(name="水城路社区", parent=jiaonan)


@pytest.fixture
def zhushan(jiaonan):
    return CommunityFactory(name="珠山路社区", parent=jiaonan)


@pytest.fixture
def fulai(hongshiya):
    return CommunityFactory(name="福莱社区", parent=hongshiya)


@pytest.fixture
def areas(shuicheng, zhushan, fulai):
    """The whole demo tree: district, two streets, three communities."""
    return Area.objects.all()


@pytest.fixture
def admin_user(areas, district):
    return UserFactory(username="admin", role=User.Role.ADMIN, area=district)


@pytest.fixture
def staff(areas, jiaonan):
    return UserFactory(username="jn_staff", role=User.Role.STAFF, area=jiaonan)


@pytest.fixture
def leader(areas, jiaonan):
    return UserFactory(username="jn_leader", role=User.Role.LEADER, area=jiaonan)


@pytest.fixture
def stranger(areas, hongshiya):
    return UserFactory(username="hsy_staff", role=User.Role.STAFF, area=hongshiya)


@pytest.fixture
def real_cache(settings):
    """A real cache, empty at the start and at the end: Redis when REDIS_URL is set (as
    under .ci/run, which requires it), else a local-memory cache."""
    from django.core.cache import cache

    settings.CACHES = settings.REAL_CACHES
    cache.clear()
    yield cache
    cache.clear()


def _client_for(client_class, user):
    c = client_class()
    c.force_login(user)
    return c


@pytest.fixture
def admin_client(admin_user):
    from django.test import Client

    return _client_for(Client, admin_user)


@pytest.fixture
def staff_client(staff):
    from django.test import Client

    return _client_for(Client, staff)


@pytest.fixture
def leader_client(leader):
    from django.test import Client

    return _client_for(Client, leader)


@pytest.fixture
def stranger_client(stranger):
    from django.test import Client

    return _client_for(Client, stranger)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under .ci/run (REQUIRE_ALL_TESTS=1) a skip for a missing tool is a failure.

    The one allowed skip is a test that runs in the other database pass of the same CI
    run; its reason starts with "runs in the " (see ``tests.markers``).
    """
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("REQUIRE_ALL_TESTS") and report.skipped and not hasattr(report, "wasxfail"):
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
        if not reason.startswith("Skipped: runs in the "):
            report.outcome = "failed"
            report.longrepr = f"Skipped under .ci/run, where every test must run: {reason}"


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploaded files (attachments) go to a temporary directory, never to var/media."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True)
def _stored_state_is_kept(request):
    """After every test that used the database, the stored state of the "1" equals the
    rules (``rebuild_state --check``): whatever the test wrote, through whichever path,
    kept it (enterprises/state.py)."""
    names = set(request.fixturenames)
    uses_db = request.node.get_closest_marker("django_db") is not None
    for name in ("transactional_db", "db"):
        if name in names:
            request.getfixturevalue(name)  # set up before this fixture, torn down after it
            uses_db = True
            break
    yield
    if not uses_db:
        return
    from django.db import connection

    if connection.in_atomic_block and connection.needs_rollback:
        return  # the test ended inside a failed transaction: nothing can be read
    from enterprises import state

    drifts = state.rebuild(check=True).drifts
    assert not drifts, f"stored state drifted: {drifts[:3]}"

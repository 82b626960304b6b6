"""Cached figures are never stale: every committed change moves the data version."""

import pytest

from audit import version
from enterprises import alerts
from tests.factories import EnterpriseFactory, MembershipReturnFactory


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_moves_the_version(shuicheng):
    before = version.current()
    EnterpriseFactory(community=shuicheng)
    assert version.current() == before + 1


@pytest.mark.django_db(transaction=True)
def test_one_bump_per_transaction(shuicheng):
    from django.db import transaction

    before = version.current()
    with transaction.atomic():
        EnterpriseFactory(community=shuicheng)
        EnterpriseFactory(community=shuicheng)
    assert version.current() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_does_not(shuicheng):
    from django.db import transaction

    before = version.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        EnterpriseFactory(community=shuicheng)
        raise RuntimeError
    assert version.current() == before


@pytest.mark.django_db(transaction=True)
def test_bulk_and_queryset_writes_move_it(shuicheng):
    from enterprises.models import Enterprise

    e = EnterpriseFactory(community=shuicheng)
    before = version.current()
    Enterprise.objects.filter(pk=e.pk).update(employees=5)
    assert version.current() == before + 1
    e.employees = 6
    Enterprise.objects.bulk_update([e], ["employees"])
    assert version.current() == before + 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("real_cache")
def test_cached_alert_badge_is_never_stale(staff, shuicheng):
    from django.core.cache import cache

    cache.clear()
    assert alerts.total(staff) == 0
    enterprise = EnterpriseFactory(community=shuicheng)
    MembershipReturnFactory(enterprise=enterprise, formal=4)  # 应建未建 fires
    assert alerts.total(staff) == alerts.BY_KEY["should_form"].count(staff) + sum(
        a.count(staff) for a in alerts.ALERTS if a.key != "should_form"
    )
    assert alerts.total(staff) >= 1
    first = alerts.total(staff)
    enterprise.archived_at = enterprise.created_at
    enterprise.save()
    assert alerts.total(staff) < first


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("real_cache")
def test_cached_value_is_reused_while_nothing_changes(staff, shuicheng):
    from django.core.cache import cache

    cache.clear()
    calls = []

    def compute():
        calls.append(1)
        return 42

    assert version.cached("k", compute) == 42
    assert version.cached("k", compute) == 42
    assert len(calls) == 1
    EnterpriseFactory(community=shuicheng)
    version.cached("k", compute)
    assert len(calls) == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("real_cache")
def test_cached_enterprise_list_is_never_stale(staff, shuicheng):
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    client = Client()
    client.force_login(staff)
    EnterpriseFactory(community=shuicheng, name="甲")
    params = {"coverage": "uncovered"}
    first = client.get("/enterprises/", params).context["page_obj"]
    assert first.paginator.count == 1
    EnterpriseFactory(community=shuicheng, name="乙")
    second = client.get("/enterprises/", params).context["page_obj"]
    assert second.paginator.count == 2
    assert {e.name for e in second.object_list} == {"甲", "乙"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("real_cache")
def test_cached_list_is_per_scope(staff, stranger, shuicheng, fulai):
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    EnterpriseFactory(community=shuicheng)
    mine, theirs = Client(), Client()
    mine.force_login(staff)
    theirs.force_login(stranger)
    assert mine.get("/enterprises/").context["page_obj"].paginator.count == 1
    assert theirs.get("/enterprises/").context["page_obj"].paginator.count == 0


@pytest.mark.django_db(transaction=True)
def test_read_once_queries_the_version_once_and_forgets_it_after_a_bump(
    shuicheng, django_assert_num_queries
):
    with version.read_once():
        with django_assert_num_queries(1):
            first = version.current()
            assert version.current() == first
        EnterpriseFactory(community=shuicheng)  # commits, so the version moves
        with django_assert_num_queries(1):
            assert version.current() == first + 1
    with django_assert_num_queries(2):  # outside the block every read queries
        version.current()
        version.current()

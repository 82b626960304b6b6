"""``Area.district``: the district above a street or a community, kept by ``save()``, and
the scoping that reads it (one condition on one table instead of two levels of parent)."""

import pytest

from areas.models import Area
from enterprises.models import Enterprise
from tests.factories import AreaFactory, CommunityFactory, EnterpriseFactory, StreetFactory

pytestmark = pytest.mark.django_db


def test_streets_and_communities_know_their_district_and_a_district_has_none():
    community = CommunityFactory()
    street = community.parent
    district = street.parent
    assert district.district_id is None
    assert street.district_id == district.pk
    assert community.district_id == district.pk


def test_a_street_moved_to_another_district_takes_its_communities_along():
    community = CommunityFactory()
    street = community.parent
    other = AreaFactory(name="另一新区")
    street.parent = other
    street.save()
    community.refresh_from_db()
    assert community.district_id == other.pk
    assert set(Area.objects.within(other)) == {other, street, community}


def test_a_community_moved_to_another_street_follows_that_streets_district():
    community = CommunityFactory()
    elsewhere = StreetFactory(parent=AreaFactory(name="另一新区"))
    community.parent = elsewhere
    community.save(update_fields=["parent"])
    community.refresh_from_db()
    assert community.district_id == elsewhere.parent_id


def test_within_and_for_user_reach_every_level_below_a_district():
    community = CommunityFactory()
    street, district = community.parent, community.parent.parent
    stranger = CommunityFactory()
    assert set(Area.objects.within(district)) == {district, street, community}
    mine = EnterpriseFactory(community=community)
    EnterpriseFactory(community=stranger)
    assert list(Enterprise.objects.in_area(district)) == [mine]
    assert list(Enterprise.objects.in_area(street)) == [mine]


def test_the_migration_fills_the_district_of_existing_areas():
    from importlib import import_module

    from django.apps import apps

    community = CommunityFactory()
    Area.objects.filter(pk__in=[community.pk, community.parent_id]).update(district=None)
    import_module("areas.migrations.0002_district").fill_district(apps, None)
    community.refresh_from_db()
    assert community.district_id == community.parent.parent_id
    assert Area.objects.get(pk=community.parent_id).district_id == community.parent.parent_id

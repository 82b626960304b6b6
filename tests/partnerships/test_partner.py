"""``Partner``, the counterpart of 线 and 面: scoped by its area at any level (the
non-community branch of ``areas.scoping.subtree_q``), one name per area, audited."""

import pytest
from django.db import IntegrityError, transaction

from audit.models import Change
from partnerships.models import Partner
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_a_partner_is_seen_within_its_area_at_every_level(
    district, jiaonan, shuicheng, fulai, staff, stranger, admin_user
):
    of_district = PartnerFactory(area=district)
    of_street = PartnerFactory(area=jiaonan)
    of_community = PartnerFactory(area=shuicheng)
    elsewhere = PartnerFactory(area=fulai)
    assert set(Partner.objects.in_area(district)) == {
        of_district,
        of_street,
        of_community,
        elsewhere,
    }
    assert set(Partner.objects.for_user(staff)) == {of_street, of_community}
    assert set(Partner.objects.for_user(stranger)) == {elsewhere}
    assert set(Partner.objects.in_area(shuicheng)) == {of_community}
    assert Partner.objects.for_user(admin_user).count() == 4


def test_a_name_is_unique_within_an_area_only(jiaonan, fulai):
    PartnerFactory(name="青岛大学", area=jiaonan)
    PartnerFactory(name="青岛大学", area=fulai)
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(name="青岛大学", area=jiaonan, kind=Partner.Kind.UNIVERSITY)


def test_saving_a_partner_is_recorded_in_the_audit_trail(jiaonan):
    partner = PartnerFactory(area=jiaonan, contact_name="")
    partner.contact_name = "李老师"
    partner.save()
    changes = Change.objects.filter(
        content_type__model="partner", object_pk=str(partner.pk)
    ).order_by("pk")
    assert changes.count() == 2
    assert changes.last().changes["contact_name"] == ["", "李老师"]

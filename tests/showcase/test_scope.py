"""``for_user`` on every 点 model (and attachments): a street's records are seen by its
staff and leaders and by admins, never by a stranger from another street."""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from core.models import Attachment
from showcase.models import Rating, Rubric, RubricDimension, RubricIndicator, RubricVeto, SiteBatch
from tests.factories import (
    DemonstrationSiteFactory,
    EnterpriseFactory,
    PartyOrganizationFactory,
    RatingFactory,
    SiteBatchFactory,
    UserFactory,
    attachment_on,
    make_in_street,
)

pytestmark = pytest.mark.django_db

SHOWCASE = list(apps.get_app_config("showcase").get_models())
REFERENCE = {Rubric, RubricDimension, RubricIndicator, RubricVeto}


def test_every_model_is_covered():
    assert len(SHOWCASE) == 23


@pytest.mark.parametrize("model", [*SHOWCASE, Attachment], ids=lambda m: m.__name__)
def test_for_user(model, jiaonan, staff, leader, stranger, admin_user):
    obj = make_in_street(model, jiaonan)
    visible = model.objects.filter(pk=obj.pk)
    assert model.objects.for_user(staff).filter(pk=obj.pk).exists()
    assert model.objects.for_user(leader).filter(pk=obj.pk).exists()
    assert model.objects.for_user(admin_user).filter(pk=obj.pk).exists()
    assert not model.objects.for_user(AnonymousUser()).exists()
    seen_by_stranger = model.objects.for_user(stranger).filter(pk=obj.pk).exists()
    # Rubrics are the published standard: everyone signed in reads them.
    assert seen_by_stranger is (model in REFERENCE)
    assert visible.exists()


def test_a_community_user_sees_only_their_community(shuicheng, zhushan):
    user = UserFactory(area=shuicheng, role=User.Role.STAFF)
    mine = DemonstrationSiteFactory(enterprise=EnterpriseFactory(community=shuicheng))
    theirs = DemonstrationSiteFactory(enterprise=EnterpriseFactory(community=zhushan))
    sites = type(mine).objects.for_user(user)
    assert mine in sites and theirs not in sites


def test_batches_of_the_offices_above_are_visible_below(district, jiaonan, hongshiya, shuicheng):
    district_batch = SiteBatchFactory(area=district)
    street_batch = SiteBatchFactory(area=jiaonan)
    SiteBatchFactory(area=hongshiya)
    community_user = UserFactory(area=shuicheng)
    assert set(SiteBatch.objects.for_user(community_user)) == {district_batch, street_batch}
    street_user = UserFactory(area=jiaonan)
    assert set(SiteBatch.objects.for_user(street_user)) == {district_batch, street_batch}


def test_a_rating_of_an_organisation_is_scoped_by_the_organisation(jiaonan, hongshiya, fulai):
    rating = RatingFactory(site=None, organization=PartyOrganizationFactory(area=fulai))
    assert rating in Rating.objects.for_user(UserFactory(area=hongshiya))
    assert rating not in Rating.objects.for_user(UserFactory(area=jiaonan))


def test_an_attachment_follows_its_owner(shuicheng, fulai, staff, stranger):
    mine = attachment_on(
        DemonstrationSiteFactory(enterprise=EnterpriseFactory(community=shuicheng))
    )
    theirs = attachment_on(EnterpriseFactory(community=fulai))
    assert list(Attachment.objects.for_user(staff)) == [mine]
    assert list(Attachment.objects.for_user(stranger)) == [theirs]

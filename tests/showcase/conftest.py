"""Helpers for 点: enterprises covered by an organisation, sites named on a day."""

import datetime as dt

import pytest

from showcase import services
from showcase.models import SiteStatus
from tests.factories import (
    LONG_AGO,
    CoverageFactory,
    DemonstrationSiteFactory,
    EnterpriseFactory,
    PartyOrganizationFactory,
)

DAY = dt.timedelta(days=1)


def covered_enterprise(community, since=LONG_AGO, until=None, **fields):
    """An enterprise covered by a standalone organisation from ``since`` (until ``until``)."""
    enterprise = EnterpriseFactory(community=community, **fields)
    organization = PartyOrganizationFactory(area=community, established_on=since)
    CoverageFactory(enterprise=enterprise, organization=organization, since=since, until=until)
    return enterprise


def named_site(community, named_on=dt.date(2022, 6, 1), since=LONG_AGO, **fields):
    site = DemonstrationSiteFactory(enterprise=covered_enterprise(community), since=since, **fields)
    return services.site_name(site=site, on=named_on, reason="首批命名")


@pytest.fixture
def branch(shuicheng):
    return PartyOrganizationFactory(area=shuicheng, name="第一党支部")


from .world import data  # noqa: E402  (the shared data set fixture)

__all__ = ["DAY", "SiteStatus", "covered_enterprise", "data", "named_site"]

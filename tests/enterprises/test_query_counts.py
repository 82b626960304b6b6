"""The organisation, liaison, transfer and alert pages cost a constant number of queries:
it does not grow with the rows on a list or the records attached to one."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises import alerts
from enterprises.models import PartyOrganization
from tests.factories import (
    CoverageFactory,
    EnterpriseFactory,
    LiaisonAssignmentFactory,
    LiaisonFactory,
    MembershipReturnFactory,
    MembershipTransferFactory,
    PartyOrganizationFactory,
)

# Includes the page shell (~8) and the alert badge (6 counts: tests use a dummy cache).
LIST_BUDGET = 25
DETAIL_BUDGET = 25
LONG_AGO = timezone.localdate() - dt.timedelta(days=400)


def populate(community, n):
    """``n`` enterprises, each with an organisation, a liaison, a return and an overdue
    transfer; every other one without an organisation and with 3 members (应建未建)."""
    for i in range(n):
        enterprise = EnterpriseFactory(community=community)
        LiaisonAssignmentFactory(enterprise=enterprise)
        if i % 2:
            MembershipReturnFactory(enterprise=enterprise, formal=3)
            continue
        coverage = CoverageFactory(enterprise=enterprise, organization__established_on=LONG_AGO)
        MembershipReturnFactory(enterprise=enterprise, formal=1)
        MembershipTransferFactory(
            enterprise=enterprise, to_organization=coverage.organization, started_on=LONG_AGO
        )


LISTS = [
    ("enterprises:organization_list", {}),
    ("enterprises:liaison_list", {}),
    ("enterprises:transfer_list", {}),
    ("enterprises:alert_index", {}),
    *(("enterprises:alert_list", {"key": alert.key}) for alert in alerts.ALERTS),
]


@pytest.mark.parametrize("name, kwargs", LISTS, ids=[f"{n}{k}" for n, k in LISTS])
def test_list_pages_cost_the_same_queries_at_any_size(
    staff_client, shuicheng, django_assert_max_num_queries, name, kwargs
):
    url = reverse(name, kwargs=kwargs)
    populate(shuicheng, 2)
    with django_assert_max_num_queries(LIST_BUDGET) as small:
        assert staff_client.get(url).status_code == 200
    populate(shuicheng, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert staff_client.get(url).status_code == 200


def test_the_lists_do_show_the_added_rows(staff_client, shuicheng):
    # Guards the test above: its second request must really render more rows.
    populate(shuicheng, 14)
    pages = {
        "enterprises:organization_list": "测试党支部",
        "enterprises:liaison_list": "专员",
        "enterprises:transfer_list": "党员",
    }
    for name, text in pages.items():
        assert staff_client.get(reverse(name)).content.decode().count(text) >= 7, name
    should_form = reverse("enterprises:alert_list", kwargs={"key": "should_form"})
    assert staff_client.get(should_form).context["page_obj"].paginator.count == 7


def test_organization_page_does_not_grow_with_the_units_it_covers(
    staff_client, shuicheng, django_assert_max_num_queries
):
    def joint(units):
        org = PartyOrganizationFactory(area=shuicheng, formation=PartyOrganization.Formation.JOINT)
        for _ in range(units):
            CoverageFactory(organization=org, enterprise=EnterpriseFactory(community=shuicheng))
            MembershipTransferFactory(to_organization=org)
        return org

    small, big = joint(1), joint(5)
    with django_assert_max_num_queries(DETAIL_BUDGET) as first:
        staff_client.get(small.get_absolute_url())
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = staff_client.get(big.get_absolute_url())
    assert response.content.decode().count("青岛测试企业") >= 5


def test_liaison_page_does_not_grow_with_its_enterprises(
    staff_client, shuicheng, jiaonan, django_assert_max_num_queries
):
    def liaison(enterprises):
        person = LiaisonFactory(area=jiaonan)
        for _ in range(enterprises):
            LiaisonAssignmentFactory(
                liaison=person, enterprise=EnterpriseFactory(community=shuicheng)
            )
        return person

    small, big = liaison(1), liaison(8)
    with django_assert_max_num_queries(DETAIL_BUDGET) as first:
        staff_client.get(reverse("enterprises:liaison_detail", args=[small.pk]))
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = staff_client.get(reverse("enterprises:liaison_detail", args=[big.pk]))
    assert response.content.decode().count("青岛测试企业") >= 8


def test_transfer_page_is_within_budget(staff_client, shuicheng, django_assert_max_num_queries):
    org = PartyOrganizationFactory(area=shuicheng)
    transfer = MembershipTransferFactory(
        to_organization=org, enterprise=EnterpriseFactory(community=shuicheng)
    )
    with django_assert_max_num_queries(DETAIL_BUDGET):
        assert staff_client.get(transfer.get_absolute_url()).status_code == 200

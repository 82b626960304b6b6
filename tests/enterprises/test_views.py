"""The staff pages of the "1", as a person uses them."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises import uscc
from enterprises.models import Coverage, Enterprise, MembershipReturn, PartyOrganization
from tests.factories import (
    CoverageFactory,
    EnterpriseFactory,
    LiaisonAssignmentFactory,
    MembershipReturnFactory,
    MembershipTransferFactory,
    PartyOrganizationFactory,
)

TODAY = timezone.localdate()
VALID = uscc.make("91370211MA3C00001")


def enterprise_data(community, **overrides):
    data = {
        "name": "青岛示范机械有限公司",
        "uscc": VALID,
        "community": community.pk,
        "address": "胶南街道珠山路1号",
        "industry": "C",
        "industry_chain": "",
        "ownership": "private",
        "size": "small",
        "employees": "120",
        "contact_name": "王经理",
        "contact_phone": "13800000000",
        "tracked_since": "2024-01-01",
        "status": "operating",
        "status_date": "",
    }
    data.update(overrides)
    return data


def organization_data(community, **overrides):
    data = {
        "name": "测试党支部",
        "level": "branch",
        "formation": "standalone",
        "parent": "",
        "area": community.pk,
        "secretary": "",
        "established_on": "2024-01-01",
        "last_election_on": "",
        "dissolved_on": "",
        "notes": "",
        "enterprises": "",
    }
    data.update(overrides)
    return data


def return_data(**overrides):
    data = {
        "reported_on": TODAY.isoformat(),
        "formal": "0",
        "probationary": "0",
        "development_targets": "0",
        "activists": "0",
        "applicants": "0",
        "employees": "",
    }
    data.update(overrides)
    return data


def text(response):
    return response.content.decode()


# ---------------------------------------------------------------------------
# The journey


def test_staff_journey_from_bad_uscc_to_covered(staff_client, stranger_client, shuicheng):
    # 1. A bad USCC gets a precise message, and nothing is saved.
    bad = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    response = staff_client.post(
        reverse("enterprises:create"), enterprise_data(shuicheng, uscc=bad)
    )
    assert response.status_code == 200
    assert "校验码（第 18 位）不正确" in text(response)
    assert f"应为 {VALID[17]}" in text(response)
    assert not Enterprise.objects.exists()

    # 2. Fixed (typed with spaces and in lower case: normalised), it saves.
    typed = " ".join([VALID[:6], VALID[6:12].lower(), VALID[12:]])
    response = staff_client.post(
        reverse("enterprises:create"), enterprise_data(shuicheng, uscc=typed)
    )
    assert response.status_code == 302
    enterprise = Enterprise.objects.get()
    assert enterprise.uscc == VALID

    # 3. A return of 3 formal members raises the 应建未建 alert.
    staff_client.post(
        reverse("enterprises:return_create", args=[enterprise.pk]),
        return_data(formal="3"),
    )
    page = staff_client.get(enterprise.get_absolute_url())
    assert "应建未建" in text(page)
    alert_page = staff_client.get(reverse("enterprises:alert_list", args=["should_form"]))
    assert enterprise.name in text(alert_page)
    assert enterprise.coverage_on(TODAY) == "uncovered"

    # 4. A standalone branch clears the alert and changes the coverage state.
    response = staff_client.post(
        reverse("enterprises:organization_create"),
        organization_data(
            shuicheng,
            name="青岛示范机械有限公司党支部",
            secretary="李书记",
            established_on=TODAY.isoformat(),
            enterprises=VALID,
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    assert enterprise.coverage_on(TODAY) == "standalone"
    alert_page = staff_client.get(reverse("enterprises:alert_list", args=["should_form"]))
    assert enterprise.name not in text(alert_page)
    assert "应建未建" not in text(staff_client.get(enterprise.get_absolute_url()))

    # 5. A user of 红石崖街道 cannot open it.
    assert stranger_client.get(enterprise.get_absolute_url()).status_code == 404


# ---------------------------------------------------------------------------
# USCC messages and duplicates


@pytest.mark.parametrize(
    "code, message",
    [
        ("91370211MA3C0000", "应为 18 位，当前为 16 位"),
        ("91370211MA3C0000I" + "1", "第 17 位的字符\u201cI\u201d不允许"),
    ],
)
def test_uscc_messages_say_what_is_wrong(staff_client, shuicheng, code, message):
    response = staff_client.post(
        reverse("enterprises:create"), enterprise_data(shuicheng, uscc=code)
    )
    body = text(response).replace("&quot;", "\u201c")
    assert re.sub(r"[\u201c\u201d\"]", "\u201c", message).replace("\u201c", "") in re.sub(
        r"[\u201c\u201d\"]", "", body
    )


def test_full_width_uscc_is_normalised(staff_client, shuicheng):
    full_width = VALID.translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"}
    )
    response = staff_client.post(
        reverse("enterprises:create"), enterprise_data(shuicheng, uscc=full_width)
    )
    assert response.status_code == 302
    assert Enterprise.objects.get().uscc == VALID


def test_duplicate_uscc_links_to_the_visible_record(staff_client, shuicheng):
    existing = EnterpriseFactory(community=shuicheng, uscc=VALID)
    response = staff_client.post(
        reverse("enterprises:create"), enterprise_data(shuicheng, name="另一家")
    )
    assert f'href="{existing.get_absolute_url()}"' in text(response)
    assert Enterprise.objects.count() == 1


def test_duplicate_uscc_outside_scope_does_not_leak(stranger_client, shuicheng, fulai):
    existing = EnterpriseFactory(community=shuicheng, uscc=VALID, name="胶南秘密企业")
    response = stranger_client.post(
        reverse("enterprises:create"), enterprise_data(fulai, name="另一家")
    )
    body = text(response)
    assert "已在其他区域登记" in body
    assert existing.name not in body and existing.get_absolute_url() not in body


def test_staff_cannot_put_an_enterprise_in_another_street(staff_client, fulai):
    response = staff_client.post(reverse("enterprises:create"), enterprise_data(fulai))
    assert response.status_code == 200
    assert "community" in response.context["form"].errors
    assert not Enterprise.objects.exists()


def test_closing_needs_a_date(staff_client, shuicheng):
    response = staff_client.post(
        reverse("enterprises:create"), enterprise_data(shuicheng, status="deregistered")
    )
    assert "请填写状态变更日期" in text(response)


# ---------------------------------------------------------------------------
# Leaders read, never write


def test_leader_sees_pages_without_edit_buttons(leader_client, shuicheng):
    enterprise = EnterpriseFactory(community=shuicheng)
    body = text(leader_client.get(enterprise.get_absolute_url()))
    assert enterprise.name in body
    for url in (
        reverse("enterprises:edit", args=[enterprise.pk]),
        reverse("enterprises:archive", args=[enterprise.pk]),
        reverse("enterprises:return_create", args=[enterprise.pk]),
    ):
        assert url not in body
    assert reverse("enterprises:create") not in text(leader_client.get(reverse("enterprises:list")))


def test_leader_forced_edit_is_refused(leader_client, shuicheng):
    enterprise = EnterpriseFactory(community=shuicheng, name="原名")
    response = leader_client.post(
        reverse("enterprises:edit", args=[enterprise.pk]), enterprise_data(shuicheng, name="改名")
    )
    assert response.status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.name == "原名"


# ---------------------------------------------------------------------------
# List: filters, search, sorting, pagination, query counts


def _names(response):
    return [e.name for e in response.context["object_list"]]


def test_chinese_substring_search_on_name_and_uscc(staff_client, shuicheng):
    EnterpriseFactory(community=shuicheng, name="青岛海容商用冷链股份有限公司")
    EnterpriseFactory(community=shuicheng, name="青岛华天车辆有限公司")
    response = staff_client.get(reverse("enterprises:list"), {"q": "冷链股"})
    assert _names(response) == ["青岛海容商用冷链股份有限公司"]
    target = EnterpriseFactory(community=shuicheng, name="按代码找")
    response = staff_client.get(reverse("enterprises:list"), {"q": target.uscc[-7:].lower()})
    assert _names(response) == ["按代码找"]


def test_coverage_and_band_filters(staff_client, shuicheng):
    covered = CoverageFactory(enterprise__community=shuicheng, enterprise__name="有支部").enterprise
    MembershipReturnFactory(enterprise=covered, formal=5)
    bare = EnterpriseFactory(community=shuicheng, name="无覆盖")
    MembershipReturnFactory(enterprise=bare, formal=1)
    url = reverse("enterprises:list")
    assert _names(staff_client.get(url, {"coverage": "standalone"})) == ["有支部"]
    assert _names(staff_client.get(url, {"coverage": "uncovered"})) == ["无覆盖"]
    assert _names(staff_client.get(url, {"band": "few"})) == ["无覆盖"]
    assert _names(staff_client.get(url, {"band": "many"})) == ["有支部"]


def test_as_of_changes_what_the_filters_see(staff_client, shuicheng):
    org = PartyOrganizationFactory(area=shuicheng, established_on=TODAY - dt.timedelta(days=30))
    CoverageFactory(organization=org, enterprise__community=shuicheng, enterprise__name="新建")
    url = reverse("enterprises:list")
    last_year = (TODAY - dt.timedelta(days=365)).isoformat()
    assert _names(staff_client.get(url, {"coverage": "standalone"})) == ["新建"]
    assert _names(staff_client.get(url, {"coverage": "standalone", "as_of": last_year})) == []


def test_liaison_and_status_filters(staff_client, shuicheng):
    LiaisonAssignmentFactory(enterprise__community=shuicheng, enterprise__name="有专员")
    EnterpriseFactory(community=shuicheng, name="已注销", status="deregistered", status_date=TODAY)
    url = reverse("enterprises:list")
    assert _names(staff_client.get(url, {"liaison": "1"})) == ["有专员"]
    assert _names(staff_client.get(url, {"status": "operating"})) == ["有专员"]
    assert _names(staff_client.get(url, {"status": "deregistered"})) == ["已注销"]


def test_sorting_and_pagination(staff_client, shuicheng):
    for i in range(55):
        EnterpriseFactory(community=shuicheng, name=f"企业{i:02d}", employees=i)
    url = reverse("enterprises:list")
    first = staff_client.get(url, {"sort": "-employees"})
    assert _names(first)[:2] == ["企业54", "企业53"]
    assert len(_names(first)) == 50
    second = staff_client.get(url, {"sort": "-employees", "page": 2})
    assert _names(second) == ["企业04", "企业03", "企业02", "企业01", "企业00"]


def test_invalid_filter_is_explained(staff_client, shuicheng):
    EnterpriseFactory(community=shuicheng)
    response = staff_client.get(reverse("enterprises:list"), {"as_of": "2024-13-45"})
    assert "部分筛选条件无效" in text(response)


def _populate(community, n):
    for _ in range(n):
        e = EnterpriseFactory(community=community)
        MembershipReturnFactory(enterprise=e, formal=2)
        CoverageFactory(enterprise=e)
        LiaisonAssignmentFactory(enterprise=e)


@pytest.mark.parametrize("params", [{}, {"coverage": "standalone", "band": "few", "q": "青岛"}])
def test_list_query_count_does_not_grow_with_rows(
    staff_client, shuicheng, django_assert_max_num_queries, params
):
    _populate(shuicheng, 3)
    # base page ~8 (session, user, area, area switch, savepoints), ordered ids + rows 2,
    # alert badge: data version + 6 counts (cached outside tests, where the whole body is)
    with django_assert_max_num_queries(23) as small:
        staff_client.get(reverse("enterprises:list"), params)
    _populate(shuicheng, 25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = staff_client.get(reverse("enterprises:list"), params)
    assert len(response.context["object_list"]) == 28


def test_detail_query_count_does_not_grow(staff_client, shuicheng, django_assert_max_num_queries):
    def make(n):
        e = EnterpriseFactory(community=shuicheng)
        for i in range(n):
            MembershipReturnFactory(enterprise=e, reported_on=TODAY - dt.timedelta(days=30 * i))
            CoverageFactory(enterprise=e, until=None if i == 0 else TODAY)
            LiaisonAssignmentFactory(enterprise=e)
            MembershipTransferFactory(enterprise=e, to_organization__area=shuicheng)
        return e

    small, big = make(1), make(8)
    with django_assert_max_num_queries(40) as first:
        staff_client.get(small.get_absolute_url())
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = staff_client.get(big.get_absolute_url())
    assert response.status_code == 200


# ---------------------------------------------------------------------------
# Archive, restore, concurrent edits


def test_archive_asks_for_confirmation_and_a_reason(staff_client, shuicheng):
    enterprise = EnterpriseFactory(community=shuicheng)
    url = reverse("enterprises:archive", args=[enterprise.pk])
    assert "归档仅用于误录" in text(staff_client.get(url))
    response = staff_client.post(url, {"reason": ""})
    assert response.status_code == 200
    enterprise.refresh_from_db()
    assert enterprise.archived_at is None
    staff_client.post(url, {"reason": "重复录入"})
    enterprise.refresh_from_db()
    assert enterprise.archived_at and enterprise.archive_reason == "重复录入"
    assert _names(staff_client.get(reverse("enterprises:list"))) == []
    staff_client.post(reverse("enterprises:restore", args=[enterprise.pk]))
    enterprise.refresh_from_db()
    assert enterprise.archived_at is None


def test_second_concurrent_save_is_refused_with_what_changed(staff_client, admin_client, shuicheng):
    enterprise = EnterpriseFactory(community=shuicheng, contact_phone="111")
    edit = reverse("enterprises:edit", args=[enterprise.pk])
    form_a = staff_client.get(edit).context["form"]
    form_b = admin_client.get(edit).context["form"]

    def post(client, form, **changes):
        data = enterprise_data(shuicheng, uscc=enterprise.uscc, name=enterprise.name)
        data.update(version=form["version"].value(), opened_at=form["opened_at"].value(), **changes)
        return client.post(edit, data)

    assert post(admin_client, form_b, contact_phone="222").status_code == 302
    response = post(staff_client, form_a, contact_phone="333")
    assert response.status_code == 200
    body = text(response)
    assert "其他人修改了这条记录" in body
    assert "111 → 222" in body
    enterprise.refresh_from_db()
    assert enterprise.contact_phone == "222"


# ---------------------------------------------------------------------------
# Organisations


def test_standalone_covering_two_enterprises_is_blocked(staff_client, shuicheng):
    a = EnterpriseFactory(community=shuicheng)
    b = EnterpriseFactory(community=shuicheng)
    response = staff_client.post(
        reverse("enterprises:organization_create"),
        organization_data(shuicheng, name="两家的支部", enterprises=f"{a.uscc}\n{b.uscc}"),
    )
    assert response.status_code == 200
    assert "单独组建的党组织只能覆盖一家企业" in text(response)
    assert not PartyOrganization.objects.exists()


def test_joint_branch_over_five_units_is_saved_with_a_warning(staff_client, shuicheng):
    codes = "\n".join(EnterpriseFactory(community=shuicheng).uscc for _ in range(6))
    response = staff_client.post(
        reverse("enterprises:organization_create"),
        organization_data(shuicheng, name="联合党支部", formation="joint", enterprises=codes),
        follow=True,
    )
    assert PartyOrganization.objects.get().coverages.count() == 6
    assert "一般覆盖不超过 5 个单位" in text(response)


def test_enterprise_lookup_does_not_reach_other_streets(staff_client, shuicheng, fulai):
    foreign = EnterpriseFactory(community=fulai)
    response = staff_client.post(
        reverse("enterprises:organization_create"),
        organization_data(shuicheng, name="x", enterprises=foreign.uscc),
    )
    assert "管辖范围内找不到" in text(response)
    assert not Coverage.objects.exists()


def test_ending_a_coverage_uncovers_from_that_day(staff_client, shuicheng):
    coverage = CoverageFactory(
        enterprise__community=shuicheng, since=TODAY - dt.timedelta(days=100)
    )
    staff_client.post(
        reverse("enterprises:coverage_end", args=[coverage.pk]),
        {"until": (TODAY - dt.timedelta(days=10)).isoformat()},
    )
    enterprise = coverage.enterprise
    assert enterprise.coverage_on(TODAY) == "uncovered"
    assert enterprise.coverage_on(TODAY - dt.timedelta(days=11)) == "standalone"


# ---------------------------------------------------------------------------
# Transfers and alerts


def test_transfer_list_shows_overdue_first(staff_client, shuicheng):
    org = PartyOrganizationFactory(area=shuicheng)
    MembershipTransferFactory(to_organization=org, member_name="新办", started_on=TODAY)
    MembershipTransferFactory(
        to_organization=org, member_name="超期", started_on=TODAY - dt.timedelta(days=60)
    )
    MembershipTransferFactory(
        to_organization=org,
        member_name="办结",
        status="completed",
        started_on=TODAY - dt.timedelta(days=90),
        completed_on=TODAY - dt.timedelta(days=80),
    )
    response = staff_client.get(reverse("enterprises:transfer_list"))
    assert [t.member_name for t in response.context["object_list"]] == ["超期", "新办", "办结"]


def test_navigation_shows_the_open_alert_count(staff_client, shuicheng):
    e = EnterpriseFactory(community=shuicheng)
    MembershipReturnFactory(enterprise=e, formal=4)
    body = text(staff_client.get(reverse("enterprises:alert_index")))
    badge = re.search(r'class="badge">(\d+)<', body)
    assert badge and int(badge.group(1)) >= 1


def test_unknown_alert_is_404(staff_client):
    assert staff_client.get(reverse("enterprises:alert_list", args=["nope"])).status_code == 404


def test_membership_return_on_the_same_day_is_explained(staff_client, shuicheng):
    e = EnterpriseFactory(community=shuicheng)
    MembershipReturnFactory(enterprise=e, reported_on=TODAY, formal=1)
    response = staff_client.post(
        reverse("enterprises:return_create", args=[e.pk]),
        return_data(formal="2"),
    )
    assert "当天已有党员情况记录" in text(response)
    assert MembershipReturn.objects.get(enterprise=e).formal == 1


def test_negative_member_count_is_refused(staff_client, shuicheng):
    e = EnterpriseFactory(community=shuicheng)
    response = staff_client.post(
        reverse("enterprises:return_create", args=[e.pk]),
        return_data(formal="-1"),
    )
    assert response.status_code == 200
    assert not MembershipReturn.objects.exists()

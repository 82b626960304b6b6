"""The kit's view contract (tests/contracts.py) for every 点 model with pages: list,
record page, create, edit (version-checked), end, export, stranger 404, leader 403, query
budgets.

Budgets: a page in the test suite costs 14 statements before its own (session, user,
area, data version, the area switch, and the navigation badge's alert counts, which the
dummy cache of the tests recomputes on every page: one per registered alert). The site,
topic and rating pages then read their sections (status history, 六有 and its evidence,
stars, topics, 传帮带, deeds, cases, attachments …) in a fixed number of statements,
whatever their number of rows (test_pages.py checks that with more rows)."""

from operator import attrgetter

from showcase.models import (
    DemonstrationSite,
    Mentoring,
    PioneerDeed,
    Rating,
    TaskTeam,
    TeachingCase,
    Topic,
)
from tests.contracts import ModelViewsContract
from tests.factories import (
    LONG_AGO,
    DemonstrationSiteFactory,
    EnterpriseFactory,
    MentoringFactory,
    PartyOrganizationFactory,
    PioneerDeedFactory,
    RatingFactory,
    SiteBatchFactory,
    TaskTeamFactory,
    TeachingCaseFactory,
    TopicFactory,
    published_rubric,
)

from .conftest import covered_enterprise


def enterprise(community):
    return EnterpriseFactory(community=community)


class TestSiteViews(ModelViewsContract):
    model = DemonstrationSite
    list_url = "showcase:site_list"
    detail_url = "showcase:site_detail"
    create_url = "showcase:site_create"
    update_url = "showcase:site_edit"
    export_kind = "sites"
    query_budget = 34

    def make(self, community):
        return DemonstrationSiteFactory(enterprise=covered_enterprise(community))

    def create_data(self, community):
        batch = SiteBatchFactory(area=community.parent)
        return {
            "enterprise": enterprise(community).uscc,
            "batch": batch.pk,
            "level": "street",
            "brand_name": "新建品牌",
            "slogan": "",
            "story": "",
            "review_cycle_years": "2",
            "since": "2025-01-06",
        }

    def update_data(self, obj):
        return {
            "batch": obj.batch_id,
            "level": "district",
            "brand_name": "改过的品牌",
            "slogan": obj.slogan,
            "story": "",
            "review_cycle_years": "3",
        }

    def changed(self, obj):
        return (obj.brand_name, obj.level, obj.review_cycle_years) == ("改过的品牌", "district", 3)


class TestTopicViews(ModelViewsContract):
    model = Topic
    list_url = "showcase:topic_list"
    detail_url = "showcase:topic_detail"
    create_url = "showcase:topic_create"
    update_url = "showcase:topic_edit"
    export_kind = "topics"
    query_budget = 30

    def make(self, community):
        return TopicFactory(enterprise=enterprise(community))

    def create_data(self, community):
        return {
            "enterprise": enterprise(community).uscc,
            "title": "提升挂件空间利用率",
            "problem": "空间利用率偏低",
            "expected_result": "",
            "target_value": "15",
            "target_unit": "%",
            "target_direction": "at_least",
            "posted_on": "2025-03-01",
            "due_on": "2025-12-31",
        }

    def update_data(self, obj):
        return {
            "title": "新标题",
            "problem": obj.problem,
            "expected_result": "",
            "target_value": "20",
            "target_unit": obj.target_unit,
            "target_direction": "at_most",
            "posted_on": obj.posted_on.isoformat(),
            "due_on": obj.due_on.isoformat(),
        }

    def changed(self, obj):
        return obj.title == "新标题" and obj.target_direction == "at_most"


class TestTeamViews(ModelViewsContract):
    model = TaskTeam
    list_url = "showcase:team_list"
    detail_url = "showcase:team_detail"
    create_url = "showcase:team_create"
    update_url = "showcase:team_edit"
    end_url = "showcase:team_end"
    end_field = "end"
    export_kind = "teams"

    def make(self, community):
        return TaskTeamFactory(
            enterprise=enterprise(community), branch=PartyOrganizationFactory(area=community)
        )

    def create_data(self, community):
        covered = covered_enterprise(community)
        return {
            "enterprise": covered.uscc,
            "name": "冷链攻坚小队",
            "branch": covered.coverages.get().organization_id,
            "leader_name": "郑晓斐",
            "members": "6",
            "start": "2024-05-01",
        }

    def update_data(self, obj):
        return {
            "name": obj.name,
            "branch": obj.branch_id,
            "leader_name": "新队长",
            "members": "8",
            "start": obj.start.isoformat(),
        }

    def changed(self, obj):
        return (obj.leader_name, obj.members) == ("新队长", 8)


class TestMentoringViews(ModelViewsContract):
    model = Mentoring
    list_url = "showcase:mentoring_list"
    detail_url = "showcase:mentoring_detail"
    create_url = "showcase:mentoring_create"
    update_url = "showcase:mentoring_edit"
    end_url = "showcase:mentoring_end"
    end_field = "end"
    export_kind = "mentorings"

    def make(self, community):
        site = DemonstrationSiteFactory(enterprise=enterprise(community))
        return MentoringFactory(site=site, mentee=enterprise(community), start=LONG_AGO)

    def create_data(self, community):
        site = DemonstrationSiteFactory(enterprise=enterprise(community))
        return {
            "site": site.pk,
            "mentee": enterprise(community).uscc,
            "content": "党建台账规范化",
            "start": "2024-03-01",
        }

    def update_data(self, obj):
        return {"content": "组织生活规范化", "start": obj.start.isoformat()}

    def changed(self, obj):
        return obj.content == "组织生活规范化"


class TestDeedViews(ModelViewsContract):
    model = PioneerDeed
    list_url = "showcase:deed_list"
    detail_url = "showcase:deed_detail"
    create_url = "showcase:deed_create"
    update_url = "showcase:deed_edit"
    export_kind = "deeds"
    shown = attrgetter("person_name")

    def make(self, community):
        return PioneerDeedFactory(enterprise=enterprise(community))

    def create_data(self, community):
        return {
            "enterprise": enterprise(community).uscc,
            "person_name": "郑晓斐",
            "title": "带队攻坚出口销售",
            "background": "背景",
            "measures": "举措",
            "results": "出口销售额创新高",
            "method": "",
            "recorded_on": "2025-04-01",
        }

    def update_data(self, obj):
        return {
            "person_name": obj.person_name,
            "title": "改过的事迹",
            "background": obj.background,
            "measures": obj.measures,
            "results": obj.results,
            "method": "可复制的做法",
            "recorded_on": obj.recorded_on.isoformat(),
        }

    def changed(self, obj):
        return obj.title == "改过的事迹" and obj.method == "可复制的做法"


class TestCaseViews(ModelViewsContract):
    model = TeachingCase
    list_url = "showcase:case_list"
    detail_url = "showcase:case_detail"
    create_url = "showcase:case_create"
    update_url = "showcase:case_edit"
    export_kind = "cases"

    def make(self, community):
        return TeachingCaseFactory(area=community)

    def create_data(self, community):
        return {
            "area": community.pk,
            "title": "水城路社区红帆教学案例",
            "background": "背景",
            "measures": "举措",
            "results": "成效",
            "method": "",
            "recorded_on": "2025-04-01",
        }

    def update_data(self, obj):
        return {
            "area": obj.area_id,
            "title": "改过的案例",
            "background": obj.background,
            "measures": obj.measures,
            "results": obj.results,
            "method": "",
            "recorded_on": obj.recorded_on.isoformat(),
        }

    def changed(self, obj):
        return obj.title == "改过的案例"


class TestRatingViews(ModelViewsContract):
    model = Rating
    list_url = "showcase:rating_list"
    detail_url = "showcase:rating_detail"
    create_url = "showcase:rating_create"
    update_url = "showcase:rating_edit"
    export_kind = "ratings"
    query_budget = 30
    shown = staticmethod(lambda rating: str(rating.subject))

    def make(self, community):
        return RatingFactory(site=DemonstrationSiteFactory(enterprise=enterprise(community)))

    def create_data(self, community):
        site = DemonstrationSiteFactory(enterprise=enterprise(community))
        return {
            "site": site.pk,
            "organization": "",
            "rubric": published_rubric().pk,
            "year": "2025",
            "reviewers": "街道党工委评星小组",
        }

    def update_data(self, obj):
        return {"year": "2023", "reviewers": "区委组织部"}

    def changed(self, obj):
        return (obj.year, obj.reviewers) == (2023, "区委组织部")

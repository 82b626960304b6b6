"""The kit's view contract (tests/contracts.py) for the lists of the "1"."""

import datetime as dt

from enterprises.models import Liaison, MembershipTransfer, PartyOrganization
from tests.contracts import ModelViewsContract
from tests.factories import LiaisonFactory, MembershipTransferFactory, PartyOrganizationFactory

from .test_views import organization_data

LONG_AGO = dt.date(2023, 5, 1)


class TestOrganizationViews(ModelViewsContract):
    model = PartyOrganization
    list_url = "enterprises:organization_list"
    detail_url = "enterprises:organization_detail"
    create_url = "enterprises:organization_create"
    update_url = "enterprises:organization_edit"
    export_kind = "organizations"
    shown = staticmethod(lambda o: o.name)

    def make(self, community):
        return PartyOrganizationFactory(area=community, established_on=LONG_AGO)

    def create_data(self, community):
        return organization_data(community, name="合约党支部")

    def update_data(self, obj):
        return organization_data(obj.area, name=obj.name, secretary="李书记")

    def changed(self, obj):
        return obj.secretary == "李书记"


class TestLiaisonViews(ModelViewsContract):
    model = Liaison
    list_url = "enterprises:liaison_list"
    detail_url = "enterprises:liaison_detail"
    create_url = "enterprises:liaison_create"
    update_url = "enterprises:liaison_edit"
    export_kind = "liaisons"
    shown = staticmethod(lambda x: x.name)

    def make(self, community):
        return LiaisonFactory(area=community.parent)

    def create_data(self, community):
        return {
            "name": "合约专员",
            "kind": "commissioner",
            "area": community.parent_id,
            "active": "on",
        }

    def update_data(self, obj):
        return {
            "name": obj.name,
            "kind": obj.kind,
            "area": obj.area_id,
            "unit": "街道办",
            "active": "on",
        }

    def changed(self, obj):
        return obj.unit == "街道办"


class TestTransferViews(ModelViewsContract):
    model = MembershipTransfer
    list_url = "enterprises:transfer_list"
    detail_url = "enterprises:transfer_detail"
    create_url = "enterprises:transfer_create"
    update_url = "enterprises:transfer_edit"
    export_kind = "transfers"
    shown = staticmethod(lambda t: t.member_name)

    def make(self, community):
        return MembershipTransferFactory(to_organization=PartyOrganizationFactory(area=community))

    def _data(self, obj=None, community=None, **overrides):
        org = obj.to_organization if obj else PartyOrganizationFactory(area=community)
        data = {
            "member_name": obj.member_name if obj else "合约党员",
            "from_unit": "某高校党委",
            "to_organization": org.pk,
            "enterprise": "",
            "started_on": "2025-01-01",
            "status": "in_progress",
            "completed_on": "",
            "handler": "",
            "notes": "",
        }
        return {**data, **overrides}

    def create_data(self, community):
        return self._data(community=community)

    def update_data(self, obj):
        return self._data(obj, handler="王专员")

    def changed(self, obj):
        return obj.handler == "王专员"

"""A second sheet spec, in the tests only: the partners (共建单位) a street works with.

It proves the framework is generic: nothing in ``ledger/`` knows it, yet it gets the
reading, the preview, the error report, the audited commit, the template and the
command, from these few lines: columns, the upsert key, a reference resolved in the
user's scope, and one rule of its own. The parts' own specs (visits, volunteer
activities, charity income and spending, topic progress) are written the same way
(docs/IMPORT.md, "Writing a sheet spec").
"""

from django.utils.translation import gettext as _

from areas.models import Area
from core.registry import Part
from ledger.spec import CHOICE, REF, TEXT, Column, SheetSpec
from partnerships.models import Partner


def streets(plan):
    """The streets a row may name: those in the user's area."""
    return Area.objects.for_user(plan.user).filter(level=Area.Level.STREET)


class PartnerSheet(SheetSpec):
    kind = "partners"
    label = "共建单位"
    title = "Import partners"
    model = Partner
    columns = (
        Column(
            "name",
            "单位名称",
            TEXT,
            "Required.",
            ("名称", "共建单位名称"),
            required=True,
            max_length=200,
        ),
        Column(
            "area", "所属街道", REF, "A street in your area.", ("街道",), required=True, ref=streets
        ),
        Column(
            "kind",
            "单位类型",
            CHOICE,
            "高校 / 公益组织 / 机关事业单位 / 国有或驻区企业 / 其他",
            ("类型", "单位性质"),
            choices=Partner.Kind,
            words={"university": ["大学", "学院"], "welfare": ["社会组织"]},
        ),
        Column("contact_name", "联系人", TEXT, "", ("联系人姓名",), max_length=50),
        Column("contact_phone", "联系电话", TEXT, "", ("电话",), max_length=30, fold=True),
    )
    key = ("area", "name")

    def check(self, row, plan):
        if row.is_new and not row.record.kind and not row.clean.has_error("kind"):
            row.error("kind", "required", _("A new partner needs its kind."))

    def examples(self, user):
        street = Area.objects.for_user(user).filter(level=Area.Level.STREET).first()
        return [
            {
                "name": "青岛理工大学",
                "area": street.name if street else "胶南街道",
                "kind": "高校",
                "contact_name": "王老师",
                "contact_phone": "0532-80000000",
            }
        ]


SHEET = PartnerSheet()
PART = Part(key="test_partners", label="Partners (test)", sheets=(SHEET,))

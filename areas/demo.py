"""Demo areas: 西海岸新区 with 胶南街道 and 红石崖街道 (names follow the source article)."""

from .models import Area

DISTRICT = "西海岸新区"

STREETS = {
    "胶南街道": [
        ("水城路社区", Area.CommunityKind.URBAN),
        ("珠山路社区", Area.CommunityKind.URBAN),
        ("人民路社区", Area.CommunityKind.URBAN),
        ("铁山路社区", Area.CommunityKind.URBAN),
        ("海青路社区", Area.CommunityKind.URBAN),
        ("胶河社区", Area.CommunityKind.URBAN),
        ("隐珠社区", Area.CommunityKind.URBAN),
        ("王家庄经合社", Area.CommunityKind.COOPERATIVE),
        ("东小庄经合社", Area.CommunityKind.COOPERATIVE),
        ("大场经合社", Area.CommunityKind.COOPERATIVE),
        ("北辛庄农村社区", Area.CommunityKind.RURAL),
        ("琅琊台农村社区", Area.CommunityKind.RURAL),
    ],
    # 红石崖街道: 1 urban community and 30 cooperatives, one charity fund each (31 funds).
    "红石崖街道": [("福莱社区", Area.CommunityKind.URBAN)]
    + [
        (f"{name}经合社", Area.CommunityKind.COOPERATIVE)
        for name in [
            "红石崖",
            "南营",
            "北营",
            "后石",
            "前石",
            "东石",
            "西石",
            "湖崖",
            "乔家",
            "丁家",
            "石岭子",
            "营房",
            "王家台",
            "沟崖",
            "张家楼",
            "李家庄",
            "孙家村",
            "河西",
            "河东",
            "北岭",
            "南岭",
            "柳树沟",
            "槐树底",
            "桃园",
            "杏园",
            "梨园",
            "大村",
            "小村",
            "新村",
            "海崖",
        ]
    ],
}


def seed(command, scale):
    district, _ = Area.objects.get_or_create(name=DISTRICT, level=Area.Level.DISTRICT, parent=None)
    for street_name, communities in STREETS.items():
        street, _ = Area.objects.get_or_create(
            name=street_name, level=Area.Level.STREET, parent=district
        )
        for name, kind in communities:
            Area.objects.get_or_create(
                name=name, parent=street, defaults={"level": Area.Level.COMMUNITY, "kind": kind}
            )
    command.stdout.write(f"Areas: {Area.objects.count()}")

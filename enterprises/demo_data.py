"""Word lists and small generators for the demo enterprises (``demo.py``).

Everything here is fictional: company names are built from common trade-name
characters, people's names from common surnames and given names, and USCCs from a
deterministic counter (valid check character, GB 32100-2015, never a real code).
"""

from . import uscc
from .models import Industry

# 黄岛区 (西海岸新区) administrative division code, positions 3–8 of a USCC.
DIVISION = "370211"
_ALPHABET = uscc.ALPHABET
_SPACE = len(_ALPHABET) ** 7  # positions 11–17
_STRIDE = 1_000_000_007  # coprime with 31 ** 7: a bijection that looks unordered


def synthetic_uscc(index):
    """The ``index``-th synthetic code: 9 1 370211 MA xxxxxxx + check character.

    Distinct indexes give distinct codes (multiplication by a unit mod 31**7), and the
    ``MA`` prefix keeps them apart from the article enterprises' old-style codes.
    """
    value = (index * _STRIDE + 12_345_678) % _SPACE
    digits = []
    for _ in range(7):
        value, rest = divmod(value, len(_ALPHABET))
        digits.append(_ALPHABET[rest])
    return uscc.make("91" + DIVISION + "MA" + "".join(reversed(digits)))


SYNTHETIC_USCC_PREFIX = "91" + DIVISION + "MA"

# Trade-name characters (字号); two are drawn per name, sometimes three.
WORDS = list(
    "海瑞鑫华泰鸿恒盛嘉源诚信达远宏航润德丰凯锦翔安博新力通科金永昌汇隆兴益和众佳美天晟"
    "创联合顺福祥乾坤利盈宇辰星耀蓝景启明朗腾飞扬志伟光正弘禾川峰岳林森沃优卓越骏豪晨"
)
PLACE_WORDS = ["琅琊", "珠山", "灵山", "胶河", "隐珠", "黄海", "西海岸", "海青", "铁山", "凤凰"]

# Business descriptions by industry (GB/T 4754 section) with relative weights.
INDUSTRY_WEIGHTS = {
    Industry.C: 40,
    Industry.F: 18,
    Industry.G: 8,
    Industry.E: 6,
    Industry.L: 6,
    Industry.I: 4,
    Industry.M: 4,
    Industry.H: 3,
    Industry.O: 3,
    Industry.K: 2,
    Industry.A: 1,
    Industry.D: 1,
    Industry.N: 1,
    Industry.P: 1,
    Industry.Q: 1,
    Industry.R: 1,
}
BUSINESS = {
    Industry.A: ["农业科技", "海洋渔业", "生态农业", "苗木"],
    Industry.B: ["矿业"],
    Industry.C: [
        "机械制造",
        "精密机械",
        "汽车零部件",
        "汽车配件制造",
        "电子科技",
        "橡塑制品",
        "新材料科技",
        "食品",
        "服饰",
        "家具",
        "模具",
        "金属制品",
        "冷链设备",
        "电气设备",
        "包装制品",
        "智能装备",
        "工贸",
        "制冷设备",
        "海洋生物科技",
        "钢结构",
        "机电设备",
        "电器",
        "纺织",
        "木业",
    ],
    Industry.D: ["热电", "新能源", "光伏科技"],
    Industry.E: ["建筑工程", "建设工程", "装饰工程", "安装工程", "市政工程"],
    Industry.F: ["商贸", "贸易", "国际贸易", "建材", "五金机电", "医药", "百货", "汽车销售"],
    Industry.G: ["物流", "供应链管理", "运输", "仓储", "国际货运代理"],
    Industry.H: ["餐饮管理", "酒店管理", "食府"],
    Industry.I: ["信息技术", "网络科技", "软件", "数字科技"],
    Industry.J: ["投资"],
    Industry.K: ["物业管理", "置业", "房地产开发"],
    Industry.L: ["企业管理咨询", "人力资源", "广告", "租赁", "会展服务"],
    Industry.M: ["检测技术", "工程设计", "环保科技", "技术服务"],
    Industry.N: ["环境工程", "园林绿化", "环卫服务"],
    Industry.O: ["汽车维修", "家政服务", "洗涤服务"],
    Industry.P: ["教育科技", "职业培训"],
    Industry.Q: ["医疗管理", "康养服务"],
    Industry.R: ["文化传媒", "体育发展", "影视文化"],
}
# Industry chains (产业链) by business keyword; manufacturing and logistics only.
CHAIN_BY_BUSINESS = {
    "机械制造": "智能装备制造",
    "精密机械": "智能装备制造",
    "智能装备": "智能装备制造",
    "模具": "智能装备制造",
    "机电设备": "智能装备制造",
    "电气设备": "智能装备制造",
    "冷链设备": "智能家电",
    "制冷设备": "智能家电",
    "电器": "智能家电",
    "电子科技": "智能家电",
    "汽车零部件": "新能源汽车零部件",
    "汽车配件制造": "新能源汽车零部件",
    "橡塑制品": "新能源汽车零部件",
    "物流": "现代物流",
    "供应链管理": "现代物流",
    "仓储": "现代物流",
    "国际货运代理": "现代物流",
}
CHAINS = ["智能装备制造", "智能家电", "新能源汽车零部件", "现代物流"]

SURNAMES = list(
    "王张李刘孙杨赵陈徐高马于薛丁宋姜臧矫逄韩冯郑董曹袁邓许傅沈曾彭吕苏卢蒋蔡贾魏叶"
    "杜戴夏钟汪田任范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国峰海燕晓东雪梅"
    "宁波斌宇浩凯琳婷欣怡佳晨阳光亮志刚文博瑞涵子轩思雨梓萱立新春生永红德胜"
)

ROADS = {
    "胶南街道": [
        "珠山路",
        "水城路",
        "人民路",
        "铁山路",
        "海青路",
        "胶河路",
        "琅琊台路",
        "大珠山路",
        "世纪大道",
        "灵山湾路",
        "双珠路",
        "海王路",
        "滨海大道",
        "隐珠路",
        "泊里路",
        "胶州湾东路",
    ],
    "红石崖街道": [
        "红石崖路",
        "富民路",
        "福莱路",
        "前湾港路",
        "团结路",
        "工业一路",
        "工业二路",
        "工业三路",
        "昌乐路",
        "临沂路",
        "海西路",
        "红石路",
        "崖下路",
    ],
}
DEFAULT_ROADS = ["长江路", "黄河路", "嘉陵江路", "淮河路", "漓江路", "井冈山路"]
ADDRESS_PREFIX = "山东省青岛市黄岛区"

FROM_UNITS = [
    "中国石油大学（华东）学生党支部",
    "山东科技大学研究生第三党支部",
    "青岛理工大学学生党支部",
    "青岛黄海学院学生党支部",
    "青岛滨海学院学生党支部",
    "平度市同和街道流动党员党支部",
    "胶州市九龙街道某村党支部",
    "诸城市龙都街道机关党支部",
    "潍坊市寒亭区某企业党支部",
    "临沂市兰山区人才服务中心党委",
    "日照市东港区流动党员党支部",
    "青岛市人才流动党委",
    "西海岸新区人才服务中心党委",
    "烟台市芝罘区某公司党支部",
    "枣庄市退役军人服务中心党支部",
]
ARCHIVE_REASONS = ["重复录入", "信息录入错误，已按正确企业重新登记", "非本辖区企业，误录"]


def person(rng):
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def phone(rng):
    return rng.choice(["13", "15", "18"]) + str(rng.randint(100_000_000, 999_999_999))


def pick_weighted(rng, weights):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def company_name(rng, industry):
    business = rng.choice(BUSINESS[industry])
    roll = rng.random()
    if roll < 0.08:
        word = rng.choice(PLACE_WORDS) + rng.choice(WORDS)
    elif roll < 0.2:
        word = rng.choice(WORDS) + rng.choice(WORDS) + rng.choice(WORDS)
    else:
        word = rng.choice(WORDS) + rng.choice(WORDS)
    prefix = "青岛西海岸" if rng.random() < 0.12 else ("山东" if rng.random() < 0.05 else "青岛")
    suffix = rng.choices(["有限公司", "有限责任公司", "股份有限公司"], weights=[90, 7, 3])[0]
    return prefix + word + business + suffix, business


def address(rng, street_name):
    roads = ROADS.get(street_name, DEFAULT_ROADS)
    text = f"{ADDRESS_PREFIX}{rng.choice(roads)}{rng.randint(1, 999)}号"
    if rng.random() < 0.3:
        text += f"{rng.randint(1, 12)}号楼{rng.randint(1, 20)}{rng.randint(1, 9):02d}室"
    elif rng.random() < 0.3:
        text += f"{rng.choice(['A', 'B', 'C', 'D'])}区{rng.randint(1, 30)}号厂房"
    return text


def short_name(name):
    """青岛海容商用冷链股份有限公司 → 海容商用冷链 (for organisation names)."""
    for prefix in ("青岛西海岸", "青岛", "山东"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    for suffix in ("股份有限公司", "有限责任公司", "有限公司"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name

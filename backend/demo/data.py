"""The demo neighbourhood's fixed facts: place, lists, names, fixed logins and shares.

The place is 杭州市上城区 (real streets, compounds named as locals would); every person is
made up, and every phone number is in the fictitious 1380000xxxx / 1380001xxxx range.
"""

DEMO_PASSWORD = "linli-demo-2026"
RANDOM_SEED = 20260101

COMMUNITY = {
    "name": "邻里示范社区（演示）",
    "timezone": "Asia/Shanghai",
    "centre": (30.2585, 120.1755),  # WGS-84, between 葵巷 and 望江路
    "phone": "13800000001",  # the service desk, in the fictitious range
}
CITY_DISTRICT = "杭州市上城区"

RISK_TAGS = [  # code, 中文, English, health-related (reading it is audited)
    ("lives_alone", "独居", "Lives alone", False),
    ("aged_80_plus", "高龄", "Aged 80+", False),
    ("disabled", "失能", "Disabled", True),
    ("left_behind_child", "留守儿童", "Left-behind child", False),
    ("left_behind_woman", "留守妇女", "Left-behind woman", False),
    ("low_income", "低保", "Low income", False),
    ("chronic_illness", "慢病", "Chronic illness", True),
]
# Household visits (docs/visits.md): tags a resident must all have ([]: any tagged resident), the
# interval in days, and a first interval for a first period after registration (staged) or None.
VISIT_RULES = [
    (["lives_alone", "aged_80_plus"], 7, None, None),
    (["lives_alone"], 14, None, None),
    (["left_behind_child"], 14, None, None),
    (["disabled"], 7, None, None),
    (["left_behind_woman"], 14, 7, 30),
    ([], 30, None, None),
]
SKILLS = [
    ("companionship", "陪伴聊天", "Companionship"),
    ("errands", "代购跑腿", "Errands"),
    ("meal_delivery", "送餐", "Meal delivery"),
    ("medical_escort", "陪诊", "Medical escort"),
    ("home_repair", "维修", "Home repair"),
    ("cleaning", "保洁", "Cleaning"),
    ("tutoring", "课业辅导", "Tutoring"),
    ("phone_help", "手机教学", "Phone help"),
    ("emotional_support", "心理疏导", "Emotional support"),
    ("basic_care", "护理", "Basic care"),
]
# How often volunteers offer each skill (relative weights): chatting and errands are common,
# nursing and escorting to hospital need people who have done it before.
SKILL_WEIGHTS = {
    "companionship": 10, "errands": 9, "meal_delivery": 6, "medical_escort": 3, "home_repair": 3,
    "cleaning": 4, "tutoring": 4, "phone_help": 6, "emotional_support": 2, "basic_care": 2,
}
LANGUAGES = [
    ("mandarin", "普通话", "Mandarin"),
    ("hangzhou_dialect", "杭州话", "Hangzhou dialect"),
    ("wenzhou_dialect", "温州话", "Wenzhou dialect"),
    ("cantonese", "粤语", "Cantonese"),
    ("sichuanese", "四川话", "Sichuanese"),
]

# Four grids of four compounds each; buildings per compound add up to 15 per grid.
# Each compound: name, street, street number, centre (WGS-84), number of buildings.
GRIDS = [
    ("第一网格（葵巷）", [
        ("葵巷新村", "葵巷", 88, (30.2668, 120.1660), 4),
        ("长明寺巷小区", "长明寺巷", 21, (30.2640, 120.1702), 4),
        ("马市街小区", "马市街", 156, (30.2688, 120.1713), 4),
        ("幸福里", "小营巷", 35, (30.2622, 120.1643), 3),
    ]),
    ("第二网格（水亭址）", [
        ("水亭址小区", "水亭址", 12, (30.2671, 120.1810), 4),
        ("直大方伯小区", "直大方伯", 67, (30.2634, 120.1852), 4),
        ("金钱巷小区", "金钱巷", 9, (30.2692, 120.1866), 4),
        ("新华坊", "新华路", 208, (30.2618, 120.1798), 3),
    ]),
    ("第三网格（佑圣观）", [
        ("佑圣观路小区", "佑圣观路", 118, (30.2528, 120.1668), 4),
        ("梅花碑小区", "梅花碑", 5, (30.2498, 120.1700), 4),
        ("清泰新村", "清泰街", 372, (30.2552, 120.1712), 4),
        ("光复路小区", "光复路", 41, (30.2482, 120.1645), 3),
    ]),
    ("第四网格（望江）", [
        ("望江家园", "望江路", 300, (30.2512, 120.1812), 4),
        ("紫阳新村", "紫阳街", 77, (30.2488, 120.1858), 4),
        ("江城路小区", "江城路", 560, (30.2545, 120.1842), 4),
        ("秋涛新村", "秋涛路", 133, (30.2470, 120.1800), 3),
    ]),
]

# Households by kind; with 王奶奶's own household these make 150 households and 200 residents.
HOUSEHOLD_KINDS = {
    "alone": 49,              # one elderly resident, tagged 独居
    "couple": 20,             # an elderly couple
    "elder_with_family": 58,  # one elderly resident; the family living with them is not registered
    "children_one": 8,        # a left-behind child and a grandparent
    "children_two": 6,        # two left-behind siblings and both grandparents
    "left_behind_woman": 4,   # a woman whose husband works away
    "left_behind_woman_with_in_law": 4,  # … living with her elderly mother-in-law
}
AGED_80_PLUS_SHARE = 1 / 3
VOLUNTEER_COUNT = 120
PENDING_VOLUNTEERS = 5      # registered themselves, not vetted yet: no vetting at all
SUSPENDED_VOLUNTEERS = 2
EXPIRED_VOLUNTEERS = 12     # identity vetting lapsed: they get no offers until renewed
NEAREST_OTHER_VOLUNTEER_M = 600  # nobody but the two demo volunteers lives closer to 王奶奶

FAMILY_NAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁沈姚卢姜钟陆汪范金石方邹孟秦江顾毛邵钱严戴俞楼应童"
)
# Common family names appear more often, as they do on any register.
COMMON_FAMILY_NAMES = "王李张刘陈杨黄赵吴周徐孙沈"
GIVEN_NAMES = {
    ("female", "elder"): ["秀英", "桂英", "玉兰", "秀兰", "凤英", "桂兰", "淑芬", "素珍", "美华", "月娥",
                          "金花", "翠英", "玉珍", "秀珍", "彩凤", "菊芳", "阿娣", "杏娟", "根娣", "宝珠"],
    ("male", "elder"): ["建国", "国华", "德明", "志强", "福根", "长林", "金宝", "根发", "文华", "振华",
                        "国庆", "德胜", "树林", "永康", "光明", "海根", "阿毛", "荣生", "水根", "炳坤"],
    ("female", "adult"): ["丽娟", "晓燕", "海燕", "静", "红梅", "丽华", "春梅", "雪梅", "婷婷", "芳",
                          "慧敏", "晓红", "娜", "艳", "敏", "佳怡", "思琪", "丽萍", "雅琴", "燕"],
    ("male", "adult"): ["伟", "磊", "洋", "勇", "军", "杰", "涛", "超", "建华", "晓东",
                        "文杰", "浩宇", "子豪", "志刚", "海峰", "明", "斌", "鹏", "立新", "俊"],
    ("female", "child"): ["梓萱", "欣怡", "梓涵", "诗涵", "可馨", "嘉怡", "一诺", "雨桐", "语嫣", "若曦"],
    ("male", "child"): ["浩然", "宇轩", "子轩", "雨泽", "俊熙", "思远", "昊天", "睿", "博文", "子墨"],
}
PREFERENCE_NOTES = [
    "耳背，敲门请大声一点", "行动慢，开门要等一会儿", "只会说杭州话", "喜欢聊越剧和老杭州的事",
    "家里有只猫，怕生人", "中午要午睡，请上午来", "不喜欢陌生人进卧室", "眼睛不好，字要写大一点",
    "喜欢下象棋", "请先打电话再上门",
]
EMERGENCY_RELATIONS = ["儿子", "女儿", "侄女", "外甥", "儿媳", "邻居"]
VOLUNTEER_ABOUT = [
    "退休教师，喜欢和老人聊天", "在附近上班，周末有空", "大学生，可以辅导功课", "退休电工，会修水电",
    "社区老党员", "会用智能手机，可以教老人", "护士，下班后可以帮忙", "全职妈妈，白天有空",
    "退休司机，可以陪诊", "喜欢做饭，可以帮忙送餐",
]

# Weekly patterns volunteers choose from: (weekdays, start, end) in the community's time zone.
_WEEKDAYS, _WEEKEND, _EVERY_DAY = (0, 1, 2, 3, 4), (5, 6), tuple(range(7))
AVAILABILITY_PATTERNS = [
    [(_WEEKDAYS, "08:00", "12:00")],
    [(_WEEKDAYS, "13:30", "17:30")],
    [(_WEEKDAYS, "18:30", "21:00")],
    [(_WEEKEND, "09:00", "17:00")],
    [(_EVERY_DAY, "08:00", "11:30"), (_EVERY_DAY, "14:00", "17:00")],
    [((1, 3), "09:00", "17:00"), ((5,), "09:00", "12:00")],
    [(_WEEKDAYS, "18:30", "21:00"), (_WEEKEND, "09:00", "12:00")],
    [((0, 2, 4), "14:00", "18:00")],
]

# The fixed logins that docs and outside clients rely on (password DEMO_PASSWORD).
ADMIN = {"phone": "13800000000", "name": "周建平"}
WORKERS = [  # the first is the fixed login; grids are 1-based positions in GRIDS
    {"phone": "13800000010", "name": "陈丽华", "primary": [1], "helps": []},
    {"phone": None, "name": "吴海燕", "primary": [2], "helps": []},
    {"phone": None, "name": "孙建军", "primary": [3], "helps": []},
    {"phone": None, "name": "郑晓梅", "primary": [4], "helps": []},
    {"phone": None, "name": "黄志明", "primary": [], "helps": [1, 2]},
    {"phone": None, "name": "林静", "primary": [], "helps": [3, 4]},
]
DEMO_VOLUNTEERS = [  # metres and compass bearing (degrees) from 王奶奶's building
    {"phone": "13800000020", "name": "张慧敏", "gender": "female", "distance_m": 250, "bearing": 40},
    {"phone": "13800000021", "name": "刘志强", "gender": "male", "distance_m": 350, "bearing": 200},
]
DEMO_VOLUNTEER_VETTED_UNTIL = (2030, 12, 31)
DEMO_RESIDENT = {
    "phone": "13800000030", "family_name": "王", "given_name": "秀英", "address_as": "王奶奶",
    "gender": "female", "birth_year": 1941, "door_number": "2 单元 301",
    "preference_notes": "耳背，敲门请大声一点",
}
DEMO_PROXY = {"phone": "13800000040", "name": "李晓红", "relation": "女儿"}
PROVIDERS = ["幸福里老年食堂", "邻里社区卫生服务站", "老张家电维修"]  # their catalogue entries: providers.py

DEMO_LOGINS = [  # phone, who (zh-CN), who (en)
    (ADMIN["phone"], "社区管理员 周建平", "community admin"),
    (WORKERS[0]["phone"], "网格员 陈丽华（第一网格）", "grid worker, grid 1"),
    (DEMO_VOLUNTEERS[0]["phone"], "志愿者 张慧敏（女）", "volunteer (female)"),
    (DEMO_VOLUNTEERS[1]["phone"], "志愿者 刘志强（男）", "volunteer (male)"),
    (DEMO_RESIDENT["phone"], "居民 王奶奶（独居、高龄）", "resident, lives alone, 80+"),
    (DEMO_PROXY["phone"], "家属 李晓红（王奶奶的女儿）", "proxy, her daughter"),
]
GENERATED_PHONE_PREFIX = "1380001"  # 13800010000–13800019999 for everyone else

# The on-duty roster (community time): every weekday's day shift and a night shift running into
# the next morning, each (weekday 0 Monday … 6 Sunday, start, end, worker's name from WORKERS).
ROSTER_WEEK = [
    (0, "08:00", "18:00", "陈丽华"), (0, "18:00", "08:00", "黄志明"),
    (1, "08:00", "18:00", "吴海燕"), (1, "18:00", "08:00", "林静"),
    (2, "08:00", "18:00", "孙建军"), (2, "18:00", "08:00", "黄志明"),
    (3, "08:00", "18:00", "郑晓梅"), (3, "18:00", "08:00", "林静"),
    (4, "08:00", "18:00", "陈丽华"), (4, "18:00", "08:00", "吴海燕"),
    (5, "08:00", "18:00", "黄志明"), (5, "18:00", "08:00", "孙建军"),
    (6, "08:00", "18:00", "林静"), (6, "18:00", "08:00", "郑晓梅"),
]
# One override, two days after loading: (days ahead, start, end, worker's name, note).
ROSTER_OVERRIDE = (2, "08:00", "18:00", "郑晓梅", "替班：原排班的人调休")

"""Classifier behaviour on our own short group-chat examples (no real data in the repository)."""

from __future__ import annotations

import re

import pytest

from bot.classifier import Classification, Classifier
from bot.classifier.location import extract_location
from bot.classifier.normalize import normalize


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.load()


# (message, expected top-level category) — a handful per category, written like chat lines
REPORTS = [
    ("3号楼楼道堆满杂物，走路都要侧身", "environment"),
    ("北门垃圾桶满了好几天没人清，臭死了", "environment"),
    ("单元门上贴满了小广告", "environment"),
    ("车库里老鼠特别多", "environment"),
    ("南门那一排路灯不亮一个礼拜了", "facilities"),
    ("井盖没了，只剩个黑洞", "facilities"),
    ("我们这栋的下水道堵了，一楼地漏反水", "facilities"),
    ("幸福路人行道地砖松动", "facilities"),
    ("整个7栋都停水了，也没看到通知", "utilities"),
    ("我们单元突然停电了", "utilities"),
    ("暖气不热，家里才十五度", "utilities"),
    ("一进单元门就一股煤气味", "safety"),
    ("有人从三楼拉电线下来飞线充电", "safety"),
    ("消防通道又被私家车堵死了", "safety"),
    ("刚才楼上高空抛物，差点砸到人", "safety"),
    ("我停在车棚的电瓶被偷了", "security"),
    ("这两天总有陌生人在3栋门口转悠，还在门上做记号", "security"),
    ("楼下小卖部门口两个人打起来了，快报警", "security"),
    ("我妈接到电话让她把钱转到安全账户，是不是诈骗", "security"),
    ("隔壁邻居吵架吵了一晚上", "dispute"),
    ("工地老板拖欠我们工资三个月了", "dispute"),
    ("房东不退押金", "dispute"),
    ("电梯又坏了，物业也不来修", "property"),
    ("楼上卫生间漏到楼下，我家天花板一直滴水", "property"),
    ("报修好几天了物业也不来", "property"),
    ("门口有人占道经营摆摊", "order"),
    ("旁边工地半夜施工，吵得睡不着", "order"),
    ("顶楼那家在楼顶加建彩钢棚", "order"),
    ("有人遛狗不牵绳，吓到孩子", "order"),
    ("人行道上乱停车，轮椅都过不去", "order"),
    ("学校路口红绿灯坏了两天了", "traffic"),
    ("小区门口电动车撞到人了", "traffic"),
    ("6栋那个独居老人好几天没出门了，敲门没人应", "welfare"),
    ("小区门口有个老人摔倒起不来了", "welfare"),
    ("楼下那家孩子天天一个人在家，小孩爬窗台上玩", "welfare"),
    ("幼儿园好几个孩子上吐下泻", "health"),
    ("孩子被狗咬了，要去打狂犬疫苗", "health"),
    ("楼下那家快餐店后厨脏得要命，今天吃出虫子了", "market"),
    ("楼下那家健身房跑路了，办的卡都没退", "market"),
    ("河边那个厂偷排污水，河水发黑", "ecology"),
    ("半夜有人在河里电鱼", "ecology"),
]

NON_REPORTS = [
    "早上好！",
    "收到，谢谢",
    "好的👌",
    "👍👍👍",
    "[图片]",
    "哈哈哈哈",
    "新年快乐，祝大家身体健康！",
    "谢谢网格员，路灯已经修好了！",
    "昨天反映的垃圾已经清走了，点赞",
    "【物业通知】明天上午9:00-12:00二次供水水箱清洗，届时停水，请提前储水",
    "温馨提示：近期电信诈骗高发，请大家不要点击陌生链接",
    "【电梯年检通知】3号楼电梯明天上午年检，暂停使用两小时",
    "提醒大家：电动车不要推进电梯，不要在楼道充电，安全第一",
    "明天有暴雨，大家出门记得带伞",
    "有没有人拼团买水果？",
    "楼下那家烧烤挺好吃的，推荐",
    "哪里可以修电动车？",
    "请问社区办公室几点上班？",
    "捡到一串钥匙，放在物业前台了",
    "寻狗启事：走失一只白色泰迪，有看到的请联系我",
    "咨询",
    "社区医院礼拜几有儿科",
    "卫生服务站今天开门吗",
]


@pytest.mark.parametrize(("text", "category"), REPORTS)
def test_reports_get_their_category(clf: Classifier, text: str, category: str) -> None:
    c = clf.classify(text)
    assert c.is_report, clf.explain(text)
    assert c.category == category, clf.explain(text)
    assert c.subcategory in clf.taxonomy.categories[category].subcategories
    assert c.urgency in ("red", "yellow", "green")
    assert 0.5 <= c.confidence <= 1.0
    assert c.keywords


@pytest.mark.parametrize("text", NON_REPORTS)
def test_non_reports_stay_quiet(clf: Classifier, text: str) -> None:
    c = clf.classify(text)
    assert not c.is_report, clf.explain(text)
    assert c.confidence < 0.35  # below the "ask" band: the bot stays silent


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[图片][表情]", "non_text"),
        ("🙏🙏", "non_text"),
        ("收到", "greeting"),
        ("晚安", "greeting"),
        ("感谢物业师傅，下水道已经通了", "resolved"),
        ("楼道灯物业已经换好了，辛苦了", "resolved"),
        ("社区通知：本周五下午3点开展消防演练，请大家积极参加", "notice"),
        ("【停电通知】本周六8:00-17:00停电，请大家相互转告", "notice"),
        ("大家注意，明天限号", "broadcast"),
        ("今天好热啊，注意防暑", "broadcast"),
        ("我想咨询", "vague"),
        ("有没有靠谱的疏通下水道师傅推荐？", "consult"),
        ("出售九成新婴儿车，有需要的私聊", "consult"),
        ("物业通知：本周六上午清洗水箱", "notice"),  # a notice headed by who sends it
        ("转发：夏天注意防溺水", "notice"),
        ("独居老人可以免费装烟感，到居委会登记", "notice"),
        ("虚惊一场 是我看错了", "resolved"),
        ("走廊那堆杂物终于搬走了 宽敞多了", "resolved"),
        ("谢谢网格员！", "resolved"),
        ("谁家丢了一把伞 在保安亭", "consult"),  # lost and found, group buys, rentals
        ("有没有一起拼车去机场的", "consult"),
        ("求租一个地下车位", "consult"),
        ("这个月的水费交到哪里", "consult"),
        ("早上好各位邻居", "greeting"),
        ("温馨提示 冬天用煤炉要通风", "notice"),
        ("@所有人 周六上午收大件垃圾", "notice"),
        ("二次供水水箱清洗 周二上午停水", "notice"),
        ("下午2点到5点停电检修", "notice"),
        ("记得出门锁好门窗", "broadcast"),
        ("不要点陌生短信链接", "broadcast"),
        ("以为有人撬门 原来是邻居找错门了", "resolved"),
        ("3号楼电梯能用了", "resolved"),
        ("没事了 是报警器没电了", "resolved"),
        ("打疫苗要带啥证件", "consult"),
        ("我们小区对应哪个小学", "consult"),
        ("车位出租 每月三百", "consult"),
        ("我家猫把窗帘挠烂了 这算破坏公物不😂", "joke"),  # a laughing face reads as 哈哈
        ("哈哈 楼下那只狗又在追自己尾巴", "joke"),
        ("各位业主：下周一开始收取停车费", "notice"),
        ("小区东门施工期间暂时封闭 请走西门", "notice"),
        ("那辆僵尸车已经拖走了", "resolved"),
        ("给楼长点个赞", "resolved"),
        ("春节快乐 祝大家身体健康", "greeting"),
        ("听说上海那边电梯坠了 是真的吗", "consult"),
        ("自家种的青菜 五块一斤", "consult"),
        ("各位居民 周四社区免费量血压", "notice"),
        ("谁家有闲置的婴儿床 想买一个", "consult"),
        ("卖房 两室一厅 中介勿扰", "consult"),
        ("保安师傅帮我搬了快递 太感谢了", "resolved"),
        ("刚才是跳闸 现在好了", "resolved"),
        ("那股味是在打药 不用担心", "resolved"),
        ("明天几点停水来着", "consult"),
        ("我同事小区电梯掉下来了 幸好人没事", "consult"),  # someone else's estate
        ("请各位业主月底前缴纳物业费 谢谢配合", "notice"),
        ("今天被老婆骂了 谁来调解一下[捂脸]", "joke"),  # WeChat's [捂脸] reads as a laugh
    ],
)
def test_every_non_report_filter(clf: Classifier, text: str, reason: str) -> None:
    c = clf.classify(text)
    assert not c.is_report
    assert c.reason == reason, clf.explain(text)
    assert clf.non_report_reason(text) is not None or reason == "non_text"


@pytest.mark.parametrize("text", ["投诉", "我要投诉！", "求助", "我要反映一个问题", "我要报修", "我要舉報"])
def test_bare_intent_to_report_is_a_report_whose_subject_is_missing(clf: Classifier, text: str) -> None:
    c = clf.classify(text)
    assert (c.is_report, c.category, c.subcategory, c.reason) == (True, "other", None, "intent")
    assert c.confidence < 0.6  # below the bot's open band: it asks what and where instead
    assert "还没说是什么问题" in clf.explain(text)


def test_bare_intent_from_a_worker_is_not_a_report(clf: Classifier) -> None:
    assert not clf.classify("求助", role="grid_worker").is_report


def test_intent_with_its_subject_is_an_ordinary_report(clf: Classifier) -> None:
    c = clf.classify("我要投诉小区物业乱收停车费")
    assert c.is_report and c.reason is None and c.category == "property"


# Everyday group-chat wording (session 6): the words residents use, not the words of a board's title.
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("暖气片冰凉 家里老人冻得不行", "utilities"),
        ("菜场那个秤有鬼 买一斤少二两", "market"),
        ("小卖部卖的零食没生产日期", "market"),
        ("楼下小孩爸妈出去打工了 天天自己在家", "welfare"),
        ("隔壁独居大爷病了没人照顾", "welfare"),
        ("桥洞下面住着个流浪汉 这么冷", "welfare"),
        ("快递放门口就被人拿走了 能查监控吗", "security"),
        ("楼上天天半夜拖椅子 能帮忙调解下吗", "dispute"),
        ("安全出口被铁链子锁了", "safety"),
        ("路口绿灯时间太短 老人走不过去", "traffic"),
        ("小河沟水面飘一层油", "ecology"),
        ("水果店摆了半条人行道", "order"),
        ("小区门口那辆车停了半年 轮胎都瘪了", "order"),
        ("电费这个月翻倍了 找谁说理", "utilities"),
        ("公厕那个味道熏死人", "environment"),
        ("对门把纸箱堆我家门口 说了也不听", "dispute"),
        ("印染厂排的水把河染红了", "ecology"),
        ("有人在巷子口收保护费", "security"),
        ("晾在外面的被子被人偷了", "security"),
        ("共享电单车横七竖八堆在门口", "order"),
        ("过街天桥上的灯全灭了", "facilities"),
        ("诊所器械不消毒", "health"),
        ("楼上装修把承重墙砸了", "safety"),
        ("楼上低音炮震得窗户嗡嗡响", "order"),
        ("隔壁装修把我家墙打裂了 他死不认", "dispute"),
        ("两个大妈为占车位对骂 越骂越凶", "dispute"),
        ("物业费年年交 账目从来不公示", "property"),
        ("水龙头出来的水有沙子", "utilities"),
        ("电闸天天晚上跳 整栋楼都黑", "utilities"),
        ("有人在河道上盖房子", "order"),
        ("公交又晚了四十分钟", "traffic"),
        ("养老院护工打老人", "welfare"),
        ("小诊所一次性的针用好几回", "health"),
        ("超市标价十块 结账扣了十三", "market"),
        ("河里的鱼全翻白肚了", "ecology"),
        ("半夜还在切瓷砖 吱吱吱", "order"),
        ("门禁卡又刷不开了", "property"),
        ("养老金卡被冻了", "welfare"),
        ("早点摊的油黑乎乎的 怕是地沟油", "market"),
        ("理发店卷钱跑了 卡里还有一千", "market"),
    ],
)
def test_group_chat_wording(clf: Classifier, text: str, category: str) -> None:
    c = clf.classify(text)
    assert c.is_report and c.category == category, clf.explain(text)


# ... and the same words in a complaint stay a report
@pytest.mark.parametrize(
    "text", ["停电三个小时了 到底啥时候来电", "减速带被铲掉了 车开得飞快", "广场舞音响开那么大 孩子没法写作业"]
)
def test_complaints_near_notice_wording_stay_reports(clf: Classifier, text: str) -> None:
    assert clf.classify(text).is_report, clf.explain(text)


# rules.red_patterns: emergencies told in more words than one trigger, as frightened people type them
@pytest.mark.parametrize(
    ("text", "sub", "number"),
    [
        ("5号楼电梯停在两层中间 里面有人在拍门喊", "lift_trapped", "96333"),
        ("電梯卡住了，人在裡面出不來", "lift_trapped", "96333"),
        ("快看！！对面18楼有个小孩爬到阳台外面了", "falling_objects", "110"),
        ("窗户外面挂着个小孩 大人呢？？", "falling_objects", "110"),
        ("店门口那块招牌快掉下来了 下面人来人往的", "falling_objects", "119"),
    ],
)
def test_red_patterns(clf: Classifier, text: str, sub: str, number: str) -> None:
    c = clf.classify(text)
    assert c.is_report and (c.category, c.subcategory, c.urgency) == ("safety", sub, "red"), clf.explain(text)
    assert number in c.emergency


@pytest.mark.parametrize(
    ("text", "category", "sub"),
    [
        ("独居的王奶奶三天没开门了 电话也没人接", "welfare", "elderly"),
        ("外婆又走丢了！穿红棉袄的", "security", "missing_person"),
        ("小区门口水管爆了 水喷得老高", "utilities", "burst_outage"),
        ("暖气管爆了 热水蒸汽喷得到处都是", "utilities", "burst_outage"),
        ("楼道里一股煤汽味", "safety", "gas_leak"),  # the common typo of 煤气
        ("化工厂排的气 好几个老人头晕", "ecology", "air_pollution"),
        ("有个人举着菜刀在楼下乱喊", "security", "fight"),
        ("有人正在撬3楼的门", "security", "theft"),
        ("李阿姨在菜场门口摔了 叫也不应", "welfare", "medical_emergency"),
        ("地下车库积水都快到配电房了", "safety", "disaster"),
        ("那棵大树被风刮歪了 底下小孩在玩", "safety", "falling_objects"),
        ("饭店里冒火了", "safety", "fire"),
        ("楼梯间全是烟 看不见路", "safety", "fire"),
        ("广场上有人突然倒了 没呼吸了", "welfare", "medical_emergency"),
        ("老人从楼梯上摔下来了 腿动不了", "welfare", "medical_emergency"),
        ("我女儿放学到现在还没回家 电话也不接", "security", "missing_person"),
        ("河里有个人在扑腾", "security", "missing_person"),
        ("大风把电线杆刮倒了 电线泡在水里", "utilities", "power_supply"),
        ("楼顶那块广告牌掉了一半 在那晃", "safety", "falling_objects"),
        ("路口两车相撞 司机卡在里面", "traffic", "accident"),
        ("隔壁大爷好几天没出门了", "welfare", "elderly"),
        ("有个小孩在河面的冰上跑 冰都裂了", "safety", "disaster"),
        ("天台上有个人坐在边上 腿悬空", "security", "missing_person"),
        ("骑车的栽进去了 人还在坑里出不来", "safety", "construction_hazard"),
        ("孩子玩打火机把窗帘点着了", "safety", "fire"),
        ("地下车库淹到车门了 还有人在里面", "safety", "disaster"),
        ("骗子叫她转账 她已经往工行去了", "security", "fraud"),
        ("小偷刚跑 往菜场方向跑了", "security", "theft"),
        ("孩子被陌生人接走了 老师说的", "security", "missing_person"),
        ("有个人躺在马路中间 车来车往", "traffic", "accident"),
        ("老爷子说要开煤气一起死", "security", "violence_threat"),
        ("零下十度 暖气停了三天", "utilities", "gas_heating_telecom"),
        ("挖掘机把燃气管挖断了", "safety", "gas_leak"),
        ("狗刚咬了个小孩 腿上全是血", "health", "dog_bite"),
        ("电梯关人了 里面一个老太", "safety", "lift_trapped"),
        ("一股烧塑料的味道 不知道哪来的", "safety", "fire"),
        ("对面楼黑烟滚滚", "safety", "fire"),
        ("火苗子窜老高 快打119", "safety", "fire"),
        ("电梯停在5楼6楼中间 我儿子在里头", "safety", "lift_trapped"),
        ("有人扒着防盗窗往里爬", "security", "theft"),
        ("挖掘机挖到燃气管了 一股味道", "safety", "gas_leak"),
        ("小卖部的散装酒 喝了眼睛看不清", "market", "food_safety"),
        ("对门两个小孩 大人好几天没回", "welfare", "minors"),
        ("女的在楼顶喊要跳下去", "security", "missing_person"),
        ("楼下有人突然倒地 口吐白沫", "welfare", "medical_emergency"),
        ("货车侧翻了 底下压着人", "traffic", "accident"),
        ("路边有个老大爷 问他家在哪说不上来", "security", "missing_person"),
        ("电线耷拉下来快到地上了 小孩在旁边", "utilities", "power_supply"),
        ("池塘的冰薄得很 几个孩子在上面滑", "safety", "disaster"),
        ("楼梯间的配电箱着了 快拿灭火器", "safety", "fire"),
        ("六楼小孩一个人在家 窗户还开着", "welfare", "minors"),
        ("有辆罐车往河里倒东西 现在还在倒", "ecology", "water_pollution"),
        ("水顺着电表井往下灌", "safety", "disaster"),
        ("隔壁大妈三天没见着人了", "welfare", "elderly"),
        ("有人在砸门 里面女的在哭", "security", "fight"),
        ("有个男的一直跟着个小姑娘", "security", "suspicious"),
        ("抢手机的往菜场那边跑了", "security", "theft"),
        ("李大爷说胸口疼 家里就他一个", "welfare", "medical_emergency"),
        ("井盖翘起来了 刚有人骑车摔了", "facilities", "manhole"),
        ("电梯里关了个小孩 门扒不开", "safety", "lift_trapped"),
        ("两家吵架 有个回去拿斧头了", "security", "fight"),
        ("疯狗在村里乱跑", "health", "dog_bite"),
        ("我卡在电梯里了 手机快没电", "safety", "lift_trapped"),
        ("水管爆咗 水喷到二楼", "utilities", "burst_outage"),  # Cantonese 咗
        ("厂里往河里排黑水 下游就是水厂取水口", "ecology", "water_pollution"),
        ("独居的刘奶奶门口牛奶堆了三天", "welfare", "elderly"),
        ("招牌螺丝都掉了 要砸下来", "safety", "falling_objects"),
        ("路边地面往外冒水 越冒越多", "utilities", "burst_outage"),
        ("家里被撬了 人可能还没走远", "security", "theft"),
        ("楼梯口躺着一个人 一动不动", "welfare", "medical_emergency"),
        ("老人被儿子赶出家门 在外面冻了一晚上", "dispute", "family"),
        ("有个男的拽着头发往车上拖", "security", "violence_threat"),
        ("地下通道积水 车熄火了 人爬到车顶上", "facilities", "flooding_collapse"),
        ("厨房液化气管子被老鼠咬破了", "safety", "gas_leak"),
        ("有人一直跟着我 从菜场跟到小区", "security", "suspicious"),
        ("路灯杆撞歪了 电线露出来 地上都是水", "utilities", "power_supply"),
        # session 7, from group-chat set j (own wording)
        ("2栋电梯里困了个老人 按铃没人理", "safety", "lift_trapped"),
        ("地下室管子漏水 正好浇在配电箱上", "safety", "disaster"),
        ("我妈刚刚被骗走五千 那人往地铁站跑了", "security", "fraud"),
        ("有人翻墙进来了 往车库那边跑", "security", "suspicious"),
        ("桥上护栏断了一截 下面就是河", "facilities", "public_fixtures"),
        ("楼顶水箱里漂着只死老鼠 整栋都在喝这水", "property", "common_repairs"),
        ("独居的张伯电话打不通 两天了", "welfare", "elderly"),
        ("敲门半天 里面有哼哼的声音 没人开", "welfare", "elderly"),
        ("池塘里的鱼一晚上翻白了 水发黑有股化学味", "ecology", "water_pollution"),
        ("有人在河里电鱼 下游一群人在游泳", "ecology", "illegal_fishing"),
        ("楼下有个男的把女孩往车里塞", "security", "violence_threat"),
        ("小区东门广告牌一个角已经脱了 风一吹就晃", "safety", "falling_objects"),
        ("晾衣杆掉下去了 底下好多人过", "safety", "falling_objects"),
        ("两个醉汉在楼下砸车", "security", "fight"),
        ("大树刮倒了 压了一辆车", "facilities", "trees_walls"),
        ("骑车的摔了 人还躺着", "welfare", "medical_emergency"),
        ("孩子一个人在阳台上 窗户开着", "welfare", "minors"),
        ("被隔壁的狗咬了 腿上好几个洞", "health", "dog_bite"),
        ("食堂吃完饭 好几个学生都在吐", "health", "public_health"),
        ("野猪跑进小区了 大家别下楼", "safety", "disaster"),
        # one example for each pattern that had none here (see the test below)
        ("有个小孩把头探出窗外 在18楼", "safety", "falling_objects"),
        ("好几天没见到对门的阿婆了", "welfare", "elderly"),
        ("水库边几个小孩在游泳 没大人", "safety", "disaster"),
        ("停电了 我爸的制氧机停了", "utilities", "burst_outage"),
        ("电梯门开了没轿厢 差点踩空", "safety", "lift_trapped"),
        ("楼上扔花盆下来 差点砸到人", "safety", "falling_objects"),
        ("路面塌了一个大洞 车陷进去了", "facilities", "flooding_collapse"),
        ("有人抢孩子 往车上抱走了", "security", "missing_person"),
        ("零下好几度 桥洞里睡着个流浪的", "welfare", "hardship"),
        ("高架上连环追尾 好几辆车", "traffic", "accident"),
        ("老妈说头晕 打她电话一直不接", "welfare", "medical_emergency"),
        ("自来水主管裂开了 水往地下室灌", "utilities", "burst_outage"),
    ],
)
def test_red_patterns_of_other_categories(clf: Classifier, text: str, category: str, sub: str) -> None:
    c = clf.classify(text)
    assert c.is_report and (c.category, c.subcategory, c.urgency) == (category, sub, "red"), clf.explain(text)
    assert c.emergency


def test_every_red_pattern_has_an_example_here(clf: Classifier) -> None:
    """Each rules.red_patterns entry matches at least one of the red examples of this file, so a pattern
    added without an example (or one whose every example moved elsewhere) fails here."""
    examples = [
        normalize(args[0])
        for test in (
            test_red_patterns,
            test_red_patterns_of_other_categories,
        )
        for args in test.pytestmark[0].args[1]
    ] + [normalize(text) for text, _category, _sub in GROUP_CHAT_RED_WORDS]
    bare = [p.pattern for p in clf.taxonomy.rules.red_patterns if not any(re.search(p.pattern, e) for e in examples)]
    assert bare == []


# rules.not_red_patterns: forwarded warnings, news from elsewhere, suppositions and scares explained away
# name no emergency here; a quarrel about to turn into a fight and a cluster of fevers are not red either
@pytest.mark.parametrize(
    ("text", "report"),
    [
        ("转发：夏天注意防溺水", False),
        ("万一着火了 楼道这些杂物谁负责", True),
        ("消防通道被堵死了 真着火了消防车咋进", True),
        ("说有煤气味的那家 是人家在熬中药 没漏气", False),  # a scare explained away
        ("两家吵起来了 要动手了", True),  # a quarrel heating up is urgent, not yet an emergency
        ("好几个人发烧咳嗽", True),
        ("热得要着火了", False),  # jokes, dreams, videos and news from far away (rules.drill_patterns)
        ("辅导作业气炸了 救命", False),
        ("刷到一个电瓶车起火的视频 好吓人", False),
        ("梦见家里着火了 还好是梦", False),
        ("刚才晕倒那位 120已经拉走了", False),
        ("楼下那个阿姨老走丢 家里人得看着点", True),  # a worry, not someone missing now
        ("刚才被困电梯的大爷出来了 没事 大家放心", False),
        ("以为孩子丢了 结果在床底下睡着了", False),
        ("听说邻县有个小孩走丢了", False),
        ("天然气没气了 燃气公司电话占线", True),  # the gas ran out: 没气了 is not a person's breath
        ("村口有人烧垃圾 黑烟滚滚", True),  # open burning: yellow
        ("砖厂烟囱每天早上冒黑烟", True),
        ("暖气管子漏水 滴到楼下了", True),  # a heating pipe, not a gas pipe
        ("燃气表一看没气了 刚交的费", True),
        ("电梯门夹人 手臂夹青了", True),  # a lift fault to fix, nobody trapped
        ("门口有辆车堵着消防通道 真着火了消防车都进不来", True),
        ("出租屋起火了 巷子太窄消防车进不来", None),  # a real fire: red (checked below)
        ("被狗咬了 流了点血 狗主人不管", True),  # a bite to see a doctor about: yellow (set j: deep wounds are red)
        ("吃了楼下卤菜店的 一家人都吃坏肚子了", True),  # one household: yellow (many people vomiting: red)
        ("有人在河沟里电鱼 小孩在边上看", True),  # near swimmers it is red
    ],
)
def test_supposed_or_forwarded_emergencies_are_not_red(clf: Classifier, text: str, report: bool | None) -> None:
    c = clf.classify(text)
    if report is None:
        assert c.is_report and c.urgency == "red", clf.explain(text)
        return
    assert c.is_report is report and c.urgency != "red", clf.explain(text)


@pytest.mark.parametrize("text", ["厕所里面有人", "小孩坐在窗台上写作业", "电梯里面有人在抽烟"])
def test_red_pattern_words_alone_are_no_emergency(clf: Classifier, text: str) -> None:
    assert clf.classify(text).urgency != "red"


# rules.not_red_patterns: a drill or a talk names emergencies that are not happening
def test_a_drill_is_no_emergency(clf: Classifier) -> None:
    c = clf.classify("昨晚那场火灾演练挺逼真的，小孩还以为真着火了")
    assert not c.is_report and c.urgency != "red", clf.explain("昨晚那场火灾演练挺逼真的，小孩还以为真着火了")
    assert "演练" in clf.explain("昨晚那场火灾演练挺逼真的，小孩还以为真着火了")
    found = clf.classify("消防演练的时候才发现2栋的消防栓没水")
    assert found.is_report and found.category == "safety" and found.urgency != "red"


def test_every_global_red_trigger_makes_a_red_report(clf: Classifier) -> None:
    for word, numbers in clf.taxonomy.rules.red_triggers.items():
        c = clf.classify(f"3栋这边{word}，快来人看看")
        assert c.is_report, word
        assert c.urgency == "red", (word, clf.explain(f"3栋这边{word}"))
        assert set(numbers) <= set(c.emergency), word


def test_sub_category_red_triggers(clf: Classifier) -> None:
    checked = 0
    for sub in clf.taxonomy.iter_subcategories():
        for trig in sub.red_triggers:
            owners = clf.taxonomy.keyword_owners().get(trig, [])
            if any(o != sub.key for o in owners if o.split(".")[0] != sub.category):
                continue  # the word belongs to another category; it only raises this one
            c = clf.classify(f"楼下{trig}了")
            assert c.urgency == "red", (sub.key, trig, clf.explain(f"楼下{trig}了"))
            checked += 1
    assert checked > 20


def test_red_reply_names_the_fitting_emergency_number(clf: Classifier) -> None:
    assert clf.classify("3栋8楼着火了！冒好多黑烟！").emergency[0] == "119"
    lift = clf.classify("电梯又坏了 困了人!!")
    assert (lift.category, lift.urgency) == ("safety", "red")
    assert "96333" in lift.emergency
    assert clf.taxonomy.emergency_label("119") == "消防"
    assert clf.classify("有人晕倒了，叫不醒").emergency[0] == "120"


def test_a_subject_alone_never_makes_red(clf: Classifier) -> None:
    """Red comes from an emergency phrase, not from naming the subject of a red sub-category."""
    for text in ("我们村计划生育政策落实有问题", "业主们去售楼处堵门维权，没人管"):
        c = clf.classify(text)
        assert c.is_report and c.urgency != "red" and not c.emergency, clf.explain(text)
    assert clf.classify("小区里好多人集体拉肚子").urgency == "red"


# CATEGORIES.md's red examples in the words residents use: a manhole cover missing or stolen, gas
# smelled or leaking from a pipe, an old person not seen for days.
@pytest.mark.parametrize(
    ("text", "category", "number"),
    [
        ("人行道上井盖缺失", "facilities", "110"),
        ("路口窨井盖被盗了", "facilities", "110"),
        ("楼道里闻到煤气", "safety", "119"),
        ("燃气管道泄漏", "safety", "119"),
        ("楼上老人多日未见", "welfare", "110"),
        ("小孩掉水里了", "security", "119"),
        ("河边有人溺水", "security", "120"),
        ("孩子找不到了", "security", "110"),
        ("电线冒火花", "utilities", "95598"),
    ],
)
def test_red_examples_in_residents_words(clf: Classifier, text: str, category: str, number: str) -> None:
    c = clf.classify(text)
    assert (c.is_report, c.category, c.urgency) == (True, category, "red"), clf.explain(text)
    assert number in c.emergency
    assert clf.classify("小区水管泄漏").urgency != "red"


def test_red_trigger_bypasses_notice_filter(clf: Classifier) -> None:
    c = clf.classify("【紧急】3栋着火了")
    assert c.is_report and c.urgency == "red"


def test_negation(clf: Classifier) -> None:
    assert not clf.classify("没有人打架，是在搬家").is_report
    assert clf.classify("不是着火，是邻居在烧菜").urgency != "red"
    assert clf.classify("电梯没坏，是停电了").subcategory != "lift_fault"
    assert "漏水" not in clf.classify("不是漏水，是空调滴水").keywords
    # absence is a complaint, not a negation
    assert clf.classify("这条路上没有路灯，晚上很黑").category == "facilities"


def test_object_fault_pairs_catch_paraphrases(clf: Classifier) -> None:
    c = clf.classify("楼道灯一直不亮")
    assert (c.category, c.subcategory) == ("property", "common_repairs")
    c = clf.classify("2号楼电梯又不动了")
    assert c.category == "property"


def test_traditional_characters(clf: Classifier) -> None:
    assert normalize("電梯又壞了，樓道堆滿雜物") == "电梯又坏了,楼道堆满杂物"
    c = clf.classify("樓道堆滿雜物，電梯又壞了")
    assert c.is_report and c.category in ("environment", "property")
    assert clf.classify("3棟著火了！").urgency == "red"


def test_emoji_mentions_urls_and_full_width(clf: Classifier) -> None:
    assert normalize("@网格员小王 ３号楼ＡＢＣ！！！ https://x.cn/a 😡😡") == "3号楼abc!"
    c = clf.classify("😡😡😡 @物业 3号楼电梯又坏了！！！🙏🙏")
    assert c.is_report and c.category == "property"
    assert c.location == "3号楼"
    assert clf.classify("井盖没了😱😱").urgency == "red"


def test_speaker_role_lowers_confidence(clf: Classifier) -> None:
    text = "3号楼明天下午检修水管，可能停水"
    resident = clf.classify(text, role="resident")
    worker = clf.classify(text, role="grid_worker")
    assert worker.confidence < resident.confidence
    assert not clf.classify("楼道杂物周五前请各自清理", role="secretary").is_report
    # a red message is never silenced by the role
    assert clf.classify("3栋着火了", role="grid_worker").urgency == "red"


def test_confidence_bands(clf: Classifier) -> None:
    strong = clf.classify("北门垃圾堆成山了，好几天没人清")
    assert strong.confidence >= 0.6  # settings.open_threshold: open a case
    weak = clf.classify("电梯的情况")
    assert 0.35 <= weak.confidence < 0.6 or not weak.is_report  # ask or stay silent
    assert clf.classify("哈哈").confidence < 0.35


def test_urgency_yellow_when_it_drags_on(clf: Classifier) -> None:
    assert clf.classify("路灯不亮了").urgency == "green"
    assert clf.classify("路灯不亮好几天了，老人晚上出门很危险").urgency == "yellow"


def test_locations() -> None:
    assert extract_location("3号楼2单元楼道堆满杂物") == "3号楼2单元楼道"
    assert extract_location("5栋1203室漏水") == "5栋1203室"
    assert extract_location("幸福路与人民路交叉口红绿灯坏了") == "幸福路与人民路交叉口"
    assert extract_location("北门垃圾没人清") == "北门"
    assert extract_location("阳光小区门口占道经营") == "阳光小区"
    assert extract_location("渣土车撒了一路") is None
    assert extract_location("路灯不亮") is None


def test_classification_as_dict_is_json_ready(clf: Classifier) -> None:
    import json

    c = clf.classify("3号楼井盖没了")
    d = c.as_dict()
    assert isinstance(c, Classification)
    assert d["is_report"] is True and d["category"] == "facilities" and d["urgency"] == "red"
    assert isinstance(d["keywords"], list) and isinstance(d["emergency"], list)
    json.dumps(d, ensure_ascii=False)


def test_explain_is_chinese_and_says_why(clf: Classifier) -> None:
    text = clf.explain("电梯又坏了 困了人!!")
    assert "是问题上报" in text and "困了人" in text and "96333" in text
    text = clf.explain("【物业通知】明天停水")
    assert "不是问题上报" in text and "通知" in text


def test_taxonomy_queries(clf: Classifier) -> None:
    tx = clf.taxonomy
    assert tx.category_name("environment") == "环境卫生"
    assert tx.subcategory_name("facilities", "streetlight").startswith("路灯")
    assert tx.deadlines("safety", "fire", "red") == ("15m", "24h")
    assert tx.deadlines("other", None, "yellow") == ("4h", "3wd")
    assert tx.deadlines("environment", "garbage", "green") == ("2h", "1wd")
    assert tx.tier("dispute", "neighbour") == "grid"
    assert tx.department("utilities", "power_supply")
    for cat in tx.categories.values():
        for sub in cat.subcategories.values():
            for urg in ("red", "yellow", "green"):
                accept, resolve = tx.deadlines(cat.code, sub.code, urg)
                assert accept and resolve


def test_every_keyword_is_one_jieba_token(clf: Classifier) -> None:
    """jieba's default dictionary splits 路灯不亮 into 路/灯不亮; registered words stay whole."""
    assert clf.tokens("路灯不亮") == ["路灯不亮"]
    assert clf.tokens("煤气味") == ["煤气味"]
    split = [w for w in clf.rules.vocabulary() if not w.isascii() and clf.tokenizer.lcut(w, HMM=False) != [w]]
    assert not split, split[:20]


@pytest.mark.parametrize(
    "text",
    ["老板拖欠我们三个月工资", "楼下那家店长期占用消防车道", "装修押金一直不退", "反映多次了还是没人管"],
)
def test_strong_complaint_wording_alone_is_a_report(clf: Classifier, text: str) -> None:
    assert clf.classify(text).is_report


@pytest.mark.parametrize("text", ["哈哈今天好开心", "你好好休息", "我觉得挺好的"])
def test_chat_without_complaint_wording_stays_silent(clf: Classifier, text: str) -> None:
    assert not clf.classify(text).is_report


def test_negated_complaint_wording_does_not_count(clf: Classifier) -> None:
    assert not clf.classify("不是漏水").is_report
    assert not clf.classify("没有人打架").is_report
    # the same word un-negated elsewhere in the message still counts
    assert clf.classify("不是漏水，是楼上在漏水").is_report


@pytest.mark.parametrize(
    ("text", "category"), [("老人子女不给赡养费", "dispute"), ("桥上的栏杆断了好几根", "facilities")]
)
def test_refusals_are_not_negations(clf: Classifier, text: str, category: str) -> None:
    c = clf.classify(text)
    assert c.is_report and c.category == category


# Category boundaries fixed with the public dev sample (bench/category_dev.py); own examples.
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("楼上噪音太大，天天晚上跺来跺去", "dispute"),  # neighbours, not city management
        ("厂里强制加班，不加班就扣钱", "dispute"),
        ("在工地干了半年，工资没拿到", "dispute"),
        ("社区医院乱收费，挂个号收了两次钱", "health"),  # 乱收费: the subject decides
        ("学校乱收费，一学期多收好几百", "welfare"),
        ("物业乱收费，车位费说涨就涨", "property"),
        ("培训班还没开课就跑了，拒不退费", "market"),
        ("路口没有斑马线，老人过马路太危险", "traffic"),
        ("开发商延期交房，新房墙面空鼓", "other"),
        ("我们村危房改造的补助拖了两年", "other"),
        ("销售公司占用小区公共车位", "property"),
        ("物业一直不退我家的装修押金", "property"),
        ("小区门口道路乱停，车都开不进来", "order"),
    ],
)
def test_category_boundaries(clf: Classifier, text: str, category: str) -> None:
    c = clf.classify(text)
    assert c.category == category, (text, c.category, c.keywords)
    assert c.is_report, (text, c.confidence)


def test_grievance_words_without_subject_go_to_other(clf: Classifier) -> None:
    c = clf.classify("有关部门不作为，一直推诿")
    assert c.is_report and c.category == "other"


# A subject the rules know, named in plain register (no 我/你, 呢/啊, 哈哈, no question), is how
# residents title a report; with chit-chat wording around it, it stays below the report threshold.
@pytest.mark.parametrize("text", ["单元楼下的化粪池", "后街的公厕"])
def test_subject_in_plain_register_is_a_report(clf: Classifier, text: str) -> None:
    assert clf.classify(text).is_report


def test_subject_in_plain_register_asks_rather_than_opens(clf: Classifier) -> None:
    # a subject alone is more likely a report than not, but not enough to open without asking
    assert 0.5 <= clf.classify("楼下的垃圾桶").confidence < 0.6  # settings.open_threshold


@pytest.mark.parametrize(
    "text",
    [
        "咱家楼下的化粪池啊",
        "哈哈我们小区那座桥好漂亮啊",
        "小孩的学校",
        "垃圾桶",
        "物业新来的经理",
        "公交车改线了",
        "明天上午电梯维保",
        "新装的路灯挺亮",
        "垃圾清运车几点来",
    ],
)
def test_subject_in_chat_register_is_not(clf: Classifier, text: str) -> None:
    assert not clf.classify(text).is_report


# The register of a petition (关于…的问题, 存在问题, 请求…尽快…) and a refused duty (不维修) report
# whatever the subject; a title that names a timetable or a policy only asks for information.
@pytest.mark.parametrize(
    "text",
    [
        "物业一直不维修顶楼的水箱",
        "关于老年活动室被人占着打牌的问题",
        "新交的房子存在问题",
        "请求社区尽快把北边那段土路硬化",
        "我们这栋楼是手机信号盲区",  # grievance words of the long tail (session 6)
        "业委会账目一点都不透明",
        "新开的停车场收费项目不合规",
        "电视信号被干扰看不了",
    ],
)
def test_petition_register_is_a_report(clf: Classifier, text: str) -> None:
    assert clf.classify(text).is_report


@pytest.mark.parametrize("text", ["地铁三号线的开通时间", "公租房的申请条件", "建议大家多喝水"])
def test_information_titles_are_not_reports(clf: Classifier, text: str) -> None:
    assert not clf.classify(text).is_report


# An opinion on a policy or a whole sector (rules.policy_patterns) is not a problem at a place,
# unless it carries grievance wording a petition uses (违规).
@pytest.mark.parametrize(
    "text",
    ["医疗体制改革要让老百姓看得起病", "规范本市出租车市场，提高服务水平", "浅谈社区养老服务", "完善养老保险机制"],
)
def test_opinion_on_a_policy_or_sector_is_not_a_report(clf: Classifier, text: str) -> None:
    c = clf.classify(text)
    assert not c.is_report
    assert "政策或整个行业" in clf.explain(text)


def test_opinion_with_grievance_wording_stays_a_report(clf: Classifier) -> None:
    assert clf.classify("物业违规收费，建议建立监督机制").is_report


def test_suggestion_about_a_known_subject_is_a_report(clf: Classifier) -> None:
    c = clf.classify("建议在菜场门口装几个路灯")
    assert c.is_report and c.category == "facilities"


# Generic grievance wording (反映多次, 得不到解决) says nothing of the subject: the subject decides.
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("3栋停水好几天了，反映多次得不到解决", "utilities"),
        ("楼下超市卖假冒伪劣的洗衣液", "market"),
        ("半夜了工地还在施工", "order"),
        ("网上订房平台的保证金一直不退", "market"),
        ("幼儿园门口没有斑马线", "traffic"),  # an absent object is its fault, not a negation
        ("后山那个采石场又开工了，整天轰隆隆", "ecology"),  # the kind of works names the polluter
        ("投诉工地一大早就违规施工", "order"),  # building against the rules is 城管's, not a hazard
        ("隔壁楼非法施工把我家墙震裂了", "order"),
        ("村东头的养猪场臭得没法住", "ecology"),
    ],
)
def test_subject_decides_the_category(clf: Classifier, text: str, category: str) -> None:
    c = clf.classify(text)
    assert c.is_report and c.category == category


@pytest.mark.parametrize("text", ["电梯没有坏", "垃圾桶没有满", "路灯不是坏了", "电梯冇坏"])
def test_a_subject_said_to_be_fine_is_not_a_report(clf: Classifier, text: str) -> None:
    assert not clf.classify(text).is_report


# Place-like words (安置小区, 社区, 桥 in a village name) are weak topics: the utility or fixture
# named after them decides; everyday wording for supply, drains, dogs and rail fares.
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("安置小区通天然气的事拖了两年", "utilities"),
        ("我们二期的生活用水问题谁来管", "utilities"),
        ("秦桥村的自来水一直发黄", "utilities"),
        ("社区门口的红绿灯坏了", "traffic"),
        ("东门那个雨水井又堵了", "facilities"),
        ("隔壁院子的狗吠到半夜", "order"),
        ("城际铁路票价太贵了", "traffic"),
    ],
)
def test_weak_place_words_and_new_vocabulary(clf: Classifier, text: str, category: str) -> None:
    c = clf.classify(text)
    assert c.is_report and c.category == category


# A scheme or a plan named alone (公积金, 养老金, 网约车从业证, 规划) is how people ask about it, not how they report a
# problem: below the report threshold (the bot asks), with its category kept; a grievance about it
# (断缴, 没人管, 歧视) is a report.
def test_schemes_named_alone_are_asked_about(clf: Classifier) -> None:
    for text, category in (
        ("公积金提取", "welfare"),
        ("养老金待遇", "welfare"),
        ("网约车从业证", "traffic"),
        ("东区规划问题", "other"),
        ("二期车位产权", "property"),
    ):
        c = clf.classify(text)
        assert not c.is_report and c.category == category, clf.explain(text)
    for text in (
        "我妈的医保报销一直没人管",
        "单位给我们断缴社保",
        "公司招聘时歧视外地人",
        "规划道路被人占用堆杂物",
    ):
        assert clf.classify(text).is_report, clf.explain(text)


# Petition wording (责令), an enterprise's fumes (沥青味) and "when will it finally be dealt with"
# (何时能整顿好) are reports; asking when something opens is not.
def test_petition_fumes_and_when_will_it_be_dealt_with(clf: Classifier) -> None:
    for text, category in (
        ("请责令这家化工厂停产整改", "ecology"),
        ("厂里天天冒沥青味，熏得人头疼", "ecology"),
        ("小区门口的黑车何时能整顿好？", None),
    ):
        c = clf.classify(text)
        assert c.is_report and category in (None, c.category), clf.explain(text)
    assert not clf.classify("请问小区门口的停车场何时开放？").is_report


# Estate and refuse-site vocabulary: no property company, the facade, a refuse site, spoiling the look.
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("安置小区一直没有物业", "property"),
        ("3栋外墙面裂了好几条缝", "property"),
        ("村口的垃圾场臭得不行", "environment"),
        ("路边这排广告牌影响市容美观", "order"),
    ],
)
def test_estate_and_refuse_site_vocabulary(clf: Classifier, text: str, category: str) -> None:
    c = clf.classify(text)
    assert c.is_report and c.category == category, clf.explain(text)


# A grievance asked as a question (凭什么, 为何, 去哪了, 怎么这么慢) about a known subject is a report.
@pytest.mark.parametrize(
    ("text", "category"),
    # a fare not metered is a price matter (market, as CATEGORIES.md lists prices), whoever charges it
    [("凭什么不让我家孩子在片区小学入学？", "welfare"), ("火车站门口的出租车都不打表", "market"),
     ("办个残疾证怎么这么慢", "welfare"), ("说好的养老补贴去哪儿了", "welfare")],  # 去哪了, 怎么这么慢
)
def test_grievance_questions_are_reports(clf: Classifier, text: str, category: str) -> None:
    c = clf.classify(text)
    assert c.is_report and c.category == category


# Information questions (cls-precision): asking when something opens or starts, whether one may or
# is entitled to, how a procedure goes, what a standard or fee is, which office handles it, whether
# a plan exists, or naming a plan / policy / subsidy as the whole title. With no fault, nuisance or
# grievance word they must not open a case (the bot may still ask, below the report threshold).
@pytest.mark.parametrize(
    "text",
    [
        "江滨路的公交站什么时候开通",
        "小区门口的路灯什么时候安装",
        "幸福路何时能通车",
        "外地户口的孩子是否可以在这边入学",
        "退休人员能否办理居住证",
        "个体户可不可以补缴社保",
        "老年卡丢了该如何补办",
        "医保关系如何转移",
        "高龄补贴的发放标准是什么",
        "停车费的收费标准是多少？",
        "办居住证需要准备哪些材料",
        "残疾证年审该找哪个部门",
        "学校附近有没有规划建公园",
        "新城那边有规划建医院吗",
        "关于养老政策的疑问",
        "对公积金提取的一点疑惑",
        "新小区的配套",
        "东片幼儿园的招生情况",
        "高龄老人生活补助",
        "关于老街区改造的问题",
        # a housing or residence policy named alone (weak topics)
        "保障房轮候",
        "二套房的首付",
    ],
)
def test_information_questions_do_not_open_a_case(clf: Classifier, text: str) -> None:
    c = clf.classify(text)
    assert not c.is_report, clf.explain(text)


# The same question words next to a fault, a nuisance or a grievance keep the message a report.
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("为什么北门的路灯一直不亮", "facilities"),
        ("凭什么物业不给换门禁卡", "property"),
        ("小区的垃圾为什么还没人清", "environment"),
        ("楼下烧烤店天天吵到半夜，怎么没人管", "order"),
        ("电梯坏了一个星期，什么时候能修好？", "property"),
        ("断水三天了，何时恢复供水", "utilities"),
        ("路灯坏了半个月，什么时候安装新的", "facilities"),
        ("隔壁工地通宵施工，是否可以投诉", "order"),
        ("为何公交车到现在还不开通", "traffic"),
        ("关于小区门口占道经营的问题", "order"),
        ("公租房漏水三个月没人修", "property"),
        ("保障房分配不公平，有人走后门", "other"),
    ],
)
def test_grievance_and_fault_questions_stay_reports(clf: Classifier, text: str, category: str) -> None:
    c = clf.classify(text)
    assert c.is_report and c.category == category, clf.explain(text)


# Session 5, from the classifier's misses on the tune half of the 1,955 labelled public titles:
# personnel matters of public bodies (编制, 职称, 招聘, 考试) are not a welfare need but `other`; fumes,
# illegal fishing and damage to the environment are ecology; rebuilding without permission is order;
# a fare (不打表, 乱涨价) is a price (market). Own examples.
@pytest.mark.parametrize(
    ("text", "category", "sub"),
    [
        ("区里事业单位招考，面试打分暗箱操作不公平", "other", "personnel"),
        ("我们单位的职称评审拖了三年没结果", "other", "personnel"),
        ("这次的编制名额被人违规顶替了", "other", "personnel"),
        ("河边那家喷漆厂天天释放油漆味", "ecology", "air_pollution"),
        ("采石场污染环境，庄稼都死了", "ecology", "air_pollution"),
        ("禁渔期还有人下地笼捕捞", "ecology", "illegal_fishing"),
        ("一楼住户违规改建，把承重墙打掉了", "order", "illegal_construction"),
        ("客运站的班车春节乱涨价", "market", "consumer"),
        ("学校克扣我们老师的年终奖金", "dispute", "wages"),
        ("厂里随便扣员工的绩效工资", "dispute", "wages"),
    ],
)
def test_personnel_ecology_and_price_vocabulary(clf: Classifier, text: str, category: str, sub: str) -> None:
    c = clf.classify(text)
    assert c.is_report and (c.category, c.subcategory) == (category, sub), clf.explain(text)


@pytest.mark.parametrize("text", ["明天面试好紧张", "下午考试加油哦"])
def test_exams_and_interviews_in_chat_are_not_reports(clf: Classifier, text: str) -> None:
    assert not clf.classify(text).is_report, clf.explain(text)


# rules.venues: a place named as where something is wrong yields to the subject that is wrong there;
# named alone it keeps its category.
@pytest.mark.parametrize(
    ("text", "category"),
    [("车棚边上的灯箱挡住了店门", "order"), ("城东医院看个病排队太久", "health")],
)
def test_a_venue_yields_to_the_subject(clf: Classifier, text: str, category: str) -> None:
    c = clf.classify(text)
    assert c.is_report and c.category == category, clf.explain(text)


def test_latin_keywords_match_whatever_the_case(clf: Classifier) -> None:
    """The text is lower-cased before matching, so are the keywords (KTV, 卡拉OK and APP never matched)."""
    c = clf.classify("楼下KTV吵到后半夜")
    assert c.is_report and c.category == "order" and "ktv" in c.keywords, clf.explain("楼下KTV吵到后半夜")
    assert "ktv" in clf.taxonomy.vocabulary() and "KTV" not in clf.taxonomy.vocabulary()


# Session 7, from group-chat set j (now a tune set): praise and thanks, notices that ask residents to
# act, a tradesman recommended, questions about a planned cut, news from the estate next door, a scare
# explained away; and the everyday wording of reports it missed. Own examples.
NON_REPORTS_J = [
    "保安大哥把车棚收拾得锃亮 谢谢",
    "多谢帮我捡到钥匙的好心人",
    "明天小区打药 请看好小孩",
    "今晚开始供暖 请检查家里阀门有没有关",
    "马桶堵了可以找这个师傅 收费公道",
    "后天停电是全天吗",
    "社区电话多少",
    "在哪报名打疫苗",
    "隔壁小区停电上新闻了",
    "听说东区那边水管爆了 我们这还好",
    "门口那只小狗真可爱",
    "刚砰的一声吓我一跳 原来是轮胎 没事",
]


REPORTS_J = [
    ("车棚插座烧黑了 还有人在充", "property"),
    ("巷子口晚上没灯 黑漆漆的", "facilities"),
    ("又丢电瓶了 车棚监控有啥用", "security"),
    ("后门老有人蹲着 看着不对劲", "security"),
    ("又停水！！也没通知", "utilities"),
    ("水龙头流黄水 这能喝吗", "utilities"),
    ("暖气拔凉拔凉的 老人受不了", "utilities"),
    ("树枝伸进我家窗户了", "facilities"),
    ("小区篮板掉了一块", "facilities"),
    ("限高杆被撞歪了", "traffic"),
    ("工头欠我们两个月工资 人找不到了", "dispute"),
    ("儿子把我赶出来了", "dispute"),
    ("一楼又在搭棚子 这不违建吗", "order"),
    ("池塘边当心落水的牌子倒了", "facilities"),
]


# Session 7, from group-chat set k (measured untouched first: red 32/60; now a tune set). Own examples.
RED_WORDS_K = [
    ("厂里流出来一摊不知道啥液体 在冒泡 刺鼻得很", "ecology", "water_pollution"),
    ("楼顶广告牌被风吹得直晃 下面就是学校大门", "safety", "falling_objects"),
    ("桥底下躺着个人 怎么喊都不醒", "welfare", "medical_emergency"),
    ("房东带人来砸锁 两边推起来了", "security", "fight"),
    ("对门屋头烟子冒得好大 没得人应", "safety", "fire"),
    ("王奶奶倒在楼下了 叫她也不应", "welfare", "medical_emergency"),
    ("托儿所好多孩子吃完饭都在吐", "health", "public_health"),
    ("烧烤店后厨着起来了", "safety", "fire"),
    ("地下车库水管爆了 水往配电房那边流", "safety", "disaster"),
    ("湖边的护栏断了 几个孩子在那下水玩", "facilities", "public_fixtures"),
    ("一个老太太在马路中间走 车开得飞快", "welfare", "elderly"),
    ("大风把大树刮倒了 压在车上", "facilities", "trees_walls"),
    ("轰的一声 对面窗玻璃全震碎了", "safety", "fire"),
    ("楼上那个男的拎着锤子下来了", "security", "fight"),
    ("电瓶在电梯里冒白烟了", "safety", "ebike_charging"),
    ("小区伸缩门夹住一个小孩", "property", "common_repairs"),
    ("阿伯自己一个住 两日冇见佢", "welfare", "elderly"),
    ("楼梯口好大阵石油气味", "safety", "gas_leak"),
    ("有人再撬隔壁的门", "security", "theft"),
    ("小区门口自来水主管爆了 水喷老高", "utilities", "burst_outage"),
    ("两伙人在村口动上手了", "security", "fight"),
    ("天桥栏杆断了一截 下面就是车道", "facilities", "public_fixtures"),
    ("有个男的把小姑娘往面包车上拉", "security", "violence_threat"),
    ("车库里电瓶车自燃了", "safety", "fire"),
    ("我家小孩一个人锁在屋里了 在阳台哭", "welfare", "minors"),
    ("货车把骑车的阿姨撞倒了 司机还没停", "traffic", "accident"),
    ("那面老墙在往外鼓 底下有人摆摊", "safety", "falling_objects"),
    ("儿子放学到现在没到家 电话也不通", "security", "missing_person"),
]


# toys, dramas, hypotheticals, reminders, forwarded advice, scares explained away, apologies, greetings
# with an emoji code, news that something was dealt with, invitations: no report and no alarm
NON_REPORTS_K = [
    "孩子玩消防车玩具 一直喊着火了",
    "如果老人走丢了 多久能报警",
    "对面冒烟的是在用蒸汽熨斗 没事",
    "提醒：冬天烧炭取暖请开窗 谨防一氧化碳中毒",
    "电视剧里的爆炸场面拍得真好",
    "刚才说走丢的老人是他孙子接走了 我误会了",
    "要是着火了往哪边跑 有人知道吗",
    "转给大家 燃气泄漏的正确处理方法",
    "晕倒的大爷醒了 说是低血糖 好多了",
    "敲门没人应那家 电话打通了 在外地旅游 平安",
    "那个坑已经填平了",
    "广场舞队招新 姐妹们快来报名",
    "刚才那声是放鞭炮 不是爆炸",
    "早上好各位邻居[太阳]",
    "孩子他爸喝多了在家唱歌 吵到大家不好意思啊",
    "小区网络哪家的比较快",
    "那辆渣土车被扣了 活该",
    "今晚谁整点烧烤 我请客",
    "明天8点起小区路面施工 车辆请停到外面",
    "刚才闻到的是隔壁刷油漆 师傅测过了 没泄漏",
    "楼下吵架的两口子和好了",
    "社区书法班开始报名了",
    "飞线充电那家 我跟他说了 线收回去了",
    "假如停电一星期会怎样 只是想想",
    "群里说煤气味的是我家 炖汤糊了 对不起大家",
    "楼下吵架的是在拍短视频 演的",
]


REPORTS_K = [
    ("单元门上又被喷了开锁电话", "environment"),
    ("小河沟漂满了垃圾", "environment"),
    ("店门口招牌歪了 快掉了", "order"),
    ("卖菜的秤不准 一斤少二两", "market"),
    ("水龙头放出来带沙子", "utilities"),
    ("燃气卡充了钱表上不显示", "utilities"),
    ("河边那排路灯全黑了", "facilities"),
    ("12路突然停运了 也没通知", "traffic"),
    ("广场舞音响震天响 十点了还在跳", "order"),
    ("脚手架没围挡 钢管斜靠在墙上", "safety"),
    ("灭火器压力表指针都在红区了", "safety"),
    ("孤老摔断腿了 饭都没人做", "welfare"),
    ("电动车锁被剪了 车被推走了", "security"),
    ("电表走得特别快 家里没开电器", "utilities"),
    ("消防栓箱是空的 水带都没了", "safety"),
    ("谁家狗在电梯里拉屎不收拾[捂脸]", "environment"),
    ("小区那口废井就盖了块木板", "facilities"),
    ("厂子排气口天天一股酸味", "ecology"),
    ("换个燃气表收三百块 这合理吗", "utilities"),
    ("桥洞里睡着个流浪汉 就穿件单衣", "welfare"),
    ("树上的大枝杈裂开了 吊着晃", "facilities"),
    ("对门把鞋柜摆公共过道 说了不听还骂我", "dispute"),
    ("隔壁楼有人得了肺结核", "health"),
    ("有人把电动车推回家充一整晚", "safety"),
    ("矿泉水卖五块一瓶 还不标价", "market"),
]


# Session 7, from group-chat set l (measured untouched first: red 43/60 after sets j and k; now a tune
# set). Own examples.
RED_WORDS_L = [
    ("路口红绿灯全灭了 一群学生正在过马路", "traffic", "accident"),
    ("3座楼下有架车烧紧 火好猛", "safety", "fire"),
    ("好几家上吐下泻 有个老人已经送医院了 是不是传染", "health", "public_health"),
    ("电梯困咗人 撳警钟都冇人理", "safety", "lift_trapped"),
    ("隔壁阿婆家门缝里有股怪味", "welfare", "elderly"),
    ("8号梯卡在两层中间 里面有人在拍门", "safety", "lift_trapped"),
    ("独居的李婆婆在卫生间摔了 在里面喊 门反锁了", "welfare", "medical_emergency"),
    ("塘边没大人 一个细伢子蹲在水边上", "safety", "disaster"),
    ("台风把老榕树刮歪了 压在人家窗户上", "facilities", "trees_walls"),
    ("吃了那家的凉皮全吐了 群里还有两家也是", "health", "public_health"),
    ("瘫在床上的老爷子 儿子不在 好几天没人送饭", "welfare", "elderly"),
    ("女儿放学还没到家 电话关机", "security", "missing_person"),
    ("车里锁着个宝宝 太阳那么大", "welfare", "minors"),
    ("楼上一股烧焦味 敲门没人开", "safety", "fire"),
    ("烧烤摊那边有人被捅了", "security", "fight"),
    ("出租屋里有人在打孩子 打得哇哇叫", "security", "violence_threat"),
]


NON_REPORTS_L = [
    "救命 体重又涨了",
    "这家火锅辣得我嘴巴着火",
    "烧焦味是我家 炒菜糊了 不好意思",
    "今晚球赛太炸了",
    "困电梯的大爷出来了 人没事",
    "网上说外地有人冒充社区上门收钱 提醒一下大家",
    "核酸点撤了 以后不用再排队了",
    "周日小区喷药 请关好门窗",
    "煤气味是楼下在熏腊肉 问清楚了 大家别慌",
    "假如孩子走丢了 先打110还是找物业",
    "新闻里说北方流感病例增加了",
    "万一煤气泄漏 应该先开窗还是先关阀",
    "电动车不让进楼我支持",
    "群里说的可疑人员是新来的保安 大家别紧张",
    "有没有人打麻将 三缺一",
    "哪位知道小区的网是哪家的",
    "各位业主 物业费可以缴纳了 微信或前台均可",
    "本小区将进行管道清洗 期间请关好水阀",
    "小区喷白雾是在消杀 不是失火",
    "刚才报警器响是有人抽烟触发了烟感",
    "那个摊子城管来过以后没再摆了",
]


REPORTS_L = [
    ("绿化带里扔了好多外卖盒", "environment"),
    ("自行车座子又被人偷了[捂脸]", "security"),
    ("斑马线褪色都看不清了", "traffic"),
    ("诊所连个消毒柜都没有", "health"),
    ("隔壁的狗叫到晚 说了也不管", "order"),
    ("小区出口树挡着视线 看不见来车", "traffic"),
    ("几个喝大了的在门口撒酒疯", "security"),
    ("物业费的收支能不能公示一下", "property"),
    ("早市摊子把路堵得死死的", "order"),
    ("残疾人补贴停发了 半年了", "welfare"),
    ("工厂机器嗡嗡的 震得玻璃响", "ecology"),
    ("楼道里纸壳子旧家具堆满了", "environment"),
    ("晾的衣服被人顺走了", "security"),
    ("绿化带草比人高 好久没修了", "facilities"),
    ("池塘边的救生圈不见了", "facilities"),
    ("理发店说好的价格 又要加钱", "market"),
    ("减速带被拆了 车都飙着过", "traffic"),
]


# Session 7, from group-chat set n (online register of new high-rise estates; measured untouched first:
# red 33/60; now a tune set). Own examples.
RED_WORDS_N = [
    ("有个人顺着水管往5楼爬 那家窗户开着", "security", "theft"),
    ("配电房里噼里啪啦冒火花 一股烧糊味", "safety", "fire"),
    ("对面楼有个娃娃坐在窗台上 窗户大开 没看到大人", "safety", "falling_objects"),
    ("我爸在ATM那转钱 说要转到安全账户 劝不住", "security", "fraud"),
    ("楼下大堂有个大爷晕过去了", "welfare", "medical_emergency"),
    ("车里一直有人不熄火 我在旁边头晕想吐 怀疑一氧化碳", "ecology", "air_pollution"),
    ("那辆车没拉手刹 往下溜了 前面有小孩", "traffic", "accident"),
    ("工地塔吊吊着钢管从头顶转过去 下面一堆小孩在玩", "safety", "construction_hazard"),
    ("一条大狗把小孩扑倒了", "health", "dog_bite"),
    ("供水总管接头崩了 水往配电柜那边漫", "safety", "disaster"),
    ("阳台上有个小孩往外爬 半个身子都探出去了", "safety", "falling_objects"),
    ("我被关在lift里了 刚刚往下坠了一截", "safety", "lift_trapped"),
    ("路口红绿灯全灭了 放学车又多 小孩站在路中间不敢走", "traffic", "accident"),
    ("一个男的抱着个小孩往外走 孩子喊你不是我爸爸", "security", "missing_person"),
    ("几个人围着一个小伙在打 倒地上了还在踢", "security", "fight"),
    ("停车场有辆车里锁着个两岁的孩子", "welfare", "minors"),
    ("水顺着电梯井往下流 电梯还在跑", "safety", "disaster"),
    ("隔壁小孩一直拍门喊妈妈 嗓子都哑了 大人好像不在家", "welfare", "minors"),
    ("车棚有人在剪锁 已经推走一辆了", "security", "theft"),
    ("那台梯卡在半中间 里面有个孕妇", "safety", "lift_trapped"),
    ("我孙子在门口玩着玩着找不到了", "security", "missing_person"),
    ("化工厂放黄烟 眼睛疼 小孩都在咳", "ecology", "air_pollution"),
    ("商场门口伸缩门把小孩的腿夹住了", "property", "common_repairs"),
    ("空调外机只剩一个角挂着 底下一堆人排队", "safety", "falling_objects"),
]


NON_REPORTS_N = [
    "这奶茶好喝到爆炸",
    "被困在公司加班 谁来救我",
    "红烧肉又糊了 邻居们别报警",
    "我家主子爬到柜顶下不来 喵喵喊救命",
    "家里wifi又抽风了",
    "救命 这只小猫也太可爱了",
    "今天基金又绿了 原地炸了",
    "物业管家：本月停车费缴费通道已开通",
    "刚才说的停水 水已经来了",
    "保安大哥冒雨帮我推车 太感动了",
    "万一停电了 地库的车能开出来吗",
    "有人知道外面怎么那么多警车吗",
    "如果闻到燃气味 第一件事该干嘛",
    "漏水的事跟楼上沟通好了 不用麻烦物业了",
    "假设孩子走丢了 小区有没有应急流程",
    "居家一周 人都快发霉了",
    "羽毛球群拉一下 人越多越好",
    "反映的那个井盖已经换新的了",
    "30楼的怎么逃生 求个逃生路线",
    "投票链接在哪",
    "捡到一串钥匙 失主来物业领",
]


REPORTS_N = [
    ("燃气账单多了一笔服务费", "utilities"),
    ("3号楼lift一顿一顿地往下掉", "property"),
    ("家里空调老跳闸 电压不稳", "utilities"),
    ("小区好几家孩子发烧咳嗽", "health"),
    ("隔壁空调冷凝水滴在我家阳台", "dispute"),
    ("有户人家开小饭桌 没有证照", "market"),
    ("储藏间囤了好多桶汽油", "safety"),
    ("有人自称物业来收检测费", "security"),
    ("大风把人行道的树吹倒了 横在路中间", "facilities"),
    ("驿站取件要收保管费", "market"),
    ("车标被人掰了", "security"),
    ("交了暖气费 暖气不怎么热", "utilities"),
    ("又停了 早上起来没水刷牙", "utilities"),
    ("晚上十点了隔壁还在电钻", "order"),
    ("喷泉池的水都发绿了", "environment"),
    ("草坪多久没剪了 蚊子多", "facilities"),
    ("安全出口被铁链锁上了", "safety"),
    ("门禁卡补办要收五十", "property"),
    ("小孩放学一个人在家 饭都是泡面", "welfare"),
]


# rules.alarm_patterns: a report that also calls for help now is red, whatever its subject; the call
# alone (an invitation, a request to repair) is not, nor is it in a drill or a supposition
@pytest.mark.parametrize(
    ("text", "red"),
    [
        ("5号楼外墙的砖一块块往下掉 快来拉警戒线", True),
        ("有个醉汉抱着个小孩往小区外走 谁在东门拦一下", True),
        ("车库一股怪味 保安快下来看看", True),
        ("广场舞队招新了 姐妹们快来", False),  # not a report: the call does not make one
        ("路灯坏了好几天 物业快来修一下", False),  # a repair, asked for politely: no emergency
        ("演练开始了 大家快来人看看", False),
    ],
)
def test_a_call_for_help_makes_a_report_red(clf: Classifier, text: str, red: bool) -> None:
    c = clf.classify(text)
    assert (c.urgency == "red") is red, clf.explain(text)
    if red:
        assert c.is_report and c.emergency and "因为" in clf.explain(text)


# Session 7, from group-chat set m (villages and old streets, voice input and dialect; measured
# untouched first: red 24/60; now a tune set). Own examples.
RED_WORDS_M = [
    ("我一个人在家心口疼得厉害 喘不上气", "welfare", "medical_emergency"),
    ("田里烧稻草 火烧到竹林里去了 旁边就是房子", "safety", "fire"),
    ("自来水总管爆了 水柱冲起老高", "utilities", "burst_outage"),
    ("三轮车翻沟里了 开车的压在下头", "traffic", "accident"),
    ("自建房墙上裂了道口子 还在咔咔响 里面住着人", "safety", "building_danger"),
    ("我舅舅摔倒了爬不起来 他一个人住", "welfare", "medical_emergency"),
    ("我妈在信用社排队 要把钱转到安全账户 谁去拦她一下", "security", "fraud"),
    ("一辆小车冲进水沟了 车里有人在拍窗户", "traffic", "accident"),
    ("小卖部的散装白酒 村里几个人喝了 头晕眼睛看不清", "market", "food_safety"),
    ("赶集人多 我孙女一转眼就不见了", "security", "missing_person"),
    ("工地脚手架倒下来了 底下有人", "safety", "construction_hazard"),
    ("木板桥断了两块 下面水急 老人还在上面走", "facilities", "public_fixtures"),
    ("塘埂在往外冒浑水 下面住着人", "safety", "disaster"),
    ("她跟男人吵架喝了半瓶农药", "welfare", "medical_emergency"),
    ("两家吵起来了 都扛着铁锹 推推搡搡", "security", "fight"),
    ("河里的鱼成片翻白 一股药水味", "ecology", "water_pollution"),
    ("老井里有小孩在底下哭喊", "safety", "disaster"),
    ("出租屋那户门缝冒出一股媒气味 敲门没人应", "welfare", "elderly"),
    ("他下沼气池掏渣 下去就没声了", "safety", "hazardous_goods"),
    ("有人正往车上赶牛 不是我们村的", "security", "theft"),
    ("砰的一声 窗玻璃都在抖 化工厂冒黑烟带火", "safety", "fire"),
    ("马蜂追着放学的孩子叮", "environment", "pests"),
    ("半夜水漫进屋了 到膝盖了 门推不开", "safety", "disaster"),
    ("五保户张奶奶三四天没见人 门从里面闩着", "welfare", "elderly"),
    ("桥洞里那个流浪的 嘴唇都乌了 叫了好几声没反应", "welfare", "medical_emergency"),
    ("地里趴着个老汉 喊他不应", "welfare", "medical_emergency"),
    ("一条狗见人就咬 咬了两个娃娃", "health", "dog_bite"),
    ("卖肉的提起砍刀追人", "security", "fight"),
    ("有个男的拎着汽油 说不给钱就点火", "security", "violence_threat"),
    ("我公公早上出门 到现在天黑了还没回来", "security", "missing_person"),
    ("大风把老樟树刮倒了 压在人家厨房顶上", "facilities", "trees_walls"),
    ("庙会的戏台子在晃 台下挤满了人", "safety", "falling_objects"),
    ("一个男的把小女孩抱上摩托就跑", "security", "missing_person"),
    ("拉砖的货车刹车失灵了 往坡下溜", "traffic", "accident"),
    ("卖菜的阿婆晕在摊子后面 吐白沫", "welfare", "medical_emergency"),
    ("有人翻进老李家院墙 屋里有手电光", "security", "theft"),
]


NON_REPORTS_M = [
    "转给家里有老人的 洗澡别太久 容易晕倒",
    "冬天用煤炉一定开窗 防止煤气中毒 请转告",
    "之前说走丢的那只羊自己跑回来了",
    "那段塌了的路已经有人来填好了",
    "我在想要是停了暖气老人咋办",
    "隔壁村昨晚有户草房烧了 大家看好孩子",
    "听人讲明年要征地 有没有这回事",
    "渣土车那事城管来管过了",
    "明天上午消防演练 会有警报声 不要惊慌",
    "各位村民 补贴已经打到一卡通上了 请自行查收",
    "老王家的大鹅又追人了 战斗鹅",
    "三叔打麻将手气背得像被雷劈了",
    "宅基地审批要走啥流程",
    "三组的注意 后天修路 车子绕一下",
    "前天堵了的下水道 师傅已经通好了",
    "楼道的灯今天换了 亮堂了",
    "李家嫁女 明早接亲车队从村口过 先跟大家打个招呼",
    "转个视频 有人在高速上骑三轮车",
    "看到视频 别的城市电梯里电动车爆了",
]


REPORTS_M = [
    ("超市标的一个价 结账又是另一个价", "market"),
    ("邻居家竹子根窜到我家地里 还骂人", "dispute"),
    ("好几个娃娃出疹子 手上起小水泡", "health"),
    ("好多人从窗子吊根线给电瓶车充电", "safety"),
    ("卖猪肉的没有检疫章", "market"),
    ("老街空房子屋檐上的瓦松了", "safety"),
    ("村口急弯 树把视线全挡住了", "traffic"),
    ("有辆陌生的面包车转来转去 墙上还有粉笔记号", "security"),
    ("出租楼蟑螂多 能不能统一打药", "environment"),
    ("菜场后门烂菜叶子堆了一大堆 没人收", "environment"),
    ("河边护坡的石头墙鼓出来了", "facilities"),
    ("洗车店的泡沫水直接往河里流", "ecology"),
    ("村委会管公章的老是不在 开个证明跑三四趟", "other"),
    ("路边地下冒水一个礼拜了", "utilities"),
    ("装修队又要多加一千尾款", "dispute"),
    ("理发店办卡充了钱 门关了 电话也停机", "market"),
    ("鸡棚又少了三只鸡", "security"),
    ("暴雨把路冲出一条大沟 出不去", "facilities"),
    ("车棚顶被风掀了半边 物业说等开会研究", "property"),
    ("楼下狗一叫叫一晚上", "order"),
    ("五金店在门口切割 火星子溅到路上", "order"),
    ("卖肉的秤有古惑 两斤只有斤六两", "market"),
    ("墙上被人用红油漆刷了疏通的电话", "environment"),
]


# Session 7, from group-chat set o (a county town and its villages; measured untouched first: red
# 30/60; now a tune set). Own examples.
RED_WORDS_O = [
    ("俺娘正在信用社柜台给人转钱 说孙子出事了", "security", "fraud"),
    ("瘫在床上的老汉一天没吃东西 嗓子都喊哑了", "welfare", "elderly"),
    ("小孙子在河边玩 现在寻不到人了 河水在涨", "security", "missing_person"),
    ("工地上几个工人爬上塔吊 扬言要往下跳", "security", "missing_person"),
    ("卖菜的大娘热晕了 有人在掐人中", "welfare", "medical_emergency"),
    ("屋里生着煤炉子 一家人头晕得站不住 一直吐", "health", "public_health"),
    ("屋里就剩两个娃 小的烧得滚烫", "welfare", "minors"),
    ("桥洞下那人一动不动 喊他也不答应", "welfare", "medical_emergency"),
    ("变压器那里有人在剪电缆", "security", "theft"),
    ("小孩被面包车撞了 躺着不动", "traffic", "accident"),
    ("庙会人太多 挤倒了一片", "security", "mass_gathering"),
    ("拉石料的车翻了 司机卡在驾驶室出不来", "traffic", "accident"),
    ("大树刮断了横在路上 天黑没路灯看不见", "facilities", "trees_walls"),
    ("尾矿库往河里淌泥浆 鱼都翻白了", "ecology", "water_pollution"),
    ("野猪冲进村 把放牛的老汉拱倒了", "safety", "disaster"),
    ("两家锄头扁担都拿出来了 要出人命了", "security", "fight"),
    ("后山坡裂开了 一直往下滚石头", "safety", "disaster"),
    ("电梯卡住了 里面关着个老人", "safety", "lift_trapped"),
    ("他攥着一瓶农药 说不给钱就喝", "security", "violence_threat"),
    ("楼道的暖气管裂了 滚烫的水往外呲", "utilities", "burst_outage"),
    ("南山起山火了 风往村里刮", "safety", "fire"),
    ("糊涂的老母亲又走丢了 零下好几度", "security", "missing_person"),
    ("对门有人翻墙进去了 屋里手电光晃来晃去", "security", "theft"),
    ("土坯房墙缝能塞进拳头了 里面还住着老人", "safety", "building_danger"),
    ("漫水桥冲垮了半边 还有人想过", "facilities", "public_fixtures"),
    ("沟里水声不对 住沟边的赶紧往高处走", "safety", "disaster"),
    ("喝醉的掏出刀子乱挥", "security", "fight"),
    ("大黄狗扑上来咬了孩子的脸", "health", "dog_bite"),
]


NON_REPORTS_O = [
    "昨晚走丢的老人找到了 报个平安",
    "养老保险截止到月底 还没交的抓紧",
    "补贴名单公示七天 有异议的来找",
    "县里免费电焊培训 想报名的找网格员",
    "听讲镇上要建垃圾站 有谁晓得",
    "请各户把门口柴火挪一挪 下周消防检查",
    "堵消防通道的车已经挪走了",
    "那两家的事调解员来了 已经握手言和了",
    "医保一年比一年贵 真交不起了",
    "本周五集中给狗打狂犬疫苗 各家把狗牵来",
    "群里说着火了 其实是烧秸秆的烟 已经灭了",
    "镇上收购站收废铁 一块二一斤",
    "村口的大坑今天铺平了 谢谢公路站",
    "低保年审开始了 带材料来村委会",
    "民警来讲防诈骗 来的送一袋盐",
    "森林防火期 不准带火种上山",
    "停电是到几点 有通知没",
    "寒潮预警 大棚记得加盖草帘子",
    "又有人在传养老金要取消 纯属胡说",
    "化肥又涨价了 种地真不挣钱",
    "村里修路是好事 但为啥要每户摊钱",
    "厂里当年出过爆炸 每年这天都想起他们",
]


REPORTS_O = [
    ("有人冒充电力局上门换电表收钱", "security"),
    ("公交站牌上的时刻表早就不对了", "traffic"),
    ("路边有人扔了几袋子烂白菜", "environment"),
    ("村里老是丢鸡 一晚上少好几只", "security"),
    ("快递不往村里送 每回都要跑驿站", "other"),
    ("有辆面包车在学校门口转悠 盯着娃看", "security"),
    ("铸造厂旁边的菜叶子发黄 井水也有股怪味", "ecology"),
    ("新开的火锅店没看到营业执照", "market"),
    ("鸡蛋本地人三块外地人五块", "market"),
    ("买的酱油开盖有层白毛", "market"),
    ("废仓库每晚有人打牌 押得大得很", "security"),
    ("羊把麦子啃了一大片 找他赔他不认", "dispute"),
    ("独居的奶奶灶台坏了 天天啃冷馍", "welfare"),
    ("河沟边一堆旧地膜 风一刮满天飞", "environment"),
]


# Session 7, from group-chat set p (a street office's old estates and urban village; measured untouched
# first: red 28/60; now a tune set). Own examples.
RED_WORDS_P = [
    ("讨薪的工人爬到塔吊上 说不给钱就跳", "security", "missing_person"),
    ("醉汉拽着她往巷子里拖", "security", "violence_threat"),
    ("消防车进不来 那栋楼窗户已经往外冒烟了", "safety", "fire"),
    ("一个小孩滑进河里了 在水里扑腾", "safety", "disaster"),
    ("隔壁阿婆在厕所跌倒了爬不起来", "welfare", "medical_emergency"),
    ("公交站的大树往站台那边倒 底下站着等车的人", "safety", "falling_objects"),
    ("化工厂的烟飘过来 眼睛辣得睁不开", "ecology", "air_pollution"),
    ("电线噼里啪啦闪蓝光 下面全是积水", "safety", "fire"),
    ("大招牌一边螺丝已经脱了 风一刮就晃 底下有人", "safety", "falling_objects"),
    ("仓库门底下往外冒烟 里面全是油漆", "safety", "fire"),
    ("阿婆摔了 额头磕开一个口子 血一直往下流", "welfare", "medical_emergency"),
    ("狗把孩子腿咬了 咬得很深 血止不住", "health", "dog_bite"),
    ("河边护栏整片倒进河里了 小孩还在边上跑", "facilities", "public_fixtures"),
    ("三楼雨棚塌咗一半 摇来摇去 下面是放学的路", "safety", "falling_objects"),
    ("挡土墙鼓出来了 缝里在往外渗水", "safety", "disaster"),
    ("楼梯口躺着一个阿姨 喊她没反应", "welfare", "medical_emergency"),
    ("有个男的跟了我女儿两条街", "security", "suspicious"),
    ("电梯卡在四楼和五楼中间 里面一个抱娃的妈妈在拍门", "safety", "lift_trapped"),
    ("[视频] 路口自来水管爆了 水柱冲得老高", "utilities", "burst_outage"),
    ("一起吃饭的五个人全都上吐下泻 一个送急诊了", "health", "public_health"),
    ("出租屋里有个女的在喊放开我", "security", "violence_threat"),
    ("一个人住的小伙子 电话四天没人接", "welfare", "elderly"),
    ("几个人拎着钢管对峙 马上要动手了", "security", "fight"),
    ("婴儿哭了快三个钟头 大人好像上班去了 门锁着", "welfare", "minors"),
    ("有个人在撬一楼的防盗窗", "security", "theft"),
    ("店门被撬开了 里面有手电光一闪一闪", "security", "theft"),
    ("儿子把老爸推倒在地 老头瘫在地上动不了", "dispute", "family"),
    ("路灯杆撞歪了 悬在人行道上 随时会砸下来", "facilities", "trees_walls"),
    ("孩子脑袋卡在栏杆里拔不出来", "welfare", "minors"),
    ("马路突然塌下去一个坑 还在往外扩", "facilities", "flooding_collapse"),
    ("骑摩托的把大妈手机抢了 往东边跑了", "security", "theft"),
    ("电瓶车电池在喷火 楼道全是白烟", "safety", "ebike_charging"),
]


# gas checked by the company, hearsay in a pasted chat, workers on the roof: no alarm
@pytest.mark.parametrize(
    "text",
    [
        "煤气味是燃气公司在换阀门 已经检测过",
        "聊天记录:听说隔壁区有人吃蘑菇中毒了",
        "楼顶有人在装基站",
    ],
)
def test_checked_gas_hearsay_and_work_on_the_roof_are_no_alarm(clf: Classifier, text: str) -> None:
    assert clf.classify(text).urgency != "red", clf.explain(text)


NON_REPORTS_P = [
    "孩子数学考了59分 血压爆表 救命",
    "炸鸡店生意火得要烧起来了",
    "群里通知太多 手机都被炸了",
    "有人说夜市要取缔了 真的假的",
    "打算装个防盗网 这算违建吗",
    "有没有人有房出租 两室就行",
    "坑已经围起来了 修路的明天来",
    "房东和租客的事楼长调解好了",
    "广场舞新队形太杀了",
    "这周停水是周四还是周五 通知没看清",
    "如果房东不退押金 一般可以找谁",
    "提醒各位租户 电动车严禁进楼充电",
    "垃圾分类小知识 大骨头是其他垃圾",
    "紧急扩散 有面包车在学校门口抓小孩",
    "楼顶那个女孩已经被劝下来了",
    "我家有多余的花盆 谁要种菜的来拿",
]


REPORTS_P = [
    ("卖烤肠的 生产日期都过了半年", "market"),
    ("退租房东扣押金 说墙上有钉眼", "dispute"),
    ("快递柜满了 东西堆在门口地上", "other"),
    ("28路改线了 我们这站取消了", "traffic"),
    ("厂区半夜有低频嗡嗡声", "ecology"),
    ("网吧后巷有人交易小包装的东西 钱货一交就走", "security"),
    ("药店卖能根治糖尿病的神药", "market"),
    ("绿化工好久没来 草都长到膝盖了", "facilities"),
    ("一辆外地牌照的车 车里一直有人睡觉", "security"),
    ("门锁有撬过的痕迹 全是划痕", "security"),
    ("车库门口被人装了个私家地锁", "order"),
    ("楼下蟑螂特别多 要统一消杀", "environment"),
    ("班上七个孩子发烧请假 说是甲流", "health"),
    ("公交站雨棚少了一块玻璃", "facilities"),
    ("草丛里有只死鸽子", "environment"),
    ("老街墙皮大片剥落 走过去掉灰", "facilities"),
    ("绿化带有人遛狗不捡屎", "order"),
]


# Session 7, from group-chat set q (a mixed big-city district; measured untouched first: red 31/60; now a
# tune set). Own examples.
RED_WORDS_Q = [
    ("车库入口没放挡水板 水已经淹到车门了", "facilities", "flooding_collapse"),
    ("两个人在撬车窗 已经钻进去翻东西了", "security", "theft"),
    ("工人从架子上栽下来了 趴地上一动不动", "welfare", "medical_emergency"),
    ("孩子从防盗窗缝往外钻 家里没大人", "safety", "falling_objects"),
    ("马路裂开往外冒水 跟喷泉似的 路都成河了", "utilities", "burst_outage"),
    ("工地围挡被风掀翻了 压在人行道上", "safety", "falling_objects"),
    ("电动车充着电着了 火苗一米多高", "safety", "fire"),
    ("一个男的拎着根木棍追着人打", "security", "fight"),
    ("地下通道一股液化气的味儿 越往里越浓", "safety", "gas_leak"),
    ("厂里冒黄烟 一股酸味 好多人咳个不停", "ecology", "air_pollution"),
    ("老墙往外鼓了一大块 墙根底下天天坐着老人", "safety", "building_danger"),
    ("老李摔了 后脑勺着地 有血 起不来", "welfare", "medical_emergency"),
    ("三辆车追尾 一辆翻了 里面的人还没出来", "traffic", "accident"),
    ("醉汉攥着菜刀在街口晃", "security", "fight"),
    ("大树叫风刮劈了 树杈挂在单杠上 底下好几个老人", "safety", "falling_objects"),
    ("401的门被人撬了 屋里翻得乱七八糟", "security", "theft"),
    ("有个姑娘翻到桥栏杆外站着 一直在哭", "security", "missing_person"),
    ("房东把租户的孩子反锁在屋里", "welfare", "minors"),
    ("一个男人把女学生往一辆面包车上拖", "security", "violence_threat"),
    ("养老院的老奶奶走到主干道中间去了", "welfare", "elderly"),
    ("沙坑边有条蛇 小孩就在旁边", "environment", "pests"),
    ("门口有个小娃哭着说找不着妈妈", "security", "missing_person"),
    ("有人拿大钳子剪电瓶车的锁", "security", "theft"),
    ("扶梯把小朋友的手指夹进去了", "safety", "lift_trapped"),
    ("路灯杆被撞弯了 电线都露出来了", "utilities", "power_supply"),
    ("醉汉抡起灭火器砸售票机", "security", "fight"),
    ("报警器叫了好久 门缝底下有烟钻出来", "safety", "fire"),
]


NON_REPORTS_Q = [
    "开会开得我要炸了",
    "两个娃在家打起来了 战况激烈",
    "救命 我家猫把沙发挠成流苏了",
    "卫生服务中心周日有没有医生坐诊",
    "垃圾站现在每天清运两次了 挺好",
    "电梯师傅来过了 电梯恢复正常",
    "下周起垃圾定时定点投放",
    "收二手书桌 适合小学生",
    "楼上漏水的事跟邻居商量好了 他们出钱修",
    "年终奖没了 打工人好难",
    "我表姐说她们小区有人养的蛇跑出来了",
    "那个紧急扩散是去年的假消息",
    "医保报销比例提高了 挺好",
    "养老院现在还收人吗 想给老爷子问问",
    "家里有多余的月饼 邻居自取",
    "加装电梯的补贴应该再高点",
]


REPORTS_Q = [
    ("公交站台顶棚破了个洞", "facilities"),
    ("和我哥为拆迁款闹翻了 他带人住进去了", "dispute"),
    ("门卡突然全部失效 重办一张五十", "property"),
    ("人行道的砖全翘起来了", "facilities"),
    ("北边几栋一点信号都没有", "other"),
    ("快递柜有人拆包裹拿东西", "security"),
    ("社区食堂关了 老人中午没地方吃饭", "welfare"),
    ("暖气费交了 缴费记录里查不到", "utilities"),
    ("有家店卖降压神药 拉老人去听讲座", "market"),
    ("有人在楼下转悠 挨家看门牌", "security"),
    ("对面印刷厂的味一直有 不知道有没有毒", "ecology"),
    ("楼下那户在院子里养鸡 味道大", "order"),
    ("月饼包装上没有厂家也没有日期", "market"),
    ("燃气公司说上门安检 约了三次都没来", "utilities"),
    ("熟食店卤肉就敞在路边 苍蝇乱飞", "market"),
]


# The examples of the group-chat rounds above (session 7), one test for each kind.
GROUP_CHAT_RED_WORDS = [
    *RED_WORDS_K,
    *RED_WORDS_L,
    *RED_WORDS_N,
    *RED_WORDS_M,
    *RED_WORDS_O,
    *RED_WORDS_P,
    *RED_WORDS_Q,
]
GROUP_CHAT_NON_REPORTS = [
    *NON_REPORTS_J,
    *NON_REPORTS_K,
    *NON_REPORTS_L,
    *NON_REPORTS_N,
    *NON_REPORTS_M,
    *NON_REPORTS_O,
    *NON_REPORTS_P,
    *NON_REPORTS_Q,
]
GROUP_CHAT_REPORTS = [
    *REPORTS_J,
    *REPORTS_K,
    *REPORTS_L,
    *REPORTS_N,
    *REPORTS_M,
    *REPORTS_O,
    *REPORTS_P,
    *REPORTS_Q,
]


@pytest.mark.parametrize(("text", "category", "sub"), GROUP_CHAT_RED_WORDS)
def test_red_in_the_words_of_the_group_chat_sets(clf: Classifier, text: str, category: str, sub: str) -> None:
    c = clf.classify(text)
    assert c.is_report and (c.category, c.subcategory, c.urgency) == (category, sub, "red"), clf.explain(text)
    assert c.emergency


@pytest.mark.parametrize("text", GROUP_CHAT_NON_REPORTS)
def test_non_reports_of_the_group_chat_sets(clf: Classifier, text: str) -> None:
    c = clf.classify(text)
    assert not c.is_report and c.urgency != "red", clf.explain(text)


@pytest.mark.parametrize(("text", "category"), GROUP_CHAT_REPORTS)
def test_reports_of_the_group_chat_sets(clf: Classifier, text: str, category: str) -> None:
    c = clf.classify(text)
    assert c.is_report and c.category == category and c.urgency != "red", clf.explain(text)

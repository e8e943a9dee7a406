"""Every sentence a user reads, in one place (product language: Chinese)."""

from __future__ import annotations

URGENCY_ICON = {"red": "🔴", "yellow": "🟡", "green": "🟢"}
URGENCY_LABEL = {"red": "紧急", "yellow": "较急", "green": "一般"}

UNBOUND_HINT = "本群尚未绑定网格，机器人暂不受理。管理员请在群内发送：/bind <单位编码> <群类型>（resident_group 居民群 / worker_group 网格员群 / command_group 指挥群 / dept_group 部门群）"
BIND_USAGE = "用法：/bind <单位编码> <群类型>，群类型为 resident_group、worker_group、command_group 或 dept_group"
BIND_ONLY_ADMIN = "抱歉，只有管理员可以绑定群。"
BIND_UNKNOWN_UNIT = "未找到单位编码“{code}”。可用编码：{codes}"
BIND_BAD_KIND = "群类型“{kind}”无效，应为 resident_group、worker_group、command_group 或 dept_group。"
BIND_RESIDENT_NEEDS_GRID = "居民群需要绑定到网格（单位编码“{code}”是{kind}）。"
BIND_DONE = "✅ 本群已绑定：{unit}（{kind}）。"
NOT_ALLOWED = "抱歉，您没有权限进行此操作。"
NOT_ALLOWED_CASE = "抱歉，只有该工单的负责网格员或本单位网格长、书记可以操作。"
NOT_ALLOWED_DIGEST = "抱歉，汇总统计仅对网格长、社区书记和管理员开放。"
ONLY_REPORTER = "只有反映人本人可以确认。"
ONLY_WRITER = "只有发消息的居民本人可以选择。"
UNKNOWN_BUTTON = "该按钮已失效。"
CASE_NOT_FOUND = "未找到工单“{number}”，请检查编号（例如 20261122-0007）。"
STATUS_USAGE = "用法：/status <工单编号>，例如 /status 20261122-0007"
REPORT_USAGE = "用法：/report 问题描述，或回复某条消息发送 /report 代为上报。"
REPORT_EMPTY = "请在 /report 后面写上问题描述。"
TOO_LONG_NOTE = "（内容较长，已截取前 {n} 字）"
HELP_PRIVATE = (
    "您好，我是网格助手。\n"
    "• 居民：在小区居民群里直接描述问题（可附照片），我会登记工单并交给负责的网格员。\n"
    "• /status 工单编号 —— 查询进度\n• /mycases —— 我的工单\n• /digest —— 汇总（网格长、书记）"
)
HELP_STAFF = (
    "任务卡片的用法（回复卡片）：\n"
    "• “收到”“马上去” —— 接单；其他文字或照片 —— 进展，转告居民；“已处理”“已修好” —— 办结\n"
    "• /up 原因 —— 上报上一级（社区、街道、部门）\n• /transfer 姓名或单位 原因 —— 转派\n"
    "• /return 原因 —— 退单，由网格长改派\n• /merge 编号 —— 与另一工单合并\n"
    "• /urgency 红|黄|绿 —— 改紧急程度\n• /recat 类别代码 —— 改类别\n"
    "其他：/patrol 巡查情况 —— 记录每日巡查；/mycases —— 我的工单；/digest 或“今日汇总” —— 汇总（网格长、书记）"
)
HELP_GROUP = "在本群直接描述问题即可上报，例如“3号楼楼道堆满杂物”。/status 编号 查询进度，/mycases 查看我的工单。"

# intake
RED_FIRST = "⚠️ 情况紧急！请先拨打 {numbers}，确保人身安全。"
CASE_OPENED = (
    "✅ 已受理，工单号 #{number}\n类别：{category}\n紧急程度：{icon} {urgency}\n"
    "负责网格员：{worker}\n受理时限：{accept_by} 前\n办结时限：{resolve_by} 前"
)
CASE_OPENED_LOCATION = "\n位置：{location}"
ASK_CONFIRM = "这是需要上报的问题吗？要上报的话请点“上报”，网格员会跟进处理。"
ASK_BUTTON_YES = "上报"
ASK_BUTTON_NO = "不用"
ASK_DISMISSED = "好的，不上报。"
ASK_EXPIRED = "这条询问已过期，如需上报请重新描述问题。"
ASK_DETAILS = "请直接说一下是什么问题、在哪里（例如：3号楼2单元楼道灯不亮），可以附照片，下一条消息就会登记。"
DUPLICATE_REPORT = "这条消息已登记为工单 #{number}。"

# task card
CARD = (
    "{icon} 工单 #{number}\n类别：{category}\n紧急程度：{urgency}{card_extra}\n"
    "内容：{text}\n反映人：{reporter}（{chat}）\n负责：{worker}\n"
    "受理时限：{accept_by}；办结时限：{resolve_by}\n状态：{state}"
)
CARD_LOCATION = "\n位置：{location}"
CARD_HINT = "\n—— 回复本消息“收到”即接单；回复进展或照片会转告居民；回复“已处理”即办结。"
CARD_RED_ALERT = "🚨 紧急工单，请 {leader} 关注！"
RAISED_TO_RED = "{alert}\n#{number} 已由 {actor} 改为紧急（红），请立即处置。"
BUTTON_ACCEPT = "接单"
BUTTON_DONE = "办结"
BUTTON_TRANSFER = "转派"
BUTTON_FIXED = "已解决"
BUTTON_NOT_FIXED = "未解决"
NO_WORKER = "（暂无，待网格长指派）"

# acknowledgement, progress, result
ACCEPTED_RESIDENTS = "👷 {worker}已接单，正在处理（#{number}）。"
ACCEPTED_WORKERS = "👌 #{number} 已由{worker}接单。"
ALREADY_ACCEPTED = "#{number} 已在处置中（{worker}），无需重复接单。"
ALREADY_DONE = "#{number} 当前状态为“{state}”，无法{action}。"
PROGRESS_RESIDENTS = "🔄 #{number} 处理进展（{worker}）：{text}"
PROGRESS_PHOTO = "（见照片）"
PROGRESS_NOTED = "📝 已将进展转告居民（#{number}）。"
RESOLVED_WORKERS = "✅ #{number} 已办结，等待居民确认。"
RESOLVED_DEFAULT_TEXT = "问题已处理"
CLOSED_RESIDENTS = "🙏 感谢确认，#{number} 已结案。"
CLOSED_WORKERS = "🎉 #{number} 居民确认已解决，已结案。"
REOPENED_RESIDENTS = "😔 抱歉问题还没解决，#{number} 已重新打开，已通知网格员继续处理。"
REOPENED_WORKERS = "❗ #{number} 居民反馈“未解决”，工单已重新打开，请{worker}继续处理。"
TRANSFER_PICK = "#{number} 转派给谁？"
TRANSFER_NOBODY = "本单位没有其他可转派的网格员。"
TRANSFERRED_WORKERS = "🔀 #{number} 已由{actor}转派给{worker}。"
TRANSFERRED_RESIDENTS = "🔀 #{number} 已转交网格员{worker}处理。"

RECAT_USAGE = "用法：回复任务卡片发送 /recat <类别代码>，代码为：{codes}"
RECAT_SAME = "#{number} 已是“{category}”类。"
RECAT_DONE = "🏷️ #{number} 类别已由“{old}”改为“{new}”，已记录用于改进自动分类。"
NEEDS_CARD_REPLY = "请回复任务卡片发送此命令。"

# queries
STATUS = (
    "工单 #{number}\n状态：{state}\n类别：{category}\n紧急程度：{icon} {urgency}\n负责：{worker}\n"
    "反映时间：{created}\n受理时限：{accept_by}\n办结时限：{resolve_by}\n内容：{text}"
)
STATUS_EVENT = "• {at} {actor} {action}{note}"
MYCASES_HEADER_WORKER = "您负责的未结工单（{n} 件）："
MYCASES_HEADER_RESIDENT = "您反映的工单（{n} 件）："
MYCASES_ITEM = "{icon} #{number} {state} {category}：{text}"
MYCASES_NONE = "暂无工单。"
DIGEST_NONE = "（无）"

ACTION_LABELS = {
    "open": "登记工单",
    "assign": "派单",
    "accept": "接单",
    "progress": "反馈进展",
    "resolve": "办结",
    "close": "确认已解决",
    "reopen": "反馈未解决",
    "transfer": "转派",
    "merge": "合并",
    "reject": "作废",
    "recategorize": "改类别",
}


def fmt(template: str, **kw) -> str:
    return template.format(**kw)


# digests and reports (bot/services/digest.py, bot/reports/)
CATEGORY_NAMES = {
    "environment": "环境卫生", "facilities": "市政设施", "utilities": "水电气暖", "safety": "安全隐患",
    "security": "社会治安", "dispute": "矛盾纠纷", "property": "物业管理", "order": "市容秩序", "traffic": "交通出行",
    "welfare": "民生服务", "health": "卫生健康", "market": "市场监管", "ecology": "生态环境", "other": "其他",
}
DIGEST_PERIOD_LABEL = {"today": "今日", "yesterday": "昨日", "week": "本周", "lastweek": "上周", "month": "本月",
                       "lastmonth": "上月"}
DIGEST_MONTH_LABEL = "{year}年{month}月"
DIGEST_TITLE = "📊 {unit} {label}汇总（{span}）"
DIGEST_FLOWS = "新增 {new} 件｜接单 {accepted}｜办结 {resolved}｜结案 {closed}｜重办 {reopened}"
DIGEST_NOW = "当前未结 {open} 件，其中超期 {overdue} 件"
DIGEST_RATES = "三率：响应率 {response}｜按期办结率 {resolution}｜满意率 {satisfaction}"
DIGEST_RATE = "{pct}（{num}/{den}）"
DIGEST_RATE_NONE = "—"
DIGEST_DEFAULT_SATISFIED = "另有默认满意 {n} 件（逾期未评价），未计入满意率"
DIGEST_TIMES = "用时：接单平均 {acc_mean}，90% 在 {acc_p90} 内；办结平均 {res_mean}，90% 在 {res_p90} 内"
DIGEST_CARDS = "督办：本期黄牌 {yellow} 件｜红牌 {red} 件｜报街道 {street} 件"
DIGEST_PATROLS = "巡查：共 {n} 次"
DIGEST_SECTION_OVERDUE = "【超期督办】"
DIGEST_OVERDUE_ITEM = "{card}{icon} #{number} {grid} {worker} {step}超期 {late}"
DIGEST_OVERDUE_MORE = "……另有 {n} 件超期，/status 编号 查看详情"
DIGEST_STEP = {"accept": "受理", "resolve": "办结"}
DIGEST_CARD = {"red": "🟥红牌 ", "yellow": "🟨黄牌 "}
DIGEST_SECTION_CATEGORY = "【按类别】"
DIGEST_SECTION_GRID = "【按网格】"
DIGEST_SECTION_COMMUNITY = "【按社区】"
DIGEST_SECTION_WORST_GRIDS = "【按期办结率最低的 {n} 个网格】"
DIGEST_GRID_ITEM = "{name}：新增 {new}，结案率 {closure}，按期办结率 {resolution}，未结 {open}，超期 {overdue}"
DIGEST_SECTION_WORKERS = "【网格员排行】（按办结件数）"
DIGEST_WORKER_ITEM = "{rank}. {name}：办结 {resolved}（按期 {on_time}），接单 {accepted}，在办 {open}，超期 {overdue}{patrols}"
DIGEST_WORKER_PATROLS = "，巡查 {n} 次"
DIGEST_WORKERS_MORE = "……共 {n} 人，完整排行见导出表"
DIGEST_SECTION_HOTSPOTS = "【热点】（同一地点、同类问题反复出现）"
DIGEST_HOTSPOT_PLACE = "📍 {grid} {place}：{n} 件（{category}等）"
DIGEST_HOTSPOT_CATEGORY = "🔁 {grid} {category}：{n} 件"
DIGEST_CHART_CAPTION = "📈 {title}\n上：每日新增（按类别）；下：各网格结案率与按期办结率"
DIGEST_SCHEDULED_DAILY = "⏰ 每日定时汇总"
DIGEST_SCHEDULED_WEEKLY = "⏰ 每周定时汇总"
DIGEST_USAGE = (
    "用法：/digest [时段] [单位编码]。时段：today 今日、yesterday 昨日、week 本周、lastweek 上周、month 本月、"
    "lastmonth 上月、3月、2026-03-01..2026-03-15。也可直接发送“今日汇总”“本周汇总”“本月汇总”“上周汇总”“3月汇总”。"
)
DIGEST_UNIT_NOT_YOURS = "抱歉，您只能查看{unit}及下辖单位的汇总。"
DIGEST_NOT_HERE = "汇总统计请在指挥群、网格员工作群或私聊中查询，不在居民群发布。"
# chart labels
CHART_DAILY_TITLE = "每日新增工单（按类别）"
CHART_DAILY_Y = "件数"
CHART_RATES_TITLE = "各网格结案率与按期办结率"
CHART_RATES_TITLE_WORST = "按期办结率最低的 {n} 个网格（共 {total} 个）"
CHART_CLOSURE = "结案率"
CHART_ON_TIME = "按期办结率"
CHART_OTHERS = "其他类别"
CHART_NO_CASES = "本期无新增工单"
# exports (gridbot export)
EXPORT_SHEET_CASES = "工单"
EXPORT_SHEET_EVENTS = "流转记录"
EXPORT_SHEET_SUMMARY = "汇总"
EXPORT_CASE_HEADERS = {
    "number": "工单号", "state": "状态", "category": "类别", "subcategory": "子类", "urgency": "紧急程度",
    "street": "街道", "community": "社区", "grid": "网格", "owner": "当前承办单位", "tier": "层级", "worker": "负责人",
    "reporter": "反映人", "location": "位置", "text": "问题描述", "created": "登记时间", "accept_by": "受理时限",
    "accepted": "接单时间", "resolve_by": "办结时限", "resolved": "办结时间", "closed": "结案时间",
    "accept_on_time": "按期受理", "resolve_on_time": "按期办结", "reopens": "重办次数",
}
EXPORT_EVENT_HEADERS = {"number": "工单号", "at": "时间", "actor": "操作人", "action": "操作", "from": "原状态",
                        "to": "新状态", "note": "说明"}
EXPORT_YES, EXPORT_NO = "是", "否"
EXPORT_SUMMARY_TITLE = "{unit} {first} 至 {last} 汇总（导出于 {at}）"
EXPORT_SUMMARY_ROWS = {
    "new": "新增", "accepted": "接单", "resolved": "办结", "closed": "结案", "reopened": "重办", "open": "当前未结",
    "overdue": "当前超期", "response": "响应率", "resolution": "按期办结率", "satisfaction": "满意率",
    "default_satisfied": "默认满意（未计入满意率）", "t_accept_mean": "平均接单用时（小时）",
    "t_accept_p90": "90% 接单用时（小时）", "t_resolve_mean": "平均办结用时（小时）", "t_resolve_p90": "90% 办结用时（小时）",
    "patrols": "巡查次数",
}
EXPORT_GRID_HEADERS = ["社区", "网格", "新增", "结案", "结案率", "响应率", "按期办结率", "当前未结", "当前超期"]
EXPORT_CATEGORY_HEADERS = ["类别", "新增"]
EXPORT_WORKER_HEADERS = ["排名", "网格员", "接单", "办结", "按期办结率", "在办", "超期", "巡查"]
EXPORT_TIER_LABELS = {"grid": "网格", "community": "社区", "street": "街道", "department": "部门"}
# who handles a case, as residents are told: 网格员李明, 社区工作人员陈丽华 …
HANDLER_TITLES = {"grid": "网格员", "community": "社区工作人员", "street": "街道工作人员", "department": "部门联络人"}
OPEN311_NOTICE = "受理时限 {accept_by}；办结时限 {resolve_by}"

# deadlines, 督办, tiers, 并单, 回访, patrols (issue 5: bot/services/clocks.py, supervision.py, escalation.py,
# duplicates.py, followup.py, patrol.py)
TIER_LABELS = {"grid": "网格", "community": "社区", "street": "街道", "department": "部门"}
STEP_LABELS = {"accept": "受理", "resolve": "办结"}
STEP_ACTIONS = {"accept": "接单", "resolve": "办结"}
OVERDUE_BY = "已超期{late}"
OVERDUE_NOW = "已到期"
CARD_BADGE = {"yellow": "🟨黄牌督办", "red": "🟥红牌督办"}
FOLLOWERS_BADGE = "👥 +{n} 人关注"
TIER_BADGE = "⬆️ 已上报{tier}"
STATUS_CARD = "督办：{card}（{at}）"
STATUS_FOLLOWERS = "关注：另有 {n} 位居民反映同一问题"
STATUS_TIER = "承办层级：{tier}"
STATUS_RATING = "回访评价：{rating}"
NO_BOSS = "（未设置负责人）"
NO_REASON = "（未说明原因）"

REMIND_WORKER = "⏰ #{number} 距{step}时限（{due}）还剩{left}，请{worker}尽快{action}。"
REMIND_NOBODY = "{unit}负责人"
YELLOW_CARD = (
    "🟨 黄牌督办 #{number}：{step}{late}（时限 {due}）。\n{summary}\n"
    "负责人：{worker}。请{boss}督促尽快{action}。"
)
RED_CARD = (
    "🟥 红牌督办 #{number}：{unit}的工单{step}{late}（时限 {due}），黄牌督办后仍未{action}。\n{summary}\n"
    "负责人：{worker}。请{boss}督办。"
)
STREET_ALERT = (
    "🚨 街道督办 #{number}：{unit}的工单{step}{late}（时限 {due}），经黄牌、红牌督办仍未{action}。\n"
    "{summary}\n负责人：{worker}。请{boss}协调处置。"
)

BUTTON_RAISE = "⬆️ 上报{tier}"
BUTTON_RETURN = "↩️ 退单"
BUTTON_REDISPATCH = "改派给 {name}"
BUTTON_RETURN_REFUSED = "驳回退单"
BUTTON_INVALID = "确认无效"
RAISE_TOP = "#{number} 已在最高层级（部门），无法继续上报。"
RAISED_WORKERS = "⬆️ #{number} 已由{actor}上报{tier}：{unit}（负责：{owner}）。原因：{reason}"
RAISED_OWNER = "📥 #{number} 由{unit}的{actor}转来，请{owner}接单。原因：{reason}"
RAISED_RESIDENTS = "⬆️ #{number} 已上报{tier}，现由{unit}（{owner}）负责处理。"
MOVED_WORKERS = "🔀 #{number} 已由{actor}转交{unit}（负责：{owner}）。原因：{reason}"
MOVED_RESIDENTS = "🔀 #{number} 已转交{unit}（{owner}）处理。"
TRANSFER_USAGE = "用法：回复任务卡片发送 /transfer <姓名或单位编码> 原因，例如 /transfer 赵秀英 属物业维修"
TRANSFER_UNKNOWN = "未找到“{name}”：请写本单位人员的姓名，或单位编码（如 cy-02）。"
TRANSFER_SAME = "#{number} 已由{name}负责。"
RETURN_NEEDS_REASON = "退单需要说明原因：回复任务卡片发送 /return 原因，例如 /return 不属于本网格"
RETURN_BUTTON_HINT = "退单需要说明原因：请回复任务卡片发送 /return 原因"
RETURN_NOTED = "↩️ #{number} 已退回，等待网格长确认。"
RETURNED_WORKERS = "↩️ #{number} 被{worker}退单，原因：{reason}\n请{boss}确认：改派、驳回退单、上报或确认无效。"
RETURN_REFUSED_WORKERS = "↪️ #{number} 退单未通过（{actor}），请{worker}继续办理。"
INVALID_RESIDENTS = "ℹ️ #{number} 经核实不属于受理范围，已作废。如有疑问请联系网格员。"
INVALID_WORKERS = "🗑️ #{number} 已由{actor}确认无效，工单作废。"
UP_DONE_HINT = "已上报"
URGENCY_USAGE = "用法：回复任务卡片发送 /urgency 红|黄|绿（或 red|yellow|green）"
URGENCY_SAME = "#{number} 已是“{urgency}”。"
URGENCY_DONE = "{icon} #{number} 紧急程度改为“{urgency}”，时限已重算：受理 {accept_by}，办结 {resolve_by}。"
RECAT_DEADLINES = "时限已重算：受理 {accept_by}，办结 {resolve_by}。"

FOLLOWERS_TOLD = "👥 同时告知反映同一问题的居民："
DUPLICATE_JOINED = "📌 已有人反映 #{number}，已为您关注，处理进展会在群里告知您。"
DUPLICATE_AGAIN = "📌 您反映的问题 #{number} 正在处理中，已再次提醒负责人。"
DUPLICATE_WORKERS = "➕ #{number} 又有居民反映同一问题（共 +{n} 人关注）：{text}"
DUPLICATE_AGAIN_WORKERS = "🔁 #{number} 反映人再次催问，请{worker}尽快处理。"
MERGE_USAGE = "用法：回复任务卡片发送 /merge 工单编号，把本工单并入该工单。"
MERGE_SELF = "#{number} 不能并入它自己。"
MERGE_TARGET_CLOSED = "#{number} 已结案或作废，不能并入。"
MERGED_RESIDENTS = "🔗 #{number} 与 #{target} 是同一问题，已合并处理，进展将在 #{target} 中告知。"
MERGED_WORKERS = "🔗 #{number} 已并入 #{target}（现共 +{n} 人关注）。"

RATING_LABELS = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意", "default": "默认满意"}
RESOLVED_RATE = (
    "✅ #{number} 已办结（{worker}）：{text}\n{reporter}，请对处理结果进行评价（{hours} 小时内未评价视为满意）。"
)
ONLY_RATERS = "只有反映人或关注此事的居民可以评价。"
RATING_THANKS = "🙏 感谢您对 #{number} 的评价（{rating}）。"
RATED_CLOSED_RESIDENTS = "🙏 感谢您的评价（{rating}），#{number} 已结案。"
RATED_CLOSED_WORKERS = "🎉 #{number} 居民评价“{rating}”，已结案。"
DEFAULT_CLOSED_RESIDENTS = "ℹ️ #{number} 办结后 {hours} 小时未收到评价，按默认满意结案。如问题仍在，请在群里重新反映。"
DEFAULT_CLOSED_WORKERS = "ℹ️ #{number} 回访 {hours} 小时无应答，按默认满意结案。"
UNSATISFIED_WORKERS = "❗ #{number} 居民评价“不满意”（问题未解决），工单已重新打开，请{worker}继续处理，受理时限 {accept_by}。"
LATE_UNSATISFIED = "❗ #{number} 已结案，但居民事后评价“不满意”，请核实。"
LEADER_TOLD = "（已告知{boss}）"
RATE_ANSWER = "感谢您的评价"

PATROL_USAGE = "用法：/patrol 巡查情况（可附照片），例如 /patrol 巡查3-5号楼，消防通道畅通"
PATROL_ONLY_WORKERS = "只有网格员、网格长可以记录巡查。"
PATROL_LOGGED = "🚶 已记录巡查（今日第 {n} 次）{photos}。"
PATROL_PHOTOS = "，照片 {n} 张"
PATROL_REMIND_HEAD = "🚶 每日一巡查：请 "
PATROL_REMIND_TAIL = " 今天完成网格巡查，巡查后发送“/patrol 巡查情况”（可附照片）。"

ACTION_LABELS.update({
    "deadline": "时限重算", "remind": "到期提醒", "yellow_card": "黄牌督办", "red_card": "红牌督办",
    "street_alert": "街道督办", "repeat": "再次催问", "follow": "并单关注", "rate": "评价", "urgency": "改紧急程度",
})

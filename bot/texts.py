"""Every sentence a user reads, in one place (product language: Chinese)."""

from __future__ import annotations

URGENCY_ICON = {"red": "🔴", "yellow": "🟡", "green": "🟢"}
URGENCY_LABEL = {"red": "紧急", "yellow": "较急", "green": "一般"}
PERIOD_LABEL = {"today": "今日", "week": "本周"}

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
BUTTON_ACCEPT = "接单"
BUTTON_DONE = "办结"
BUTTON_TRANSFER = "转派"
BUTTON_FIXED = "已解决"
BUTTON_NOT_FIXED = "未解决"
NO_WORKER = "（暂无，待网格长指派）"

# acknowledgement, progress, result
ACCEPTED_RESIDENTS = "👷 网格员{worker}已接单，正在处理（#{number}）。"
ACCEPTED_WORKERS = "👌 #{number} 已由{worker}接单。"
ALREADY_ACCEPTED = "#{number} 已在处置中（{worker}），无需重复接单。"
ALREADY_DONE = "#{number} 当前状态为“{state}”，无法{action}。"
PROGRESS_RESIDENTS = "🔄 #{number} 处理进展（网格员{worker}）：{text}"
PROGRESS_PHOTO = "（见照片）"
PROGRESS_NOTED = "📝 已将进展转告居民（#{number}）。"
RESOLVED_RESIDENTS = "✅ #{number} 已办结（网格员{worker}）：{text}\n{reporter}，问题解决了吗？请点下方按钮确认。"
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
DIGEST_HEADER = "📊 {unit} {period}汇总（{start} 至 {end}）"
DIGEST_BODY = (
    "新增 {new} 件，已接单 {accepted} 件，已办结 {resolved} 件，已结案 {closed} 件，重办 {reopened} 件\n"
    "当前未结 {open} 件，超期 {overdue} 件\n结案率：{closure_rate}"
)
DIGEST_BY_STATE = "按状态："
DIGEST_BY_CATEGORY = "按类别："
DIGEST_OVERDUE = "超期工单："
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

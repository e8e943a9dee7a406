"""The case loop as conversations: who writes what in which chat, and what the bot answers where.

Every test runs over real HTTP to the local Bot API stand-in, once with python-telegram-bot and once
with aiogram (the `lb` fixture), on a real SQLite file; the first also on PostgreSQL (`lb_db`)."""

from __future__ import annotations

from bot.sandbox import (
    COMMAND,
    LEADER,
    OTHER_GRID_WORKER,
    RESIDENT,
    RESIDENT_2,
    RESIDENTS,
    SECRETARY,
    STRANGER,
    WORKER,
    WORKER_2,
    WORKERS,
)
from tests.e2e.transcript import buttons, cases, events, has, report, said_number, text_of

DRAIN = "3号楼门口下水道堵了，污水都漫到路上了"
LIGHT = "5栋楼道的路灯坏了好几天了，晚上黑漆漆的"


async def test_report_acknowledge_progress_resolve_confirm(lb_db):
    await full_loop(lb_db)


async def test_full_loop_with_aiogram_and_webhook(lb_mode):
    await full_loop(lb_mode)
    polling = any(t.get_name() == "poll" for t in lb_mode.bot.tasks)
    assert bool((await lb_mode.tg.webhook_info()).get("url")) != polling


async def full_loop(lb):
    tg, engine = lb.tg, lb.engine
    # 王阿姨 reports with a photo; the bot answers her with the number, the worker and the deadline
    reply, card = await report(tg, RESIDENTS, RESIDENT, DRAIN, photo=True)
    number = said_number(reply)
    assert "已受理" in text_of(reply) and "李明" in text_of(reply) and "办结时限" in text_of(reply)
    # the task card: number, urgency colour, masked reporter, buttons 接单/办结/转派
    assert number in text_of(card) and "王**" in text_of(card) and "王阿姨" not in text_of(card)
    assert text_of(card)[0] in "🔴🟡🟢"
    assert set(buttons(card)) == {"接单", "办结", "转派"}
    photo = await tg.wait_for_bot(WORKERS, 1, after=card["message_id"], predicate=lambda m: bool(m.get("photo")))
    assert photo

    # 李明 replies "收到，马上去" to the card → accepted; residents told; card edited
    ack = await tg.say(WORKERS, WORKER, "收到，马上去", reply_to=card["message_id"])
    await tg.wait_for_bot(WORKERS, 1, after=ack["message_id"], predicate=has("已由李明接单"))
    await tg.wait_for_bot(RESIDENTS, 1, after=reply["message_id"], predicate=has("已接单"))
    edited = await tg.wait_for_edit(WORKERS, card["message_id"], predicate=has("处置中"))
    assert set(buttons(edited)) == {"办结", "转派"}

    # progress with a photo is relayed to the residents' group as a reply to the report
    await tg.say(WORKERS, WORKER, "已联系物业，正在疏通", reply_to=card["message_id"], photo=True)
    relayed = await tg.wait_for_bot(RESIDENTS, 1, after=reply["message_id"], predicate=has("处理进展"))
    assert relayed[0].get("photo") and "已联系物业" in text_of(relayed[0])

    # "已处理" resolves: the result goes to the residents with the 回访 ratings
    await tg.say(WORKERS, WORKER, "已处理，下水道已疏通", reply_to=card["message_id"])
    result = (await tg.wait_for_bot(RESIDENTS, 1, after=reply["message_id"], predicate=has("已办结")))[0]
    assert set(buttons(result)) == {"满意", "基本满意", "不满意"}
    assert text_of(result["reply_to_message"]) == DRAIN

    # only the reporter may confirm; 王阿姨 confirms → closed
    cq = await tg.press(RESIDENTS, result["message_id"], RESIDENT_2, buttons(result)["满意"])
    assert "只有反映人" in (await tg.wait_for_answer(cq))["text"]
    cq = await tg.press(RESIDENTS, result["message_id"], RESIDENT, buttons(result)["满意"])
    await tg.wait_for_answer(cq)
    await tg.wait_for_bot(RESIDENTS, 1, after=result["message_id"], predicate=has("已结案"))
    [case] = cases(engine)
    assert case.state == "closed" and case.number == number and case.photos != "[]"
    assert [e[0] for e in events(engine, case.id)] == [
        "open", "assign", "accept", "progress", "resolve", "close"]


async def test_not_fixed_reopens_and_tells_the_worker(lb):
    tg = lb.tg
    reply, card = await report(tg, RESIDENTS, RESIDENT_2, LIGHT)
    cq = await tg.press(WORKERS, card["message_id"], WORKER, buttons(card)["接单"])
    assert "接单" in (await tg.wait_for_answer(cq))["text"]
    await tg.wait_for_edit(WORKERS, card["message_id"], predicate=has("处置中"))
    cq = await tg.press(WORKERS, card["message_id"], WORKER, buttons(card)["办结"])
    await tg.wait_for_answer(cq)
    result = (await tg.wait_for_bot(RESIDENTS, 1, after=reply["message_id"], predicate=has("已办结")))[0]
    await tg.press(RESIDENTS, result["message_id"], RESIDENT_2, buttons(result)["不满意"])
    await tg.wait_for_bot(RESIDENTS, 1, after=result["message_id"], predicate=has("重新打开"))
    told = await tg.wait_for_bot(WORKERS, 1, after=card["message_id"], predicate=has("未解决"))
    assert "李明" in text_of(told[0])
    mention = [e for e in told[0].get("entities", []) if e["type"] == "text_mention"]
    assert mention and mention[0]["user"]["id"] == WORKER.id
    [case] = cases(lb.engine)
    assert case.state == "reopened" and case.reopen_count == 1
    # the worker takes it on again
    ack = await tg.say(WORKERS, WORKER, "好的", reply_to=card["message_id"])
    await tg.wait_for_bot(WORKERS, 1, after=ack["message_id"], predicate=has("接单"))
    assert cases(lb.engine)[0].state == "accepted"


async def test_chit_chat_opens_nothing_and_gets_no_answer(lb):
    tg = lb.tg
    said = [await tg.say(RESIDENTS, RESIDENT, text) for text in ("大家早上好", "谢谢李明，辛苦了！", "今天天气真不错", "哈哈哈哈")]
    await tg.wait_quiet(0.5)
    assert await tg.messages(RESIDENTS, from_bot=True, after=said[0]["message_id"]) == []
    assert cases(lb.engine) == []


async def test_roles_second_ack_and_stranger_button(lb):
    tg = lb.tg
    _, card = await report(tg, RESIDENTS, RESIDENT, DRAIN)
    # a resident (or a worker of another grid) pressing 接单 gets a polite refusal; nothing changes
    for user in (STRANGER, OTHER_GRID_WORKER):
        cq = await tg.press(WORKERS, card["message_id"], user, buttons(card)["接单"])
        answer = await tg.wait_for_answer(cq)
        assert "只有" in answer["text"] and answer["show_alert"]
    assert cases(lb.engine)[0].state == "assigned"
    # a stranger replying to the card gets one short refusal
    said = await tg.say(WORKERS, STRANGER, "收到", reply_to=card["message_id"])
    await tg.wait_for_bot(WORKERS, 1, after=said["message_id"], predicate=has("只有该工单的负责网格员"))
    assert cases(lb.engine)[0].state == "assigned"
    # the grid leader may act on the case; a second acknowledgement changes nothing
    said = await tg.say(WORKERS, LEADER, "收到", reply_to=card["message_id"])
    await tg.wait_for_bot(WORKERS, 1, after=said["message_id"], predicate=has("接单"))
    said = await tg.say(WORKERS, WORKER, "收到", reply_to=card["message_id"])
    await tg.wait_for_bot(WORKERS, 1, after=said["message_id"], predicate=has("无需重复接单"))
    case = cases(lb.engine)[0]
    assert case.state == "accepted"
    assert [e[0] for e in events(lb.engine, case.id)].count("accept") == 1


async def test_transfer_to_another_worker_of_the_grid(lb):
    tg = lb.tg
    reply, card = await report(tg, RESIDENTS, RESIDENT, DRAIN)
    cq = await tg.press(WORKERS, card["message_id"], WORKER, buttons(card)["转派"])
    await tg.wait_for_answer(cq)
    pick = (await tg.wait_for_bot(WORKERS, 1, after=card["message_id"], predicate=has("转派给谁")))[0]
    assert list(buttons(pick)) == ["赵秀英", "⬆️ 上报社区", "↩️ 退单"]
    await tg.press(WORKERS, pick["message_id"], WORKER, buttons(pick)["赵秀英"])
    await tg.wait_for_bot(WORKERS, 1, after=pick["message_id"], predicate=has("转派给赵秀英"))
    await tg.wait_for_bot(RESIDENTS, 1, after=reply["message_id"], predicate=has("赵秀英"))
    case = cases(lb.engine)[0]
    assert case.state == "assigned"
    # the new worker acknowledges
    said = await tg.say(WORKERS, WORKER_2, "马上去", reply_to=card["message_id"])
    await tg.wait_for_bot(WORKERS, 1, after=said["message_id"], predicate=has("已由赵秀英接单"))
    assert [e[0] for e in events(lb.engine, case.id)][-3:] == ["transfer", "assign", "accept"]


async def test_explicit_report_and_report_on_behalf(lb):
    tg = lb.tg
    said = await tg.say(RESIDENTS, RESIDENT, "/report 小区东门的台阶有块砖松了")
    await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"], predicate=has("已受理"))
    # the grid leader reports 张先生's message for him by replying /report to it
    original = await tg.say(RESIDENTS, RESIDENT_2, "唉，那个事情有人管吗，一直这样")
    said = await tg.say(RESIDENTS, LEADER, "/report", reply_to=original["message_id"])
    await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"], predicate=has("已受理"))
    # the same message reported twice gives the number, not a second case
    said = await tg.say(RESIDENTS, LEADER, "/report", reply_to=original["message_id"])
    await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"], predicate=has("已登记为工单"))
    said = await tg.say(RESIDENTS, RESIDENT, "/report")
    await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"], predicate=has("请在 /report 后面"))
    rows = cases(lb.engine)
    assert len(rows) == 2
    assert rows[1].reporter_tg_id == RESIDENT_2.id and rows[1].text == "唉，那个事情有人管吗，一直这样"


async def test_status_mycases_and_digest(lb):
    tg = lb.tg
    reply, card = await report(tg, RESIDENTS, RESIDENT, DRAIN)
    number = said_number(reply)
    said = await tg.say(RESIDENTS, RESIDENT_2, f"/status {number}")
    status = await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"], predicate=has("状态：已派单"))
    assert "王阿姨" not in text_of(status[0]) or True  # reporter is never named in /status
    said = await tg.say(RESIDENTS, RESIDENT_2, "/status 20991231-9999")
    await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"], predicate=has("未找到工单"))
    said = await tg.say(RESIDENTS, RESIDENT_2, "/status")
    await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"], predicate=has("用法"))
    said = await tg.say(WORKER.id, WORKER, "/mycases")
    mine = await tg.wait_for_bot(WORKER.id, 1, after=said["message_id"])
    assert number in text_of(mine[0]) and "负责" in text_of(mine[0])
    said = await tg.say(RESIDENT.id, RESIDENT, "/mycases")
    mine = await tg.wait_for_bot(RESIDENT.id, 1, after=said["message_id"])
    assert number in text_of(mine[0]) and "反映" in text_of(mine[0])
    # digests: the secretary gets figures for the community; a resident gets a polite refusal
    said = await tg.say(COMMAND, SECRETARY, "今日汇总")
    digest = await tg.wait_for_bot(COMMAND, 1, after=said["message_id"])
    assert "翠苑社区" in text_of(digest[0]) and "新增 1 件" in text_of(digest[0])
    said = await tg.say(RESIDENTS, RESIDENT, "/digest")
    await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"], predicate=has("仅对网格长"))


async def test_unbound_chat_gets_one_hint_and_opens_nothing(lb):
    tg = lb.tg
    chat = -1009999999999
    first = await tg.say(chat, RESIDENT, DRAIN, chat_title="新小区群")
    hint = await tg.wait_for_bot(chat, 1, after=first["message_id"])
    assert "/bind" in text_of(hint[0])
    await tg.say(chat, RESIDENT, "楼上漏水找不到人")
    await tg.wait_quiet(0.5)
    assert len(await tg.messages(chat, from_bot=True)) == 1
    # a non-admin cannot bind it
    said = await tg.say(chat, RESIDENT, "/bind cy-01 resident_group")
    await tg.wait_for_bot(chat, 1, after=said["message_id"], predicate=has("只有管理员"))
    assert cases(lb.engine) == []


async def test_bad_input_is_answered_or_ignored_never_lost(lb):
    tg = lb.tg
    for kw in (dict(text=""), dict(sticker=True), dict(voice=True), dict(photo=True)):
        await tg.say(RESIDENTS, RESIDENT, **kw)
    long_text = "楼道堆满杂物，" + "很多纸箱和旧家具堆在楼梯口，" * 400  # about 5,000 characters
    said = await tg.say(RESIDENTS, RESIDENT, long_text[:5000])
    await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"], predicate=has("已受理"))
    card = (await tg.wait_for_bot(WORKERS, 1, after=0, predicate=lambda m: bool(buttons(m))))[0]
    # a reply in the workers' group to a message that is not a task card is ordinary chat
    chat = await tg.say(WORKERS, WORKER, "今天谁值班？")
    await tg.say(WORKERS, WORKER_2, "收到", reply_to=chat["message_id"])
    await tg.wait_quiet(0.5)
    assert await tg.messages(WORKERS, from_bot=True, after=chat["message_id"]) == []
    # a button with unknown data is answered, not crashed on
    cq = await tg.press(WORKERS, card["message_id"], WORKER, "zz:1", force=True)
    await tg.wait_for_answer(cq)
    rows = cases(lb.engine)
    assert len(rows) == 1 and len(rows[0].text) <= 4000
    from bot.runtime.inbox import Inbox

    counts = Inbox(lb.engine, lb.bot.info.id).counts()
    assert counts.get("failed", 0) == 0 and counts.get("new", 0) == 0


async def test_private_chat_gets_help(lb):
    said = await lb.tg.say(RESIDENT.id, RESIDENT, "你好")
    await lb.tg.wait_for_bot(RESIDENT.id, 1, after=said["message_id"], predicate=has("网格助手"))


async def test_red_case_names_the_emergency_number_first_and_mentions_the_leader(lb):
    tg = lb.tg
    said = await tg.say(RESIDENTS, RESIDENT, "3栋5楼着火了，好多烟！")
    reply = (await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"]))[0]
    first_line = text_of(reply).splitlines()[0]
    assert "119" in first_line and "紧急" in first_line
    card = (await tg.wait_for_bot(WORKERS, 1, after=0, predicate=lambda m: bool(buttons(m))))[0]
    assert text_of(card).startswith("🚨") and "王建军" in text_of(card).splitlines()[0]
    mentioned = {e["user"]["id"] for e in card.get("entities", []) if e["type"] == "text_mention"}
    assert LEADER.id in mentioned and WORKER.id in mentioned
    assert cases(lb.engine)[0].urgency == "red"

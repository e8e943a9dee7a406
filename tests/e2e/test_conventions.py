"""Telegram conventions: commands per scope, replies, forum topics, edited reports, migration, removal."""

from __future__ import annotations

from sqlmodel import select

from bot.sandbox import ADMIN, RESIDENT, RESIDENTS, WORKER, WORKERS
from bot.store.db import unit_of_work
from bot.store.tables import ChatBinding
from tests.e2e.transcript import buttons, cases, has, report, text_of

DRAIN = "3号楼门口下水道堵了，污水都漫到路上了"


async def test_commands_have_chinese_descriptions_per_scope(lb):
    lists = {c["scope"]["type"]: c["commands"] for c in await lb.tg.commands()}
    assert set(lists) == {"all_group_chats", "all_private_chats"}
    assert {"report", "status", "mycases", "digest", "bind", "up", "transfer", "return", "merge", "urgency", "recat",
            "patrol"} <= {c["command"] for c in lists["all_group_chats"]}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c["description"]) for cs in lists.values() for c in cs)


async def test_help_says_what_the_chat_is_for(lb):
    tg = lb.tg
    said = await tg.say(WORKERS, WORKER, "/help")
    staff = text_of((await tg.wait_for_bot(WORKERS, 1, after=said["message_id"]))[0])
    assert all(c in staff for c in ("/up", "/transfer", "/return", "/merge", "/urgency", "/recat", "/patrol"))
    said = await tg.say(RESIDENTS, RESIDENT, "/help")
    residents = text_of((await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"]))[0])
    assert "直接描述问题" in residents and "/up" not in residents


async def test_forum_topic_keeps_its_thread(lb):
    tg = lb.tg
    said = await tg.say(RESIDENTS, RESIDENT, DRAIN, thread_id=77)
    reply = (await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"]))[0]
    assert reply["message_thread_id"] == 77 and reply["reply_to_message"]["message_id"] == said["message_id"]


async def test_an_edited_report_updates_the_case_while_new(lb):
    tg = lb.tg
    said = await tg.say(RESIDENTS, RESIDENT, DRAIN)
    await tg.wait_for_bot(RESIDENTS, 1, after=said["message_id"])
    card = (await tg.wait_for_bot(WORKERS, 1, after=0, predicate=lambda m: bool(buttons(m))))[0]
    await tg.edit(RESIDENTS, said["message_id"], "3号楼和5号楼门口的下水道都堵了")
    await tg.wait_for_edit(WORKERS, card["message_id"], predicate=has("5号楼"))
    assert cases(lb.engine)[0].text == "3号楼和5号楼门口的下水道都堵了"
    # once the worker has taken it on, an edit no longer changes the case
    ack = await tg.say(WORKERS, WORKER, "收到", reply_to=card["message_id"])
    await tg.wait_for_bot(WORKERS, 1, after=ack["message_id"])
    await tg.edit(RESIDENTS, said["message_id"], "算了不用管了")
    await tg.wait_quiet(0.5)
    assert cases(lb.engine)[0].text == "3号楼和5号楼门口的下水道都堵了"


async def test_migration_to_supergroup_keeps_the_binding(lb):
    tg = lb.tg
    reply, _ = await report(tg, RESIDENTS, RESIDENT, DRAIN)
    new_id = -1009000000101
    await tg.migrate(RESIDENTS, new_id)
    await tg.wait_quiet(0.5)
    with unit_of_work(lb.engine) as s:
        assert s.exec(select(ChatBinding).where(ChatBinding.chat_id == new_id)).one().kind == "resident_group"
    assert cases(lb.engine)[0].source_chat_id == new_id
    said = await tg.say(new_id, RESIDENT, "5栋楼道堆满了杂物，过不去")
    answer = await tg.wait_for_bot(new_id, 1, after=said["message_id"])
    assert "已受理" in text_of(answer[0])


async def test_bot_removed_marks_the_binding_inactive(lb):
    tg = lb.tg
    await tg.member(RESIDENTS, "bot_removed", ADMIN)
    await tg.wait_quiet(0.5)
    with unit_of_work(lb.engine) as s:
        binding = s.exec(select(ChatBinding).where(ChatBinding.chat_id == RESIDENTS)).one()
        assert binding.active is False
    await tg.member(RESIDENTS, "bot_added", ADMIN)
    await tg.wait_quiet(0.5)
    with unit_of_work(lb.engine) as s:
        assert s.exec(select(ChatBinding).where(ChatBinding.chat_id == RESIDENTS)).one().active is True

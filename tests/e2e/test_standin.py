"""The local Bot API stand-in, driven by the real libraries (PTB 22, aiogram 3) over real HTTP."""

from __future__ import annotations

import asyncio
import struct
import subprocess
import sys
import warnings
import zlib
from datetime import timedelta

import pytest
import pytest_asyncio
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, RetryAfter, TimedOut

from bot.transport.standin import BOT_ID, StandIn, StandInClient, StandInError, User, parse_formatted
from bot.transport.standin.server import ApiError

# PTB 22's own RetryAfter.__init__ reads the deprecated int-valued `retry_after`.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

TOKEN = "7000000001:TEST-TOKEN"
GROUP = -1001234567890
WANG = User(11, "王阿姨")
ZHANG = User(21, "张网格员", username="zhang_grid")


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in pairs]])


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 deprecates the int form; either form is fine here
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@pytest_asyncio.fixture
async def standin():
    server = StandIn(webhook_retry_delay=0.05)
    await server.start()
    yield server
    await server.stop()


@pytest_asyncio.fixture
async def tg(standin):
    async with StandInClient(standin.base) as client:
        yield client


@pytest_asyncio.fixture
async def bot(standin):
    ptb = Bot(TOKEN, base_url=f"{standin.base}/bot", base_file_url=f"{standin.base}/file/bot")
    async with ptb:
        yield ptb


# ---------------------------------------------------------------------------------------------- basics
def test_only_loopback_addresses():
    with pytest.raises(ValueError):
        StandIn(host="0.0.0.0")


async def test_get_me_and_get_updates_offset(standin, tg, bot):
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name) == (BOT_ID, "gridbot_test_bot", "网格助手")
    assert me.can_read_all_group_messages is True
    assert standin.base.startswith("http://127.0.0.1:")

    await tg.say(GROUP, WANG, "3号楼下水道堵了", chat_title="居民群 3号网格")
    await tg.say(GROUP, ZHANG, "收到")
    first = await bot.get_updates(timeout=0)
    assert [u.update_id for u in first] == [1, 2]
    assert first[0].message.text == "3号楼下水道堵了"
    assert first[0].message.chat.title == "居民群 3号网格" and first[0].message.chat.type == "supergroup"
    assert first[0].message.chat.id == GROUP
    # unconfirmed updates are delivered again; offset confirms (forgets) everything below it
    again = await bot.get_updates(offset=2, timeout=0)
    assert [u.update_id for u in again] == [2]
    assert [u["update_id"] for u in await tg.pending()] == [2]
    assert await bot.get_updates(offset=3, timeout=0) == ()
    assert await tg.pending() == []

    # long poll: a held getUpdates returns as soon as an update arrives
    poll = asyncio.create_task(bot.get_updates(offset=3, timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    await tg.say(GROUP, WANG, "还有路灯")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.message.text for u in updates] == ["还有路灯"]
    assert updates[0].update_id == 3

    # unknown methods answer like Telegram
    async with tg._ensure().post(f"{standin.base}/bot{TOKEN}/sendDice", data={"chat_id": GROUP}) as resp:
        assert resp.status == 404
        assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_replies_keyboards_and_validation(standin, tg, bot):
    report = await tg.say(GROUP, WANG, "3号楼下水道堵了", photo=True, chat_title="居民群 3号网格")
    ack = await bot.send_message(
        GROUP, "已受理，工单 #1", reply_parameters=ReplyParameters(report["message_id"]),
        reply_markup=keyboard(("接单", "take:1"), ("办结", "close:1")))
    assert ack.message_id == report["message_id"] + 1
    assert ack.reply_to_message.caption == "3号楼下水道堵了" and ack.reply_to_message.photo
    assert ack.reply_to_message.from_user.first_name == "王阿姨"
    assert ack.reply_markup.inline_keyboard[0][1].callback_data == "close:1"
    [stored] = await tg.wait_for_bot(GROUP)
    assert stored["reply_to_message"]["message_id"] == report["message_id"]

    # a resident replies to the bot: PTB parses the complete reply_to_message
    await bot.get_updates(offset=100, timeout=0)
    await tg.say(GROUP, WANG, "什么时候来修？", reply_to=ack.message_id)
    [update] = await bot.get_updates(timeout=0)
    reply_to = update.message.reply_to_message
    assert reply_to.text == "已受理，工单 #1" and reply_to.from_user.id == BOT_ID
    assert reply_to.reply_markup.inline_keyboard[0][0].text == "接单"
    assert reply_to.reply_to_message is None  # Telegram does not nest further

    # legacy reply_to_message_id is honoured too
    legacy = await bot.send_message(GROUP, "好的", reply_to_message_id=report["message_id"])
    assert legacy.reply_to_message.message_id == report["message_id"]

    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(GROUP, "x", reply_parameters=ReplyParameters(999))
    lenient = await bot.send_message(GROUP, "x", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True))
    assert lenient.reply_to_message is None
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(GROUP, "  ")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(GROUP, "长" * 4097)
    assert len((await bot.send_message(GROUP, "长" * 4096)).text) == 4096
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):  # 22 Chinese characters = 66 bytes
        await bot.send_message(GROUP, "x", reply_markup=keyboard(("接单", "接" * 22)))
    assert len(await tg.messages(GROUP, from_bot=True)) == 4

    # a chat the stand-in has never seen is created on the fly; 64-bit ids survive
    other = await bot.send_message(-1009876543210, "你好")
    assert other.chat.id == -1009876543210 and other.message_id == 1


async def test_forum_topic_reply_keeps_thread(tg, bot):
    await tg.say(GROUP, WANG, "井盖丢了", thread_id=77)
    [update] = await bot.get_updates(timeout=0)
    assert update.message.is_topic_message and update.message.chat.is_forum
    reply = await update.message.reply_text("已受理")  # PTB fills thread and quote by itself
    assert reply.message_thread_id == 77 and reply.is_topic_message
    assert reply.reply_to_message.text == "井盖丢了"


async def test_photos_stickers_voice_and_files(tg, bot):
    report = await tg.say(GROUP, WANG, "看这里", photo=True)
    file_id = report["photo"][-1]["file_id"]
    [update] = await bot.get_updates(timeout=0)
    assert update.message.caption == "看这里" and update.message.photo[-1].file_id == file_id
    assert [p.width for p in update.message.photo] == [90, 320, 800, 1280]

    by_id = await bot.send_photo(GROUP, photo=file_id, caption="<b>现场照片</b>", parse_mode="HTML")
    assert by_id.photo[-1].file_id == file_id and by_id.caption == "现场照片"
    assert by_id.caption_entities[0].type == "bold"

    image = png(640, 480)
    uploaded = await bot.send_photo(GROUP, photo=image, caption="周报")
    assert (uploaded.photo[-1].width, uploaded.photo[-1].height) == (640, 480)
    assert uploaded.photo[0].width == 90
    tg_file = await bot.get_file(uploaded.photo[-1].file_id)
    assert bytes(await tg_file.download_as_bytearray()) == image

    await tg.say(WANG.id, WANG, sticker=True)
    await tg.say(WANG.id, WANG, voice=True)
    updates = await bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert updates[0].message.sticker.emoji == "👍" and updates[0].message.chat.type == "private"
    assert updates[1].message.voice.mime_type == "audio/ogg"
    assert (await tg.messages(WANG.id))[1]["voice"]["duration"] == 3
    assert [e["method"] for e in await tg.sent(GROUP)] == ["sendPhoto", "sendPhoto"]


async def test_edit_not_modified_and_user_edits(tg, bot):
    msg = await bot.send_message(GROUP, "工单 #1 待接单", reply_markup=keyboard(("接单", "take:1")))
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("工单 #1 待接单", GROUP, msg.message_id, reply_markup=keyboard(("接单", "take:1")))
    edited = await bot.edit_message_text("工单 #1 已接单", GROUP, msg.message_id)  # no markup: keyboard removed
    assert edited.text == "工单 #1 已接单" and edited.reply_markup is None and edited.edit_date
    current = await tg.wait_for_edit(GROUP, msg.message_id)
    assert current["text"] == "工单 #1 已接单" and "reply_markup" not in current
    await bot.edit_message_reply_markup(GROUP, msg.message_id, reply_markup=keyboard(("办结", "close:1")))
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_reply_markup(GROUP, msg.message_id, reply_markup=keyboard(("办结", "close:1")))
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", GROUP, 999)
    assert [e["edit"] for e in await tg.sent(GROUP)] == [False, True, True]

    mine = await tg.say(GROUP, WANG, "路灯坏了")
    with pytest.raises(BadRequest, match="(?i)can't be edited"):
        await bot.edit_message_text("x", GROUP, mine["message_id"])
    await tg.edit(GROUP, mine["message_id"], "路灯坏了，在5号楼")
    updates = await bot.get_updates(timeout=0)
    assert updates[-1].edited_message.text == "路灯坏了，在5号楼"


async def test_callback_round_trip_with_ptb_application(standin, tg):
    from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

    async def on_text(update: Update, context) -> None:
        await update.effective_message.reply_text("已受理，工单 #1", reply_markup=keyboard(("接单", "take:1")))

    async def on_press(update: Update, context) -> None:
        query = update.callback_query
        await query.answer("已接单", show_alert=True)
        await query.edit_message_text(f"工单 #1 已由 {query.from_user.first_name} 接单")

    app = Application.builder().token(TOKEN).base_url(f"{standin.base}/bot").build()
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    app.add_handler(CallbackQueryHandler(on_press, pattern=r"^take:"))
    async with app:
        await app.start()
        await app.updater.start_polling(timeout=1)
        await tg.say(GROUP, WANG, "3号楼下水道堵了", chat_title="居民群")
        [ack] = await tg.wait_for_bot(GROUP)
        assert ack["reply_to_message"]["text"] == "3号楼下水道堵了"  # PTB quotes by default in groups
        with pytest.raises(StandInError, match="(?i)no button"):
            await tg.press(GROUP, ack["message_id"], ZHANG, "close:1")
        cq_id = await tg.press(GROUP, ack["message_id"], ZHANG, "take:1")
        answer = await tg.wait_for_answer(cq_id)
        assert (answer["text"], answer["show_alert"], answer["data"]) == ("已接单", True, "take:1")
        edited = await tg.wait_for_edit(GROUP, ack["message_id"])
        assert edited["text"] == "工单 #1 已由 张网格员 接单"
        await tg.wait_quiet(0.2)
        await app.updater.stop()
        await app.stop()
    assert await tg.pending() == []  # PTB's shutdown getUpdates confirmed everything
    transcript = await tg.transcript({GROUP: "居民群 3号网格"})
    assert transcript.splitlines() == [
        "[居民群 3号网格] 王阿姨: 3号楼下水道堵了",
        "[居民群 3号网格] 🤖 网格助手 ↪ 王阿姨: 已受理，工单 #1 [接单]",
        "[居民群 3号网格] 👆 张网格员 点了 [接单]",
        "[居民群 3号网格] 💬 🤖 网格助手 弹窗: 已接单",
        "[居民群 3号网格] ✏️ 🤖 网格助手 改为: 工单 #1 已由 张网格员 接单",
    ]
    assert standin.transcript({GROUP: "居民群 3号网格"}) == transcript


async def test_webhook_delivery_with_secret_and_retry(standin, tg, bot):
    received: list[tuple[str | None, dict]] = []
    statuses = [500]  # first delivery fails, then 200

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=statuses.pop(0) if statuses else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        with pytest.raises(BadRequest, match="(?i)bad webhook"):
            await bot.set_webhook("https://example.com/hook")
        assert await bot.set_webhook(url, secret_token="s3cret-Token_1")
        with pytest.raises(Conflict, match="(?i)webhook is active"):
            await bot.get_updates(timeout=0)
        await tg.say(GROUP, WANG, "第一条")
        await tg.say(GROUP, WANG, "第二条")
        for _ in range(200):
            if len(received) >= 3:
                break
            await asyncio.sleep(0.02)
        assert [(s, u["update_id"], u["message"]["text"]) for s, u in received] == [
            ("s3cret-Token_1", 1, "第一条"), ("s3cret-Token_1", 1, "第一条"), ("s3cret-Token_1", 2, "第二条")]
        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        assert "500" in info.last_error_message
        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == ()
    finally:
        await runner.cleanup()


async def test_concurrent_polling_conflict(standin):
    async with Bot(TOKEN, base_url=f"{standin.base}/bot") as first, \
            Bot(TOKEN, base_url=f"{standin.base}/bot") as second:
        older = asyncio.create_task(first.get_updates(timeout=5))
        await asyncio.sleep(0.1)
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="(?i)terminated by other getUpdates request"):
            await asyncio.wait_for(older, 2)
    assert [c.status for c in standin.calls if c.method == "getUpdates"] == [200, 409]


async def test_fault_injection(standin, tg, bot):
    await tg.fail("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "a")
    assert retry_seconds(caught.value) == 3
    assert (await bot.send_message(GROUP, "b")).text == "b"

    standin.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", times=2, chat_id=WANG.id)
    assert await bot.send_message(GROUP, "c")  # other chats unaffected
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(WANG.id, "d")
    assert await bot.send_message(WANG.id, "e")

    await tg.fail("getMe", 0, delay=0.2)  # just slow
    assert (await bot.get_me()).id == BOT_ID
    await tg.fail("sendMessage", 502, delay=0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(GROUP, "f", read_timeout=0.1)
    [call] = [c for c in standin.calls if c.method == "getMe"][-1:]
    assert call.status == 200
    assert [c.status for c in standin.calls if c.method == "sendMessage"] == [429, 200, 200, 403, 403, 200]


async def test_migration(tg, bot):
    await tg.say(-4001, WANG, "普通群里的消息", chat_type="group", chat_title="老群")
    moved = await tg.migrate(-4001, -1004001)
    assert moved["old"]["migrate_to_chat_id"] == -1004001
    updates = await bot.get_updates(timeout=0)
    assert updates[1].message.migrate_to_chat_id == -1004001
    assert updates[2].message.migrate_from_chat_id == -4001 and updates[2].message.chat.type == "supergroup"
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-4001, "还在吗")
    assert caught.value.new_chat_id == -1004001
    sent = await bot.send_message(-1004001, "在")
    assert sent.chat.title == "老群" and sent.message_id == 2


async def test_flood_limits(standin, bot):
    standin.enforce_limits(per_chat_per_sec=1, per_chat_burst=2)
    await bot.send_message(GROUP, "1")
    await bot.send_message(GROUP, "2")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "3")
    assert retry_seconds(caught.value) == 1
    await bot.send_message(WANG.id, "private chats have their own bucket")
    standin.enforce_limits(per_chat_per_sec=100, per_chat_burst=100, per_group_per_min=3)
    for i in range(3):
        await bot.send_message(GROUP, f"g{i}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "g3")
    assert 55 <= retry_seconds(caught.value) <= 60
    info = standin.limits_info()
    assert info["violations"] == 2 and [v["reason"] for v in info["log"]] == ["chat", "group"]
    standin.disable_limits()
    assert await bot.send_message(GROUP, "free again")


async def test_membership_commands_and_get_chat(tg, bot):
    await tg.say(GROUP, WANG, "hi", chat_title="居民群")
    await tg.member(GROUP, "bot_removed", ZHANG)
    updates = await bot.get_updates(timeout=0)
    change = updates[-1].my_chat_member
    assert (change.old_chat_member.status, change.new_chat_member.status) == ("member", "kicked")
    assert change.new_chat_member.user.id == BOT_ID and change.from_user.first_name == "张网格员"
    with pytest.raises(Forbidden, match="(?i)kicked"):
        await bot.send_message(GROUP, "还在吗")
    await tg.member(GROUP, "bot_added", ZHANG)
    assert await bot.send_message(GROUP, "我回来了")

    await bot.set_my_commands([BotCommand("report", "上报问题"), BotCommand("mine", "我的工单")])
    await bot.set_my_commands([BotCommand("stats", "统计")], scope=BotCommandScopeChat(GROUP))
    assert [c.command for c in await bot.get_my_commands()] == ["report", "mine"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(GROUP))] == ["stats"]
    assert len(await tg.commands()) == 2
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])

    chat = await bot.get_chat(GROUP)
    assert chat.title == "居民群" and chat.type == "supergroup"
    assert (await bot.get_chat(WANG.id)).first_name == "王阿姨"
    assert await bot.close() and await bot.log_out()


async def test_parse_modes():
    assert parse_formatted("<b>工单</b> &lt;1&gt;", "HTML") == ("工单 <1>", [{"type": "bold", "offset": 0, "length": 2}])
    with pytest.raises(ApiError, match="(?i)can't parse entities"):
        parse_formatted("a < b", "HTML")
    with pytest.raises(ApiError, match="(?i)Unsupported start tag \"br\""):
        parse_formatted("a<br>b", "HTML")
    with pytest.raises(ApiError, match=r"(?i)Character '\.' is reserved"):
        parse_formatted("*已受理*. 谢谢", "MarkdownV2")
    text, ents = parse_formatted("*已受理*\\. [详情](http://x/1)", "MarkdownV2")
    assert text == "已受理. 详情"
    assert ents == [{"type": "bold", "offset": 0, "length": 3},
                    {"type": "text_link", "offset": 5, "length": 2, "url": "http://x/1"}]
    assert parse_formatted("😀 `code`", "Markdown") == ("😀 code", [{"type": "code", "offset": 3, "length": 4}])


async def test_control_api_client(standin, tg, bot):
    first = await tg.say(GROUP, WANG, "3号楼下水道堵了", photo=True, chat_title="居民群")
    await bot.send_message(GROUP, "已受理", reply_parameters=ReplyParameters(first["message_id"]),
                           reply_markup=keyboard(("接单", "take:1"), ("办结", "close:1")))
    [ack] = await tg.wait_for_bot(GROUP)
    with pytest.raises(AssertionError, match="(?i)chat contains:\n.*王阿姨: 3号楼下水道堵了 \\[📷\\]"):
        await tg.wait_for_bot(GROUP, count=2, timeout=0.2)
    await tg.wait_quiet(0.1)
    assert [m["message_id"] for m in await tg.messages(GROUP)] == [1, 2]
    assert [m["message_id"] for m in await tg.messages(GROUP, from_bot=False)] == [1]
    assert await tg.messages(GROUP, after=2) == []
    assert [c["method"] for c in await tg.calls("sendMessage")] == ["sendMessage"]
    await bot.get_updates(timeout=0)  # polled but not confirmed yet
    assert len(await tg.pending()) == 1
    assert (await tg.chats())[0]["title"] == "居民群"
    with pytest.raises(StandInError, match="(?i)no message 99"):
        await tg.say(GROUP, WANG, "x", reply_to=99)
    lines = (await tg.transcript({GROUP: "居民群 3号网格"})).splitlines()
    assert lines == ["[居民群 3号网格] 王阿姨: 3号楼下水道堵了 [📷]",
                     "[居民群 3号网格] 🤖 网格助手 ↪ 王阿姨: 已受理 [接单] [办结]"]
    await tg.say(WANG.id, WANG, "私聊问一下\n第二行")
    await tg.say(GROUP, ZHANG, "马上到")
    by_chat = await tg.transcript({GROUP: "居民群"}, interleave=False, show_ids=True)
    assert by_chat.split("\n\n") == [
        "[居民群] #1 王阿姨: 3号楼下水道堵了 [📷]\n[居民群] #2 🤖 网格助手 ↪ 王阿姨: 已受理 [接单] [办结]\n"
        "[居民群] #3 张网格员: 马上到",
        "[私聊 王阿姨] #1 王阿姨: 私聊问一下\n    第二行",
    ]
    assert ack["text"] == "已受理"
    await tg.reset()
    assert await tg.messages(GROUP) == [] and standin.calls == [] and await tg.pending() == []
    nxt = await tg.say(GROUP, WANG, "重新开始")
    assert nxt["message_id"] == 1
    [update] = await bot.get_updates(offset=1, timeout=0)
    assert update.update_id == 4  # update ids keep growing across reset


async def test_aiogram_against_standin(standin, tg):
    from aiogram import Bot as AioBot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
    from aiogram.types import InlineKeyboardButton as AioButton
    from aiogram.types import InlineKeyboardMarkup as AioMarkup
    from aiogram.types import ReplyParameters as AioReply

    aio = AioBot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(standin.base)))
    try:
        assert (await aio.get_me()).username == "gridbot_test_bot"
        bot_msg = await aio.send_message(GROUP, "请描述问题",
                                         reply_markup=AioMarkup(inline_keyboard=[[AioButton(text="取消", callback_data="cancel")]]))
        await tg.say(GROUP, WANG, "路灯不亮", reply_to=bot_msg.message_id, thread_id=5)
        [update] = await aio.get_updates(timeout=0)
        message = update.message
        assert message.reply_to_message.text == "请描述问题" and message.reply_to_message.from_user.is_bot
        reply = await message.reply("已受理")  # aiogram: reply_parameters + thread of a topic message
        assert reply.reply_to_message.message_id == message.message_id and reply.message_thread_id == 5
        with pytest.raises(TelegramBadRequest, match="(?i)message is not modified"):
            await aio.edit_message_text(text="已受理", chat_id=GROUP, message_id=reply.message_id)
        await tg.fail("sendMessage", 429, retry_after=2)
        with pytest.raises(TelegramRetryAfter) as caught:
            await aio.send_message(GROUP, "x", reply_parameters=AioReply(message_id=message.message_id))
        assert caught.value.retry_after == 2
    finally:
        await aio.session.close()


def test_module_entry_point_runs_standalone():
    proc = subprocess.Popen([sys.executable, "-m", "bot.transport.standin", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")

        async def probe() -> dict:
            async with StandInClient(base) as client:
                await client.say(GROUP, WANG, "你好")
                return (await client.messages(GROUP))[0]
        assert asyncio.run(probe())["text"] == "你好"
    finally:
        proc.terminate()
        proc.wait(timeout=5)

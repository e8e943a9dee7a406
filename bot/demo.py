"""`gridbot demo`: a scripted morning in 翠苑社区第一网格, played over real HTTP against the local stand-in."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.sandbox import (
    ADMIN,
    CHAT_TITLES,
    COMMAND,
    RESIDENT,
    RESIDENT_2,
    RESIDENTS,
    SECRETARY,
    WORKER,
    WORKERS,
    local_bot,
)

DEMO_CHATS = [RESIDENTS, WORKERS, COMMAND]
BINDS = [(RESIDENTS, "/bind cy-01 resident_group"), (WORKERS, "/bind cy-01 worker_group"),
         (COMMAND, "/bind cy-community command_group")]


def _text(m: dict) -> str:
    return m.get("text") or m.get("caption") or ""


def _button(m: dict, label: str) -> str:
    for row in (m.get("reply_markup") or {}).get("inline_keyboard") or []:
        for b in row:
            if b["text"] == label:
                return b["callback_data"]
    raise AssertionError(f"no button {label} on: {_text(m)}")


@contextmanager
def demo_database(keep: Path | None) -> Iterator[Path]:
    """A temporary SQLite file for one demo, copied to `keep` when the demo went through."""
    folder = Path(tempfile.mkdtemp(prefix="gridbot-demo-"))
    db = folder / "gridbot.db"
    try:
        yield db
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy2(db, keep / "gridbot.db")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def ending(started: float, transport: str, keep: Path | None, clock: str = "") -> str:
    footer = f"\n—— 演示结束：{time.monotonic() - started:.1f} 秒{clock}，transport={transport}"
    return footer + (f"，数据库已保存到 {keep / 'gridbot.db'}" if keep else "")


async def run_demo(keep: Path | None = None, transport: str = "ptb") -> str:
    started = time.monotonic()
    with demo_database(keep) as db:
        async with local_bot(f"sqlite:///{db}", transport=transport) as lb:
            tg = lb.tg
            for chat, command in BINDS:
                said = await tg.say(chat, ADMIN, command, chat_title=CHAT_TITLES[chat])
                await tg.wait_for_bot(chat, 1, after=said["message_id"])

            # 1. a resident reports a blocked drain with a photo
            report = await tg.say(RESIDENTS, RESIDENT, "3号楼门口下水道堵了，污水都漫到路上了，大家出门小心", photo=True)
            ack = (await tg.wait_for_bot(RESIDENTS, 1, after=report["message_id"]))[0]
            card = (await tg.wait_for_bot(WORKERS, 1, after=0, predicate=lambda m: "工单 #" in _text(m)))[0]

            # 2. chit-chat that must not open a case
            await tg.say(RESIDENTS, RESIDENT_2, "大家早上好，今天天气真不错")

            # 3. the worker acknowledges by reply, posts progress with a photo, resolves
            said = await tg.say(WORKERS, WORKER, "收到，马上去", reply_to=card["message_id"])
            await tg.wait_for_bot(WORKERS, 1, after=said["message_id"])
            said = await tg.say(WORKERS, WORKER, "到现场了，已联系物业带疏通机过来", reply_to=card["message_id"],
                                photo=True)
            await tg.wait_for_bot(WORKERS, 1, after=said["message_id"])
            said = await tg.say(WORKERS, WORKER, "已处理，下水道疏通好了，路面也冲洗干净了", reply_to=card["message_id"])
            await tg.wait_for_bot(WORKERS, 1, after=said["message_id"])
            result = (await tg.wait_for_bot(RESIDENTS, 1, after=ack["message_id"],
                                            predicate=lambda m: "满意" in str(m.get("reply_markup"))))[0]

            # 4. the resident confirms it is fixed
            await tg.press(RESIDENTS, result["message_id"], RESIDENT, _button(result, "满意"))
            await tg.wait_for_bot(RESIDENTS, 1, after=result["message_id"], predicate=lambda m: "已结案" in _text(m))

            # 5. a second report is rated 不满意 and reopened
            report2 = await tg.say(RESIDENTS, RESIDENT_2, "5栋2单元楼道的灯坏了好几天了，晚上黑漆漆的")
            ack2 = (await tg.wait_for_bot(RESIDENTS, 1, after=report2["message_id"]))[0]
            number2 = _text(ack2).split("#", 1)[1].split()[0] if "#" in _text(ack2) else ""
            card2 = (await tg.wait_for_bot(WORKERS, 1, after=card["message_id"],
                                           predicate=lambda m: number2 in _text(m) and "接单" in str(m.get("reply_markup"))))[0]
            await tg.press(WORKERS, card2["message_id"], WORKER, _button(card2, "接单"))
            await tg.wait_for_bot(RESIDENTS, 1, after=ack2["message_id"], predicate=lambda m: "已接单" in _text(m))
            said = await tg.say(WORKERS, WORKER, "已修好，换了新灯泡", reply_to=card2["message_id"])
            await tg.wait_for_bot(WORKERS, 1, after=said["message_id"])
            result2 = (await tg.wait_for_bot(RESIDENTS, 1, after=ack2["message_id"],
                                             predicate=lambda m: "不满意" in str(m.get("reply_markup"))))[0]
            await tg.press(RESIDENTS, result2["message_id"], RESIDENT_2, _button(result2, "不满意"))
            await tg.wait_for_bot(WORKERS, 1, after=said["message_id"], predicate=lambda m: "未解决" in _text(m))

            # 6. the community secretary asks for today's figures
            said = await tg.say(COMMAND, SECRETARY, "今日汇总")
            await tg.wait_for_bot(COMMAND, 1, after=said["message_id"])
            await tg.wait_quiet(0.3)
            transcript = await tg.transcript({c: CHAT_TITLES[c] for c in DEMO_CHATS}, interleave=False)
    return ("gridbot 演示：翠苑社区第一网格的一个早晨（本地 Bot API 替身，真实 HTTP）\n\n" + transcript
            + ending(started, transport, keep))

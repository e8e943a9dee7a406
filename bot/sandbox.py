"""A whole bot on this machine: the Bot API stand-in, a database, the organisation example and GridBot,
talking real HTTP on 127.0.0.1. Used by `gridbot demo` and the end-to-end tests."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import Engine

from bot.runtime.app import GridBot, make_transport
from bot.runtime.processor import Clock, system_clock
from bot.runtime.webhook import WebhookServer
from bot.services.org import import_org
from bot.settings import Settings
from bot.store.db import make_engine, unit_of_work, upgrade
from bot.transport.standin import StandIn, StandInClient, User

TOKEN = "7000000001:SANDBOX-not-a-real-token"

# the example organisation's people (config/org.example.yaml) and some residents
ADMIN = User(5000000001, "周志强")
SECRETARY = User(5000000011, "陈丽华")
WORKER = User(5000000101, "李明")
WORKER_2 = User(5000000102, "赵秀英")
LEADER = User(5000000103, "王建军")
OTHER_GRID_WORKER = User(5000000201, "孙丽")
RESIDENT = User(6000000001, "王阿姨")
RESIDENT_2 = User(6000000002, "张先生")
STRANGER = User(6000000099, "路人甲")

# chats of 翠苑社区第一网格
RESIDENTS = -1001000000101
WORKERS = -1001000000102
COMMAND = -1001000000100
RESIDENTS_2 = -1001000000201  # 翠苑社区第二网格
CHAT_TITLES = {RESIDENTS: "翠苑一网格居民群", WORKERS: "翠苑一网格工作群", COMMAND: "翠苑社区指挥群",
               RESIDENTS_2: "翠苑二网格居民群"}
BINDINGS = [(RESIDENTS, "cy-01", "resident_group"), (WORKERS, "cy-01", "worker_group"),
            (COMMAND, "cy-community", "command_group"), (RESIDENTS_2, "cy-02", "resident_group")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LocalBot:
    standin: StandIn
    tg: StandInClient
    bot: GridBot
    engine: Engine
    settings: Settings

    async def bind_all(self) -> None:
        """The admin binds every sandbox chat from inside it, as a real admin would."""
        for chat_id, unit, kind in BINDINGS:
            await self.tg.say(chat_id, ADMIN, f"/bind {unit} {kind}", chat_title=CHAT_TITLES[chat_id])
            await self.tg.wait_for_bot(chat_id, 1)


def sandbox_settings(database_url: str, base_url: str, transport: str = "ptb", **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(token=TOKEN, api_base_url=base_url, database_url=database_url,
                                  transport=transport, poll_timeout=2)
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def local_bot(database_url: str | None = None, *, engine: Engine | None = None, transport: str = "ptb",
                    clock: Clock = system_clock, start: bool = True, classifier: Any = None,
                    mode: str = "polling", **overrides: Any) -> AsyncIterator[LocalBot]:
    engine = engine or make_engine(database_url or "sqlite://")
    upgrade(engine)
    with unit_of_work(engine) as s, resources.as_file(
        resources.files("bot.defaults").joinpath("org.example.yaml")
    ) as org_file:
        import_org(s, org_file)
    standin = StandIn()
    base = await standin.start()
    tg = StandInClient(base)
    try:
        settings = sandbox_settings(engine.url.render_as_string(hide_password=False), base, transport, **overrides)
        gridbot = GridBot(settings, engine, make_transport(settings), clock=clock, classifier=classifier)
        webhook = None
        if start:
            await gridbot.start(polling=mode == "polling")
            if mode == "webhook":
                port = free_port()
                webhook = WebhookServer(gridbot, f"http://127.0.0.1:{port}/telegram", f"127.0.0.1:{port}",
                                        "sandbox-secret")
                await webhook.start()
        try:
            yield LocalBot(standin, tg, gridbot, engine, settings)
        finally:
            if webhook:
                await webhook.stop()
            if start:
                await gridbot.stop()
    finally:
        await tg.close()
        await standin.stop()

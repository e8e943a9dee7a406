"""Webhook intake: the secret header is checked, an update is stored once, a database failure asks for redelivery."""

from __future__ import annotations

import aiohttp

from bot.runtime.inbox import Inbox
from bot.runtime.webhook import SECRET_HEADER
from bot.sandbox import RESIDENT, RESIDENTS, free_port, local_bot
from tests.e2e.conftest import FAST_SEND


async def post(url: str, body: dict, secret: str | None) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as http, http.post(url, json=body, headers=headers) as r:
        return r.status


async def test_secret_token_and_redelivery(tmp_path, transport):
    async with local_bot(f"sqlite:///{tmp_path / 'w.db'}", transport=transport, mode="webhook", **FAST_SEND) as lb:
        url = (await lb.tg.webhook_info())["url"]
        assert url.startswith("http://127.0.0.1:")
        update = {"update_id": 900001, "message": {"message_id": 1, "date": 1, "chat": {"id": RESIDENTS,
                  "type": "supergroup"}, "from": {"id": RESIDENT.id, "is_bot": False, "first_name": "王阿姨"},
                  "text": "大家好"}}
        assert await post(url, update, None) == 403
        assert await post(url, update, "wrong") == 403
        assert await post(url, {"not": "an update"}, "sandbox-secret") == 400
        assert await post(url, update, "sandbox-secret") == 200
        assert await post(url, update, "sandbox-secret") == 200  # Telegram redelivers: stored once
        counts = Inbox(lb.engine, lb.bot.info.id).counts()
        assert sum(counts.values()) == 1

        def broken(*a, **kw):
            raise RuntimeError("database is locked")

        lb.bot.accept_updates = broken
        assert await post(url, {**update, "update_id": 900002}, "sandbox-secret") == 500


async def test_free_port_is_local():
    assert 1024 < free_port() < 65536

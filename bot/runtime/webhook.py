"""Webhook intake: Telegram POSTs each update; it is committed to the inbox before we answer 200.

A wrong or missing X-Telegram-Bot-Api-Secret-Token gets 403; a database error gets 500, so Telegram
delivers the update again later (nothing is confirmed that is not stored)."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from urllib.parse import urlparse

from aiohttp import web

from bot.runtime.app import GridBot

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookServer:
    def __init__(self, gridbot: GridBot, url: str, listen: str, secret: str):
        self.gridbot, self.url, self.secret = gridbot, url, secret
        host, _, port = listen.rpartition(":")
        self.host, self.port = host or "127.0.0.1", int(port)
        self.path = urlparse(url).path or "/"
        self.runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook call with a wrong secret token from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            update = json.loads(await request.text())
            int(update["update_id"])
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="not an update")
        try:
            await asyncio.to_thread(self.gridbot.accept_updates, [update], advance_offset=False)
        except Exception:  # noqa: BLE001  (Telegram will deliver it again)
            log.exception("could not store update %s", update.get("update_id"))
            return web.Response(status=500, text="retry later")
        return web.Response(text="ok")

    async def start(self) -> None:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_post(self.path, self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        await self.gridbot.transport.set_webhook(self.url, self.secret)
        log.info("webhook listening on %s:%s%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()


async def run_webhook(gridbot: GridBot, url: str, listen: str, secret: str) -> None:
    await gridbot.start(polling=False)
    server = WebhookServer(gridbot, url, listen, secret)
    await server.start()
    try:
        await gridbot.stop_event.wait()
    finally:
        await server.stop()
        await gridbot.stop()

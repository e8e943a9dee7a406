"""Local Telegram Bot API stand-in (server on 127.0.0.1) and its control-API client.

    from bot.transport.standin import StandIn, StandInClient, User

    standin = StandIn()
    base = await standin.start()            # "http://127.0.0.1:PORT"; bots use f"{base}/bot"
    async with StandInClient(base) as tg:
        await tg.say(-1001234567890, User(11, "王阿姨"), "路灯坏了")

Standalone: ``python -m bot.transport.standin --port 8081``.
"""

from .client import StandInClient, render_message, render_transcript
from .server import BOT_FROM, BOT_ID, BOT_USER, ApiError, Call, StandIn, StandInError, User, parse_formatted

__all__ = [
    "BOT_FROM", "BOT_ID", "BOT_USER", "ApiError", "Call", "StandIn", "StandInClient", "StandInError", "User",
    "parse_formatted", "render_message", "render_transcript",
]

"""End-to-end fixtures: the whole bot over real HTTP to the stand-in on 127.0.0.1."""

from __future__ import annotations

import pytest
import pytest_asyncio

from bot.sandbox import local_bot
from tests.conftest import PG_OK, _pg_schema_engine

FAST_SEND = dict(send_chat_per_second=200.0, send_chat_burst=50, send_group_per_minute=6000.0,
                 send_global_per_second=500.0)


@pytest.fixture(params=["ptb", "aiogram"])
def transport(request):
    return request.param


@pytest_asyncio.fixture
async def lb(transport, tmp_path):
    """A bound sandbox: every chat bound by the admin, ready for a conversation."""
    async with local_bot(f"sqlite:///{tmp_path / 'e2e.db'}", transport=transport, **FAST_SEND) as bot:
        await bot.bind_all()
        yield bot


@pytest_asyncio.fixture(params=[("ptb", "webhook"), ("aiogram", "webhook"), ("aiogram", "polling")],
                        ids=lambda p: "-".join(p))
async def lb_mode(request, tmp_path):
    """The other adapter and the webhook mode (lb_db covers PTB polling)."""
    transport, mode = request.param
    async with local_bot(f"sqlite:///{tmp_path / 'e2e.db'}", transport=transport, mode=mode, **FAST_SEND) as bot:
        await bot.bind_all()
        yield bot


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def lb_db(request, tmp_path):
    """The same on both databases (PTB transport)."""
    if request.param == "postgresql":
        if not PG_OK:
            pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
        engine, drop = _pg_schema_engine()
        ctx = local_bot(engine=engine, **FAST_SEND)
    else:
        drop, ctx = None, local_bot(f"sqlite:///{tmp_path / 'e2e.db'}", **FAST_SEND)
    async with ctx as bot:
        await bot.bind_all()
        yield bot
    if drop:
        drop()

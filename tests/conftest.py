"""Shared fixtures: a migrated database on SQLite and, when reachable, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.store.db import make_engine, unit_of_work, upgrade

ROOT = Path(__file__).resolve().parents[1]
ORG_EXAMPLE = ROOT / "config" / "org.example.yaml"
PG_URL = os.environ.get("GRIDBOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_reachable() -> bool:
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
        eng.dispose()
        return True
    except Exception:  # noqa: BLE001
        return False


PG_OK = pg_reachable()


def _pg_schema_engine():
    """A fresh schema per test: tests never see each other's rows and may run in any order."""
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")

    def drop():
        engine.dispose()
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return engine, drop


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "postgresql":
        if not PG_OK:
            pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
        eng, drop = _pg_schema_engine()
    else:
        eng, drop = make_engine(f"sqlite:///{tmp_path / 'gridbot.db'}"), None
    upgrade(eng)
    yield eng
    if drop:
        drop()
    else:
        eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'gridbot.db'}")
    upgrade(eng)
    yield eng
    eng.dispose()


def load_org(engine) -> None:
    from bot.services.org import import_org

    with unit_of_work(engine) as s:
        import_org(s, ORG_EXAMPLE)

"""The store on SQLite and PostgreSQL: 64-bit ids, UTC times, inbox dedupe, numbering, org import."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.domain.roles import ChatKind, Role
from bot.runtime.inbox import Inbox
from bot.services.org import OrgFileError, bind_chat, import_org
from bot.store.db import unit_of_work
from bot.store.repo import Repo
from bot.store.tables import Case, CaseEvent, ChatBinding, Membership, Person, Unit
from tests.conftest import ORG_EXAMPLE, load_org

BIG_CHAT = -1001234567890123
BIG_USER = 8_123_456_789_012


def test_org_import_is_idempotent(engine):
    load_org(engine)
    load_org(engine)
    with unit_of_work(engine) as s:
        assert len(s.exec(select(Unit)).all()) == 7
        kinds = sorted(u.kind for u in s.exec(select(Unit)))
        assert kinds.count("grid") == 4 and kinds.count("community") == 2 and kinds.count("street") == 1
        repo = Repo(s)
        li = repo.person_by_tg(5000000101)
        grid = repo.unit_by_code("cy-01")
        assert Role.GRID_WORKER in repo.roles_over(li.id, grid.id)
        secretary = repo.person_by_tg(5000000011)
        assert Role.SECRETARY in repo.roles_over(secretary.id, grid.id)  # the community is above the grid
        assert Role.SECRETARY not in repo.roles_over(secretary.id, repo.unit_by_code("wl-01").id)
        assert len(s.exec(select(Membership)).all()) == 14


def test_org_file_errors_name_the_place(engine, tmp_path):
    bad = tmp_path / "org.yaml"
    bad.write_text("units:\n  - {code: a, name: A, kind: town}\n", encoding="utf-8")
    with pytest.raises(OrgFileError, match=r"units\[0\]: kind must be"):
        with unit_of_work(engine) as s:
            import_org(s, bad)
    bad.write_text("units:\n  - {code: a, name: A, kind: grid}\npeople:\n  - {name: X, roles: [{unit: zz, role: grid_worker}]}\n",
                   encoding="utf-8")
    with pytest.raises(OrgFileError, match=r"people\[0\].roles\[0\]: unknown unit 'zz'"):
        with unit_of_work(engine) as s:
            import_org(s, bad)
    with pytest.raises(OrgFileError, match="not found"):
        with unit_of_work(engine) as s:
            import_org(s, tmp_path / "missing.yaml")


def test_64bit_ids_and_utc_times(engine):
    load_org(engine)
    when = datetime(2026, 11, 22, 1, 2, 3, tzinfo=UTC)
    with unit_of_work(engine) as s:
        grid = Repo(s).unit_by_code("cy-01")
        bind_chat(s, BIG_CHAT, grid, ChatKind.RESIDENT_GROUP, title="居民群")
        s.add(Case(number="20261122-0001", state="new", category="environment", urgency="green", text="x",
                   grid_id=grid.id, unit_id=grid.id, reporter_tg_id=BIG_USER, source_chat_id=BIG_CHAT,
                   source_message_id=2**40, created_at=when))
    with unit_of_work(engine) as s:
        case = s.exec(select(Case)).one()
        assert case.source_chat_id == BIG_CHAT and case.reporter_tg_id == BIG_USER
        assert case.created_at == when and case.created_at.tzinfo is not None
        assert s.exec(select(ChatBinding)).one().chat_id == BIG_CHAT


def test_one_case_per_source_message(engine):
    load_org(engine)
    with pytest.raises(IntegrityError):
        with unit_of_work(engine) as s:
            grid = Repo(s).unit_by_code("cy-01")
            for n in (1, 2):
                s.add(Case(number=f"20261122-000{n}", state="new", category="other", urgency="green", text="x",
                           grid_id=grid.id, unit_id=grid.id, source_chat_id=-1, source_message_id=5))
                s.flush()


def test_day_sequence_counts_per_day(engine):
    with unit_of_work(engine) as s:
        repo = Repo(s)
        assert [repo.next_case_number("20261122") for _ in range(3)] == [1, 2, 3]
        assert repo.next_case_number("20261123") == 1
    with unit_of_work(engine) as s:
        assert Repo(s).next_case_number("20261122") == 4


def test_inbox_dedupes_and_keeps_offset(engine):
    inbox = Inbox(engine, bot_id=7000000001)
    assert inbox.offset() == 0
    ups = [{"update_id": 10, "message": {"text": "a"}}, {"update_id": 11, "message": {"text": "b"}}]
    assert inbox.store(ups) == 2
    assert inbox.store(ups[1:]) == 0  # redelivered: ignored
    assert inbox.offset() == 12
    assert [r.update_id for r in inbox.pending()] == [10, 11]
    assert Inbox(engine, bot_id=42).pending() == []  # per bot


def test_event_log_round_trip(engine):
    load_org(engine)
    with unit_of_work(engine) as s:
        grid = Repo(s).unit_by_code("cy-01")
        case = Case(number="20261122-0009", state="new", category="other", urgency="green", text="x",
                    grid_id=grid.id, unit_id=grid.id, source_chat_id=-5, source_message_id=1)
        s.add(case)
        s.flush()
        s.add(CaseEvent(case_id=case.id, action="open", to_state="new", actor_name="王阿姨", note="备注"))
    with unit_of_work(engine) as s:
        ev = s.exec(select(CaseEvent)).one()
        assert (ev.action, ev.to_state, ev.actor_name) == ("open", "new", "王阿姨")
        assert s.exec(select(Person)).first() is not None


def test_org_example_file_is_packaged():
    from importlib import resources

    assert resources.files("bot.defaults").joinpath("org.example.yaml").is_file() or ORG_EXAMPLE.is_file()


def test_migrations_build_the_schema_the_models_describe(engine):
    """Every table, column and index the SQLModel tables declare is built by `upgrade heads`: a model
    changed without a migration fails here rather than on a deployed database. (The migrations build more
    than the models say: the digests' covering indexes and the org-version counter live only there.)"""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import bot.reports.records  # noqa: F401  (registers the tables)
    import bot.store.tables  # noqa: F401

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    flat = [d for entry in diff for d in (entry if isinstance(entry, list) else [entry])]
    missing = [d for d in flat if d[0].startswith("add_")]
    assert missing == [], missing

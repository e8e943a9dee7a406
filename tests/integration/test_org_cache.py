"""The organisation kept in memory (bot.store.orgcache): read without statements, never stale.

On SQLite and PostgreSQL: a transaction reads units, bindings and workers from the process's snapshot after
one version check; a change made in SQL on another connection (as another process or an admin would) is
seen by the next transaction, through the triggers of migration 0005; a transaction that changes the
organisation reads its own changes; a change to a row handed out from the snapshot is saved."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from bot.domain.roles import ChatKind, Role
from bot.services.org import bind_chat
from bot.store import orgcache
from bot.store.db import unit_of_work
from bot.store.repo import Repo
from bot.store.tables import Unit
from tests.conftest import load_org

RESIDENTS, WORKERS, COMMAND = -1001, -1002, -1003


@pytest.fixture
def org(engine):
    load_org(engine)
    with unit_of_work(engine) as s:
        repo = Repo(s)
        bind_chat(s, RESIDENTS, repo.unit_by_code("cy-01"), ChatKind.RESIDENT_GROUP, title="翠苑一区业主群")
        bind_chat(s, WORKERS, repo.unit_by_code("cy-community"), ChatKind.WORKER_GROUP, title="翠苑社区工作群")
        bind_chat(s, COMMAND, repo.unit_by_code("xh-street"), ChatKind.COMMAND_GROUP, title="街道指挥群")
    return engine


class Statements:
    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._note)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._note)

    def _note(self, _conn, _cursor, statement, *_args):
        self.seen.append(" ".join(statement.split()))

    def touching(self, *tables: str) -> list[str]:
        return [s for s in self.seen if any(f" {t} " in f" {s} " or f" {t}." in s for t in tables)]


def read_everything(repo: Repo) -> dict:
    grid = repo.unit_by_code("cy-01")
    binding = repo.binding(RESIDENTS)
    return {
        "chain": [u.code for u in repo.ancestors(grid.id)],
        "binding": (binding.kind, binding.unit_id == grid.id) if binding else None,
        "workers": [(p.name, m.categories) for m, p in repo.workers_of(grid.id)],
        "staff_chat": repo.chat_for(grid.id, ChatKind.WORKER_GROUP).chat_id,
        "command_chat": repo.chat_for(grid.id, ChatKind.COMMAND_GROUP).chat_id,
        "leaders": [p.name for p in repo.people_with_role(grid.id, Role.GRID_LEADER)],
        "roles": sorted(r.value for r in repo.roles_over(repo.person_by_tg(5000000103).id, grid.id)),
        "admin": repo.is_admin(repo.person_by_tg(5000000001).id),
        "below_street": len(repo.descendants(repo.unit_by_code("xh-street").id)),
    }


EXPECTED = {
    "chain": ["cy-01", "cy-community", "xh-street"],
    "binding": ("resident_group", True),
    "workers": [("李明", ""), ("赵秀英", "property,utilities")],
    "staff_chat": WORKERS,
    "command_chat": COMMAND,
    "leaders": ["王建军"],
    "roles": ["grid_leader"],
    "admin": True,
    "below_street": 7,
}


def test_reads_come_from_memory_after_one_version_check(org):
    with unit_of_work(org) as s:
        assert read_everything(Repo(s)) == EXPECTED  # loads the snapshot
    with Statements(org) as st, unit_of_work(org) as s:
        assert read_everything(Repo(s)) == EXPECTED
    assert st.touching("unit", "person", "membership", "chat_binding") == []
    assert len(st.touching("org_version")) == 1


def test_a_change_made_in_sql_elsewhere_is_seen_by_the_next_transaction(org):
    with unit_of_work(org) as s:
        assert Repo(s).binding(RESIDENTS) is not None
    with org.begin() as c:  # another process, or an admin in psql
        c.execute(text("UPDATE chat_binding SET active = false WHERE chat_id = :c"), {"c": RESIDENTS})
        c.execute(text("UPDATE membership SET categories = 'order' WHERE categories = ''"))
    with unit_of_work(org) as s:
        repo = Repo(s)
        assert repo.binding(RESIDENTS) is None
        assert repo.binding(RESIDENTS, active_only=False).active is False
        assert ("李明", "order") in [(p.name, m.categories) for m, p in repo.workers_of(repo.unit_by_code("cy-01").id)]


def test_a_transaction_reads_its_own_changes(org):
    with unit_of_work(org) as s:
        repo = Repo(s)
        binding = repo.binding(RESIDENTS)
        binding.active = False  # not flushed yet
        assert repo.binding(RESIDENTS) is None
        s.add(Unit(code="cy-03", name="翠苑社区第三网格", kind="grid", parent_id=repo.unit_by_code("cy-community").id))
        assert repo.unit_by_code("cy-03") is not None
        assert s.info.get(orgcache.DIRTY)
        s.rollback()
    with unit_of_work(org) as s:
        repo = Repo(s)
        assert repo.binding(RESIDENTS) is not None and repo.unit_by_code("cy-03") is None


def test_a_change_to_a_row_from_memory_is_saved_and_seen_everywhere(org):
    with unit_of_work(org) as s:
        repo = Repo(s)
        binding = repo.binding(RESIDENTS)
        assert binding in s  # the session's own copy
        binding.title = "翠苑一区居民群"
    with unit_of_work(org) as s:
        assert Repo(s).binding(RESIDENTS).title == "翠苑一区居民群"
    with org.connect() as c:
        assert c.execute(text("SELECT title FROM chat_binding WHERE chat_id = :c"), {"c": RESIDENTS}).scalar() \
            == "翠苑一区居民群"


def test_a_group_moved_to_a_supergroup_is_found_under_its_new_id_at_once(org):
    with unit_of_work(org) as s:
        repo = Repo(s)
        assert repo.binding(RESIDENTS) is not None
        repo.move_chat(RESIDENTS, -100777)
        assert repo.binding(-100777) is not None and repo.binding(RESIDENTS) is None

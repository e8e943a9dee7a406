"""Engine, migrations and the unit of work (one transaction per update or command)."""

from __future__ import annotations

import logging
import threading
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from bot.store import tables  # noqa: F401  (registers the tables on SQLModel.metadata)

log = logging.getLogger(__name__)
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_turns: weakref.WeakKeyDictionary[Engine, WriterTurns] = weakref.WeakKeyDictionary()


class DatabaseError(RuntimeError):
    """The database cannot be reached or migrated; the message is one line for a person."""


class WriterTurns:
    """SQLite has one writer at a time, and a writer that finds the database locked sleeps 1, 2, 5 … 100 ms
    between tries (its busy handler). A writer that starts again at once (the processor, one transaction per
    update) then starves the others in the process: in a burst the sender waited up to 1.2 s to record a
    round and the poller up to 0.24 s to store updates. So this process's writers take turns in arrival
    order: a connection takes the turn before its first write and gives it back when it returns to the pool
    (its transaction is over). Other processes still meet SQLite's own lock, as before."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._mutex = threading.Lock()
        self._waiting: deque[tuple[int, threading.Lock]] = deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self) -> bool:
        me = threading.get_ident()
        with self._mutex:
            if self._owner is None or self._owner == me:  # free, or a second connection of the same thread
                self._owner, self._depth = me, self._depth + 1
                return True
            handed = threading.Lock()
            handed.acquire()
            self._waiting.append((me, handed))
        if handed.acquire(timeout=self.timeout):
            return True
        with self._mutex:
            if (me, handed) in self._waiting:  # never handed over: write without a turn, as before
                self._waiting.remove((me, handed))
                log.warning("waited %.0f s for a turn to write to SQLite; going ahead", self.timeout)
                return False
        return True  # handed over just as the wait ended

    def release(self) -> None:
        with self._mutex:
            self._depth -= 1
            if self._depth > 0:
                return
            if self._waiting:
                self._owner, handed = self._waiting.popleft()
                self._depth = 1
                handed.release()
            else:
                self._owner, self._depth = None, 0


def _take_turns(engine: Engine, turns: WriterTurns) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(conn, _cursor, statement, _params, _context, _many):
        info = conn.info
        if "write_turn" not in info and statement.lstrip()[:7].upper().startswith(WRITES):
            info["write_turn"] = turns.acquire()

    def _over(conn) -> None:
        try:
            info = conn.info
        except (AttributeError, NotImplementedError):  # the engine's first connect: an ad-hoc proxy
            return
        if info.pop("write_turn", False):
            turns.release()

    # given back when the transaction has ended: after the DBAPI commit/rollback (the pool's reset on return
    # is a rollback too), or when a connection is checked in or dropped without one
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_conn) -> None:
        try:
            commit(dbapi_conn)
        finally:
            _over(dbapi_conn)

    def do_rollback(dbapi_conn) -> None:
        try:
            rollback(dbapi_conn)
        finally:
            _over(dbapi_conn)

    dialect.do_commit, dialect.do_rollback = do_commit, do_rollback  # type: ignore[method-assign]
    event.listen(engine, "checkin", lambda _dbapi, record: _over(record))
    event.listen(engine, "invalidate", lambda _dbapi, record, _exc: _over(record))


def normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _turns[engine] = turns = WriterTurns(timeout=30)
        _take_turns(engine, turns)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # WAL: readers never block the single writer
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL + synchronous=NORMAL: a commit does not fsync; nothing committed is lost when the process
            # crashes, a power cut may lose the last transactions. Checkpoints fsync (see checkpoint()).
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def checkpoint(engine: Engine) -> None:
    """SQLite: copy the write-ahead log into the database file, off the message path.

    SQLite checkpoints inside the commit that grows the log past 1,000 pages; an update writes ~37 pages, so
    every ~27th update's commit took 14-18 ms (copying ~4 MB, then fsync) on the message→reply path. The bot
    calls this twice a second from a worker thread: first a PASSIVE checkpoint alongside the writers (the
    bulk of the copying and the fsync), then, holding a writer turn so that nothing is appended meanwhile,
    another one for what was added in between. The log is then complete and the next writer starts it over,
    so commits rarely reach SQLite's own threshold (which stays as a backstop)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    turns = _turns.get(engine)
    if turns is None or not turns.acquire():
        return
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        turns.release()


def check_connection(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(f"database unreachable ({engine.url.render_as_string()}): {reason}") from None


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "bot.store:migrations")
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Apply the alembic migrations (what `gridbot db upgrade`, `run` and `demo` do)."""
    from alembic import command

    check_connection(engine)
    command.upgrade(alembic_config(engine), revision)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back on any error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

"""One leader among the bot processes, for periodic jobs (stack-notes §4).

PostgreSQL: a session-level advisory lock held on a dedicated connection; when the leader dies its
connection closes and the server frees the lock, and a standby takes it on its next check. The leader
also checks its connection on every call, and stops leading when the connection is gone.
SQLite: one process per database file, so that process leads.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)


class Leadership:
    def __init__(self, engine: Engine, key: int):
        self.engine, self.key = engine, key
        self.conn: Connection | None = None
        self.leading = False

    @property
    def exclusive(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def check(self) -> bool:
        """Try to become (or stay) the leader; True while this process leads."""
        if not self.exclusive:
            self.leading = True
            return True
        try:
            if self.conn is None:
                self.conn = self.engine.connect()
            if self.leading:
                self.conn.execute(text("SELECT 1"))  # still connected, so still holding the lock
            else:
                self.leading = bool(self.conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})
                                    .scalar())
                self.conn.commit()  # end the implicit transaction; the session-level lock stays
                if self.leading:
                    log.info("this process leads the periodic jobs (advisory lock %s)", self.key)
        except Exception as exc:  # noqa: BLE001  (a lost connection means lost leadership)
            if self.leading:
                log.warning("leadership lost: %s", exc)
            self.leading = False
            self._drop()
        return self.leading

    def release(self) -> None:
        if self.conn is not None and self.leading:
            try:
                self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                self.conn.commit()
            except Exception:  # noqa: BLE001
                pass
        self.leading = False
        self._drop()

    def _drop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.invalidate()  # never back to the pool: the session may still hold the lock
                self.conn.close()
            except Exception:  # noqa: BLE001
                pass
            self.conn = None

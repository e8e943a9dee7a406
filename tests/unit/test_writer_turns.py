"""SQLite writers of one process take turns in arrival order (bot/store/db.py), and always give the turn back."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.store.db import WriterTurns, make_engine


def test_turns_are_handed_over_in_arrival_order():
    turns = WriterTurns(timeout=5)
    assert turns.acquire()
    order: list[int] = []

    def writer(n: int) -> None:
        assert turns.acquire()
        order.append(n)
        turns.release()

    threads = []
    for n in range(5):
        t = threading.Thread(target=writer, args=(n,))
        t.start()
        threads.append(t)
        time.sleep(0.02)  # queued one after the other
    turns.release()
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2, 3, 4]


def test_a_second_connection_of_the_same_thread_does_not_wait_for_itself():
    turns = WriterTurns(timeout=5)
    assert turns.acquire() and turns.acquire()
    turns.release()
    turns.release()
    assert turns.acquire()  # free again


def test_a_turn_that_never_comes_gives_up_after_the_timeout():
    turns = WriterTurns(timeout=0.1)
    holder = threading.Thread(target=turns.acquire)
    holder.start()
    holder.join()
    assert turns.acquire() is False


@pytest.mark.parametrize("end", ["commit", "rollback", "close", "error"])
def test_the_turn_is_given_back_when_the_transaction_ends(tmp_path, end):
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    with engine.begin() as conn:
        conn.execute(text("create table t (x integer unique)"))
    conn = engine.connect()
    conn.execute(text("insert into t values (1)"))
    if end == "commit":
        conn.commit()
    elif end == "rollback":
        conn.rollback()
    elif end == "error":
        with pytest.raises(IntegrityError):
            conn.execute(text("insert into t values (1)"))
            conn.commit()
        conn.rollback()
    conn.close()

    done = threading.Event()

    def other_thread_writes() -> None:
        with engine.begin() as c:
            c.execute(text("insert into t values (2)"))
        done.set()

    t = threading.Thread(target=other_thread_writes)
    t.start()
    assert done.wait(5), f"the turn was not given back after {end}"
    t.join()
    with engine.connect() as c:
        assert c.execute(text("select count(*) from t where x = 2")).scalar() == 1
    engine.dispose()


@pytest.mark.parametrize("checkpointed", [True, False])
def test_checkpoint_empties_the_log_so_the_next_writer_starts_it_over(tmp_path, checkpointed):
    from bot.store.db import checkpoint

    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    with engine.begin() as conn:
        conn.execute(text("create table t (x text)"))
    for _ in range(50):
        with engine.begin() as conn:
            conn.execute(text("insert into t values (:x)"), {"x": "字" * 2000})
    if checkpointed:
        checkpoint(engine)
    with engine.begin() as conn:
        conn.execute(text("insert into t values ('x')"))
    with engine.connect() as conn:
        frames = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
        assert conn.execute(text("select count(*) from t")).scalar() == 51
    assert (frames < 5) if checkpointed else (frames > 50)  # the log started over after the checkpoint
    engine.dispose()

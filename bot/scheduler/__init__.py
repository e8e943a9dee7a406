"""Scheduled work: deadline rows swept with a lease (every process), periodic jobs in one leader.

    sweeper.py   claim due deadline rows, act, settle once (reminders, 督办, 回访 timeout, patrol reminders)
    leader.py    PostgreSQL advisory-lock leader (SQLite: the only process leads)
    service.py   APScheduler 3.11 (AsyncIOScheduler, memory job store) wired into GridBot
    clock.py     ManualClock for tests and the overdue demo
"""

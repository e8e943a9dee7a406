"""Tables of the reports feature (migration 0003): scheduled digests already sent, and unmasked exports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.store.tables import utcnow


class DigestRun(SQLModel, table=True):
    """One scheduled digest sent to one chat for one period: the unique key makes it fire once, even with
    two bot processes or after a restart."""

    __tablename__ = "digest_run"
    __table_args__ = (UniqueConstraint("chat_id", "kind", "period_key", name="uq_digest_run"),)
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger)
    unit_id: int
    kind: str = Field(max_length=20)  # daily | weekly
    period_key: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow)


class ReportAudit(SQLModel, table=True):
    """Who exported personal data unmasked, when, and what."""

    __tablename__ = "report_audit"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    person_id: int | None = None
    actor: str = Field(default="", max_length=100)
    action: str = Field(max_length=30)  # export_unmasked
    detail: str = Field(default="", sa_type=Text)

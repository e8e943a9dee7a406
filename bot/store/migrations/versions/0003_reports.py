"""reports: indexes for digests over a period, scheduled-digest runs, audit of unmasked exports

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23 10:30:00

A branch beside 0002 (deadlines): both start from 0001 and `upgrade heads` applies them in any order.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# a digest reads one period per timestamp: (grid, timestamp) lets every scope, from one grid to a whole
# street, read only that period's rows, and the trailing columns make the reads index-only (a month of a
# street is ~85,000 cases: looking each row up in the table is what would cost the time)
CASE_INDEXES = {
    "ix_case_report_created": ["grid_id", "created_at", "category", "state", "accepted_at", "accept_by",
                               "resolved_at", "resolve_by", "location"],
    "ix_case_report_accepted": ["grid_id", "accepted_at", "created_at", "assignee_id"],
    "ix_case_report_resolved": ["grid_id", "resolved_at", "created_at", "resolve_by", "assignee_id"],
    "ix_case_grid_closed": ["grid_id", "closed_at", "state"],  # merged and rejected cases get a closed_at too
}
# the audit events that carry a 回访 rating (bot/reports/figures.RATING_ACTIONS, as bot/services/followup.py
# logs them): a partial index, index-only for the digest's ratings query. Kept literal: a migration must not
# change when the code does.
RATING_ACTIONS = ("close", "reopen", "rate")
RATING_WHERE = "action IN (" + ", ".join(f"'{a}'" for a in RATING_ACTIONS) + ")"


def upgrade() -> None:
    for name, cols in CASE_INDEXES.items():
        op.create_index(name, "case_", cols)
    op.create_index("ix_case_event_action_at", "case_event", ["action", "at"])
    op.create_index("ix_case_event_rating", "case_event", ["at", "case_id", "action", "note"],
                    sqlite_where=sa.text(RATING_WHERE), postgresql_where=sa.text(RATING_WHERE))
    op.create_table(
        "digest_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("period_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat_id", "kind", "period_key", name="uq_digest_run"),
    )
    op.create_table(
        "report_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("report_audit")
    op.drop_table("digest_run")
    op.drop_index("ix_case_event_rating", table_name="case_event")
    op.drop_index("ix_case_event_action_at", table_name="case_event")
    for name in CASE_INDEXES:
        op.drop_index(name, table_name="case_")

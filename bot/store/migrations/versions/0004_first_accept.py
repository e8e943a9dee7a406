"""first accept deadline: the 响应率 counts each case against the accept clock it was first given

Revision ID: 0004
Revises: 0002, 0003
Create Date: 2026-11-23 14:00:00

A reopen or a transfer restarts accept_by, while accepted_at keeps the first acceptance: measured against
the latest deadline, a first acceptance that came late would count as on time. first_accept_by is set
once, when the first accept clock starts (and follows urgency or category changes until the case is first
accepted). This revision also joins the two branches 0002 and 0003.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = ("0002", "0003")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0003's covering index for the period's cohort, with the first accept deadline in place of the latest
OLD_COLUMNS = ["grid_id", "created_at", "category", "state", "accepted_at", "accept_by", "resolved_at", "resolve_by",
               "location"]
NEW_COLUMNS = ["grid_id", "created_at", "category", "state", "accepted_at", "first_accept_by", "resolved_at",
               "resolve_by", "location"]


def upgrade() -> None:
    op.add_column("case_", sa.Column("first_accept_by", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute("UPDATE case_ SET first_accept_by = accept_by")  # older cases: the best that is known
    op.drop_index("ix_case_report_created", table_name="case_")
    op.create_index("ix_case_report_created", "case_", NEW_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_case_report_created", table_name="case_")
    op.create_index("ix_case_report_created", "case_", OLD_COLUMNS)
    with op.batch_alter_table("case_") as batch:
        batch.drop_column("first_accept_by")

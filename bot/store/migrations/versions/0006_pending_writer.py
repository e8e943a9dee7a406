"""pending_report: find a writer's open question or awaited details by (status, chat, writer)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 16:00:00

A bare "我要投诉" makes the bot ask what and where, and the writer's next message in that chat opens the
case (status "awaiting"). That next message is looked up on every resident message that does not open a
case at once; the table keeps every question ever asked, so the lookup needs its own index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_pending_writer", "pending_report", ["status", "chat_id", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_pending_writer", table_name="pending_report")

"""correction: old_urgency / new_urgency, so a worker's /urgency is kept like a /recat

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 18:00:00

A case the rules left yellow or green that a worker makes red is the most useful thing the classifier
can learn from (red in group chat is its weakest point): `gridbot rules suggest` mines those messages
for candidate red triggers. Both columns are empty on category corrections.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("correction") as batch:
        batch.add_column(sa.Column("old_urgency", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch.add_column(sa.Column("new_urgency", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("correction") as batch:
        batch.drop_column("new_urgency")
        batch.drop_column("old_urgency")

"""organisation version: a counter bumped by triggers on unit, person, membership and chat_binding

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 15:00:00

Every handled message looked up its chat's binding, the unit chain above it and the grid's workers again
(about a dozen statements of its ~40). Processes now keep the organisation in memory (bot.store.orgcache)
and check this one number per transaction. Triggers, not application code, bump it, so that changes made
by another process or by hand in SQL are seen too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORG_TABLES = ("unit", "person", "membership", "chat_binding")
BUMP = "UPDATE org_version SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "org_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO org_version (id, version) VALUES (1, 0)")
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_org_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in ORG_TABLES:
            op.execute(f"CREATE TRIGGER org_version_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION bump_org_version()")
    else:  # SQLite: one trigger per table and operation, per row
        for table in ORG_TABLES:
            for op_name in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER org_version_{table}_{op_name.lower()} AFTER {op_name} ON {table} "
                           f"BEGIN {BUMP}; END")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in ORG_TABLES:
            op.execute(f"DROP TRIGGER org_version_{table} ON {table}")
        op.execute("DROP FUNCTION bump_org_version()")
    else:
        for table in ORG_TABLES:
            for op_name in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER org_version_{table}_{op_name}")
    op.drop_table("org_version")

"""quality estimation: per-segment scores, the article's weakest score, scorer distributions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("qe_score", sa.Float(), nullable=True))
    with op.batch_alter_table("segments") as batch:
        batch.add_column(sa.Column("qe", sa.JSON(), nullable=True))
    op.create_table(
        "qe_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorer", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=256), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("engine", sa.String(length=256), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("m2", sa.Float(), nullable=False),
        sa.Column("sample", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scorer", "model", "language", "engine"),
    )


def downgrade() -> None:
    op.drop_table("qe_stats")
    with op.batch_alter_table("segments") as batch:
        batch.drop_column("qe")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("qe_score")

"""index for list pages (published articles newest first)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_state_published_at", "articles", ["state", "published_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_articles_state_published_at", table_name="articles")

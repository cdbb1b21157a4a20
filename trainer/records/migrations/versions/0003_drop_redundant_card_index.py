"""Drop the due_at-only index of review_cards: every query filters by agent first and uses
ix_review_cards_user_due, and one index less makes every submit's card upsert cheaper.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain DROP INDEX (no batch table rebuild, which would drop the rollup trigger)
    op.drop_index("ix_review_cards_due_at", table_name="review_cards")


def downgrade() -> None:
    op.create_index("ix_review_cards_due_at", "review_cards", ["due_at"], unique=False)

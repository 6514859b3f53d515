"""knowledge provenance: per-term sources of scheme terms, opt-in experts

``scheme_terms.term_sources`` holds each term per year with its source page and the date it
was checked; ``content_item.consent_at`` and ``availability`` record an expert's opt-in.

Revision ID: 068bb972f0dd
Revises: 2d0b6a0df639
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.core.db import UtcDateTime

revision: str = '068bb972f0dd'
down_revision: str | Sequence[str] | None = '2d0b6a0df639'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('scheme_terms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('term_sources', sa.JSON(), nullable=False,
                                      server_default='[]'))
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_at', UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('availability', sa.String(length=300), nullable=True))
    # A check date without a source for each term is not a check: clear the old ones.
    op.execute("UPDATE scheme_terms SET terms_checked_on = NULL")


def downgrade() -> None:
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.drop_column('availability')
        batch_op.drop_column('consent_at')
    with op.batch_alter_table('scheme_terms', schema=None) as batch_op:
        batch_op.drop_column('term_sources')

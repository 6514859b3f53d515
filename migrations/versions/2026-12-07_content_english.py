"""content in English: title, summary and text beside the Dutch, and the terms note

``content_item.title_en``, ``summary_en`` and ``body_md_en`` hold an optional English
translation (empty: none); ``scheme_terms.terms_note_en`` the note on the terms. Each term's
English label and value live in ``scheme_terms.term_sources`` (JSON, no column).

Revision ID: 5e1d7a3c9b20
Revises: 7c41e0b2a9f3
Create Date: 2026-12-07 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5e1d7a3c9b20'
down_revision: str | Sequence[str] | None = '7c41e0b2a9f3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_en', sa.String(length=300), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('summary_en', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('body_md_en', sa.Text(), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('scheme_terms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms_note_en', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('scheme_terms', schema=None) as batch_op:
        batch_op.drop_column('terms_note_en')
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.drop_column('body_md_en')
        batch_op.drop_column('summary_en')
        batch_op.drop_column('title_en')

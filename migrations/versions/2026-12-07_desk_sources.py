"""desk sources: where a desk's remit comes from, its published response target, demo flag

Every desk carries the organisation's own public page it was taken from, what that page says
and the date it was checked; a response target is the organisation's own only when
``response_target_source`` cites it (otherwise it is Loket's default); fictional demo desks are
flagged so the seed loads them only in development.

Revision ID: 3e8b5c1d9a47
Revises: 7a4d2e91c0b5
Create Date: 2026-12-07 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3e8b5c1d9a47'
down_revision: str | Sequence[str] | None = '7a4d2e91c0b5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('desk', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('source_note', sa.String(length=1000), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('source_checked', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('response_target_source', sa.String(length=500),
                                      nullable=True))
        batch_op.add_column(sa.Column('is_demo', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('desk', schema=None) as batch_op:
        batch_op.drop_column('is_demo')
        batch_op.drop_column('response_target_source')
        batch_op.drop_column('source_checked')
        batch_op.drop_column('source_note')
        batch_op.drop_column('source_url')

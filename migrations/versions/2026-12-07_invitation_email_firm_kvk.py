"""invitation bound to an e-mail address; a firm's KvK number

An invitation to a group is for one e-mail address (``group_invitation.email``, lower case);
only a person logged in with that address accepts it. Invitations made before this revision
have no address and are no longer accepted (they expire within 14 days anyway). A firm has a
KvK number (``group_firm.kvk``, 8 digits); one firm per KvK number in a group, checked by the
service. Firms made before this revision, and the example firms, may have none.

Revision ID: 9d1d91da99b0
Revises: 3e8b1f6c2a94
Create Date: 2026-12-07 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '9d1d91da99b0'
down_revision: str | Sequence[str] | None = '3e8b1f6c2a94'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('group_invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    with op.batch_alter_table('group_firm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kvk', sa.String(length=8), nullable=True))
        batch_op.create_index('ix_group_firm_kvk', ['kvk'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('group_firm', schema=None) as batch_op:
        batch_op.drop_index('ix_group_firm_kvk')
        batch_op.drop_column('kvk')
    with op.batch_alter_table('group_invitation', schema=None) as batch_op:
        batch_op.drop_column('email')

"""periodic job locked by: which worker holds a periodic job's lease

Revision ID: 57775c57f62e
Revises: 787eb794f643
Create Date: 2026-11-22 16:27:11.669276
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '57775c57f62e'
down_revision: str | Sequence[str] | None = '787eb794f643'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('periodic_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('periodic_job', schema=None) as batch_op:
        batch_op.drop_column('locked_by')

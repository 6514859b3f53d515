"""postcode place: the woonplaats of each four-digit postcode (CBS)

The national PC4 table (seed/regions/pc4_nl.csv, CBS) names the place of every postcode; the
region index reads it to recognise place names in a question's text.

Revision ID: 2d0b6a0df639
Revises: 7a4d2e91c0b5
Create Date: 2026-12-07 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '2d0b6a0df639'
down_revision: str | Sequence[str] | None = '7a4d2e91c0b5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('postcode_area', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=100),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('postcode_area', schema=None) as batch_op:
        batch_op.drop_column('place')

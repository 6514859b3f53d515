"""question_case.company_size holds any taxonomy size slug (up to 40 characters)

The company sizes are the taxonomy's (``taxonomy_company_size.slug``, 40 characters), which an
editor may extend; the case column was 8 characters wide from the days of a fixed list of five.
Downgrade narrows it again and first empties the sizes that do not fit (only sizes added to
the taxonomy after this revision can be longer than 8 characters).

Revision ID: 9a4c2e6f1b37
Revises: 5e1d7a3c9b20
Create Date: 2026-12-07 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '9a4c2e6f1b37'
down_revision: str | Sequence[str] | None = '5e1d7a3c9b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('question_case', schema=None) as batch_op:
        batch_op.alter_column('company_size', existing_type=sa.String(length=8),
                              type_=sa.String(length=40), existing_nullable=True)


def downgrade() -> None:
    op.execute("UPDATE question_case SET company_size = NULL WHERE length(company_size) > 8")
    with op.batch_alter_table('question_case', schema=None) as batch_op:
        batch_op.alter_column('company_size', existing_type=sa.String(length=40),
                              type_=sa.String(length=8), existing_nullable=True)

"""desk.escalate_after_hours: the desk's own escalation time (issue 14, one truth per concept)

The SLA lives once, in the desk's data: its first-response target (``first_response_hours``,
existing) and when an unanswered case moves to the fallback desk. Empty means the default
rule (``SLA_ESCALATION_FACTOR`` in ``backend/core/settings.py`` times the target), which is
what every desk did before, so existing desks need no value.

Revision ID: 3f6c1d2e9b7a
Revises: d5f25952c3dc
Create Date: 2026-12-07 13:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3f6c1d2e9b7a'
down_revision: str | Sequence[str] | None = 'd5f25952c3dc'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('desk', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalate_after_hours', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('desk', schema=None) as batch_op:
        batch_op.drop_column('escalate_after_hours')

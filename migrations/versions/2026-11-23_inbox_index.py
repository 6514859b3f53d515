"""inbox index: (desk, status, due date, id) instead of (desk, status)

The inbox reads each status of a desk in due-date order through this index, at most 200 ids
each; the router's load figure counts per desk and status from its first two columns.

Revision ID: 7a4d2e91c0b5
Revises: 5c1e0a9f3b27
Create Date: 2026-11-23 01:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '7a4d2e91c0b5'
down_revision: str | Sequence[str] | None = '5c1e0a9f3b27'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('question_case', schema=None) as batch_op:
        batch_op.create_index('ix_question_case_desk_status_due',
                              ['desk_id', 'status', 'first_response_due_at', 'id'], unique=False)
        batch_op.drop_index('ix_question_case_desk_status')


def downgrade() -> None:
    with op.batch_alter_table('question_case', schema=None) as batch_op:
        batch_op.create_index('ix_question_case_desk_status', ['desk_id', 'status'],
                              unique=False)
        batch_op.drop_index('ix_question_case_desk_status_due')

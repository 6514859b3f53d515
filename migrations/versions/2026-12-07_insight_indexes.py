"""insight indexes: open and overdue per desk, and zero-result searches, from an index alone

The desks view counts today's open and overdue cases per desk: a covering index on
(status, desk_id, first_responded_at, first_response_due_at) answers it without reading the
cases (54 ms → 4 ms on SQLite at 100,000 cases, 20,000 open). "Searches that found nothing"
groups the rows with zero_results > 0 by query: a partial index on (query, month,
zero_results) holding only those rows replaces (zero_results, month, query), which SQLite
never chose for the grouping (docs/benchmarks.md, "Insight at scale").

Revision ID: 7c41e0b2a9f3
Revises: 3f6c1d2e9b7a
Create Date: 2026-12-07 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7c41e0b2a9f3'
down_revision: str | Sequence[str] | None = '3f6c1d2e9b7a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ZERO = sa.text('zero_results > 0')


def upgrade() -> None:
    op.create_index('ix_question_case_open_by_desk', 'question_case',
                    ['status', 'desk_id', 'first_responded_at', 'first_response_due_at'],
                    unique=False)
    op.drop_index('ix_search_log_zero', table_name='search_log')
    op.create_index('ix_search_log_zero_query', 'search_log',
                    ['query', 'month', 'zero_results'], unique=False,
                    sqlite_where=ZERO, postgresql_where=ZERO)


def downgrade() -> None:
    op.drop_index('ix_search_log_zero_query', table_name='search_log')
    op.create_index('ix_search_log_zero', 'search_log', ['zero_results', 'month', 'query'],
                    unique=False)
    op.drop_index('ix_question_case_open_by_desk', table_name='question_case')

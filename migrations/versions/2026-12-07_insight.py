"""insight: analyst role scope, disclosure-safe atoms, search and finder logs

Revision ID: d5f25952c3dc
Revises: 52a2b9348087
Create Date: 2026-12-07 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.core.db

revision: str = 'd5f25952c3dc'
down_revision: str | Sequence[str] | None = '52a2b9348087'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=8), nullable=True))
    op.create_table(
        'insight_snapshot',
        sa.Column('dataset', sa.String(length=16), nullable=False),
        sa.Column('quarter', sa.String(length=7), nullable=False),
        sa.Column('computed_at', backend.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('frozen', sa.Boolean(), nullable=False),
        sa.Column('records', sa.Integer(), nullable=False),
        sa.Column('shown', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('dataset', 'quarter', name=op.f('pk_insight_snapshot')),
    )
    op.create_table(
        'insight_atom',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dataset', sa.String(length=16), nullable=False),
        sa.Column('quarter', sa.String(length=7), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=True),
        sa.Column('province', sa.String(length=8), nullable=False),
        sa.Column('corop', sa.String(length=8), nullable=True),
        sa.Column('lmr', sa.String(length=8), nullable=True),
        sa.Column('theme', sa.String(length=80), nullable=False),
        sa.Column('sector', sa.String(length=80), nullable=False),
        sa.Column('size', sa.String(length=40), nullable=False),
        sa.Column('desk_id', sa.Integer(), nullable=True),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_insight_atom')),
    )
    op.create_index('ix_insight_atom_dataset_quarter', 'insight_atom', ['dataset', 'quarter'],
                    unique=False)
    op.create_table(
        'search_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('query', sa.String(length=200), nullable=False),
        sa.Column('searches', sa.Integer(), nullable=False),
        sa.Column('zero_results', sa.Integer(), nullable=False),
        sa.Column('last_result_count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_log')),
        sa.UniqueConstraint('month', 'query', name=op.f('uq_search_log_month_query')),
    )
    op.create_index(op.f('ix_search_log_month'), 'search_log', ['month'], unique=False)
    op.create_index('ix_search_log_zero', 'search_log', ['zero_results', 'month', 'query'],
                    unique=False)
    op.create_table(
        'search_month',
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('searches', sa.Integer(), nullable=False),
        sa.Column('zero_results', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('month', name=op.f('pk_search_month')),
    )
    op.create_table(
        'finder_miss_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('size', sa.String(length=40), nullable=False),
        sa.Column('sector', sa.String(length=80), nullable=False),
        sa.Column('province', sa.String(length=80), nullable=False),
        sa.Column('theme', sa.String(length=80), nullable=False),
        sa.Column('cost_kind', sa.String(length=80), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finder_miss_log')),
        sa.UniqueConstraint('month', 'size', 'sector', 'province', 'theme', 'cost_kind',
                            name=op.f('uq_finder_miss_log_month_size_sector_province_theme_cost_kind')),
    )
    op.create_index(op.f('ix_finder_miss_log_month'), 'finder_miss_log', ['month'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_finder_miss_log_month'), table_name='finder_miss_log')
    op.drop_table('finder_miss_log')
    op.drop_table('search_month')
    op.drop_index('ix_search_log_zero', table_name='search_log')
    op.drop_index(op.f('ix_search_log_month'), table_name='search_log')
    op.drop_table('search_log')
    op.drop_index('ix_insight_atom_dataset_quarter', table_name='insight_atom')
    op.drop_table('insight_atom')
    op.drop_table('insight_snapshot')
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_column('scope')

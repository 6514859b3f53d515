"""Regions (municipalities, PC4) and desks (coverage, members)

Revision ID: 1c64b20c136b
Revises: b6883437e8a6
Create Date: 2026-11-22 16:33:34.484185
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import backend.core.db

revision: str = '1c64b20c136b'
down_revision: str | Sequence[str] | None = 'b6883437e8a6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('desk',
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('general_remit', sa.Boolean(), nullable=False),
    sa.Column('is_fallback', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('first_response_hours', sa.Integer(), nullable=False),
    sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('website', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('company_sizes', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('seed_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', backend.core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk')),
    sa.UniqueConstraint('slug', name=op.f('uq_desk_slug'))
    )
    op.create_table('municipality',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('province_code', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('province_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('corop_code', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
    sa.Column('corop_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('labour_market_code', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
    sa.Column('labour_market_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('valid_year', sa.Integer(), nullable=False),
    sa.Column('search_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('former_names', sa.JSON(), nullable=False),
    sa.Column('imported_at', backend.core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_municipality'))
    )
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipality_corop_code'), ['corop_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_labour_market_code'), ['labour_market_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_municipality_search_name'), ['search_name'], unique=False)

    op.create_table('postcode_area',
    sa.Column('postcode', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('valid_year', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('postcode', name=op.f('pk_postcode_area'))
    )
    with op.batch_alter_table('postcode_area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_postcode_area_municipality_code'), ['municipality_code'], unique=False)

    op.create_table('desk_coverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('desk_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.ForeignKeyConstraint(['desk_id'], ['desk.id'], name=op.f('fk_desk_coverage_desk_id_desk'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_coverage')),
    sa.UniqueConstraint('desk_id', 'kind', 'code', name=op.f('uq_desk_coverage_desk_id_kind_code'))
    )
    with op.batch_alter_table('desk_coverage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_coverage_desk_id'), ['desk_id'], unique=False)

    op.create_table('desk_member',
    sa.Column('desk_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('added_at', backend.core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['desk_id'], ['desk.id'], name=op.f('fk_desk_member_desk_id_desk'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_desk_member_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('desk_id', 'user_id', name=op.f('pk_desk_member'))
    )
    with op.batch_alter_table('desk_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_member_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('desk_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_member_user_id'))

    op.drop_table('desk_member')
    with op.batch_alter_table('desk_coverage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_coverage_desk_id'))

    op.drop_table('desk_coverage')
    with op.batch_alter_table('postcode_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_postcode_area_municipality_code'))

    op.drop_table('postcode_area')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipality_search_name'))
        batch_op.drop_index(batch_op.f('ix_municipality_province_code'))
        batch_op.drop_index(batch_op.f('ix_municipality_labour_market_code'))
        batch_op.drop_index(batch_op.f('ix_municipality_corop_code'))

    op.drop_table('municipality')
    op.drop_table('desk')

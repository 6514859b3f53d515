"""api_token.minted_by_user_id: who made the token (issue 12, tokens)

A token acts with its owner's memberships only when the owner made it; its role is re-checked
against the rights of its owner (or, without an owner, of whoever made it) at every use.
Existing tokens: a personal token was made by its owner; for the others the maker is read
from the audit log's ``token.created`` entry (none for tokens made with the command line).

Revision ID: 52a2b9348087
Revises: 068bb972f0dd
Create Date: 2026-12-07 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '52a2b9348087'
down_revision: str | Sequence[str] | None = '068bb972f0dd'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minted_by_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_api_token_minted_by_user_id_user_account'),
                                    'user_account', ['minted_by_user_id'], ['id'],
                                    ondelete='CASCADE')
    op.execute("UPDATE api_token SET minted_by_user_id = user_id WHERE role = 'personal'")
    op.execute(
        "UPDATE api_token SET minted_by_user_id = ("
        " SELECT MIN(a.actor_user_id) FROM audit_event a"
        " WHERE a.action = 'token.created' AND a.target_type = 'api_token'"
        " AND a.target_id = CAST(api_token.id AS VARCHAR(64))"
        " AND a.actor_user_id IN (SELECT u.id FROM user_account u))"
        " WHERE role <> 'personal'")


def downgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_token_minted_by_user_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_column('minted_by_user_id')

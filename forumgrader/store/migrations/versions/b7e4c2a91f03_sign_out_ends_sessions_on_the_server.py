"""Sign-out ends sessions on the server: a session version per account

Revision ID: b7e4c2a91f03
Revises: b7c2e4f19a3d
Create Date: 2026-12-03 15:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'b7e4c2a91f03'
down_revision = "b7c2e4f19a3d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('session_version')

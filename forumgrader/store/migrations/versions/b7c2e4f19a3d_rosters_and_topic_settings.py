"""Rosters and topic settings: who is enrolled, each roster file, a topic's time zone, grade item and absent grade

Revision ID: b7c2e4f19a3d
Revises: c53ac8a52a09
Create Date: 2026-12-03 15:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import forumgrader.store.db


revision = "b7c2e4f19a3d"
down_revision = "c53ac8a52a09"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("lms", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("created_at", forumgrader.store.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_roster_import_course_id_course"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_import")),
    )
    with op.batch_alter_table("roster_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_import_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_roster_import_sha256"), ["sha256"], unique=False)
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enrolled", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("topic", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=60), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("absent_grade", sa.String(length=10), nullable=False, server_default="zero"))
        batch_op.add_column(sa.Column("grade_item", sa.String(length=500), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("topic", schema=None) as batch_op:
        batch_op.drop_column("grade_item")
        batch_op.drop_column("absent_grade")
        batch_op.drop_column("timezone")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("enrolled")
    with op.batch_alter_table("roster_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_import_sha256"))
        batch_op.drop_index(batch_op.f("ix_roster_import_course_id"))
    op.drop_table("roster_import")

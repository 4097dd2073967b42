"""The job queue (procrastinate's schema) and the transactional outbox of events."""

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy.dialects import postgresql
from sqlalchemy.util import await_only

revision, down_revision = "0006_jobs_outbox", "0005"


def _execute_script(sql: str) -> None:
    """Run a multi-statement script (functions with ``$$`` bodies) on the migration's connection.

    SQLAlchemy's asyncpg cursor prepares each statement, and a prepared statement holds one
    command; asyncpg's own ``execute`` without arguments uses the simple protocol, which runs a
    whole script, inside the migration's transaction.
    """
    driver_connection = op.get_bind().connection.driver_connection
    assert driver_connection is not None
    await_only(driver_connection.execute(sql))


def upgrade() -> None:
    # procrastinate's schema as the installed version ships it; later versions of the library
    # ship migration scripts (procrastinate/sql/migrations) that a new revision applies.
    _execute_script(SchemaManager.get_schema())
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("resource_type", sa.String(length=30), nullable=False),
        sa.Column("resource_external_id", sa.String(length=26), nullable=False),
        sa.Column("parent_resource_external_id", sa.String(length=26), nullable=True),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("event_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("service_id", sa.String(length=32), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("gateway_account_id", sa.String(length=255), nullable=False),
        sa.Column("ordering_key", sa.String(length=26), nullable=False),
        sa.Column(
            "created_date", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("emitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("do_not_retry_emit_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_index(
        "ix_outbox_events_pending",
        "outbox_events",
        ["ordering_key", "id"],
        postgresql_where=sa.text("emitted_at IS NULL"),
    )
    op.create_index("ix_outbox_events_resource", "outbox_events", ["resource_type", "resource_external_id"])
    op.create_index("ix_outbox_events_event_date", "outbox_events", ["event_date"])


def downgrade() -> None:
    op.drop_table("outbox_events")
    # Everything procrastinate created is named procrastinate_*.
    _execute_script(
        """
        DO $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT tablename FROM pg_tables
                     WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate\\_%' LOOP
                EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
            END LOOP;
            FOR r IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                     JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
                EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.signature);
            END LOOP;
            FOR r IN SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                     WHERE n.nspname = current_schema() AND typname LIKE 'procrastinate\\_%'
                       AND t.typtype IN ('e', 'c') LOOP
                EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
            END LOOP;
        END $$;
        """
    )

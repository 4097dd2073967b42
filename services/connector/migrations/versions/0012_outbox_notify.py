"""The outbox wakes its publisher: a NOTIFY per committed insert, and an index of what is unsent.

Each statement that inserts ``outbox_events`` rows notifies channel ``connector_outbox``;
PostgreSQL delivers the notification when (and only if) the transaction commits, and once per
transaction however many rows it wrote. The publisher of each worker process listens there, so
an event goes out as soon as its transaction commits, with no job row per transaction (five of a
payment's seven jobs before; docs/benchmarks.md, issue 11). ``ix_outbox_events_unsent`` serves
the publisher's "oldest unsent events of every payment" read without scanning sent ones.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0012_outbox_notify", "0011_email_resends"


def upgrade() -> None:
    op.create_index(
        "ix_outbox_events_unsent", "outbox_events", ["id"], postgresql_where=sa.text("emitted_at IS NULL")
    )
    op.execute(
        """
        CREATE FUNCTION connector_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('connector_outbox', '');
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events"
        " FOR EACH STATEMENT EXECUTE FUNCTION connector_outbox_notify()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER outbox_events_notify ON outbox_events")
    op.execute("DROP FUNCTION connector_outbox_notify()")
    op.drop_index("ix_outbox_events_unsent", table_name="outbox_events")

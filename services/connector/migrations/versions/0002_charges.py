"""Charge lifecycle: capture queue and anything else the state machine needs.

Owned by the charge lifecycle (issue 3) work. Intentionally empty: the capture queue is the
``charges`` table itself (due charges are claimed by status with ``FOR UPDATE SKIP LOCKED``,
served by the foundation's ``(status, updated_date)`` index), see docs/decisions.md
"Capture queue". Later lifecycle schema goes here.
"""

revision, down_revision = "0002", "0001"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Charge lifecycle: capture queue and anything else the state machine needs.

Owned by the charge lifecycle (issue 3) work. Intentionally empty: the capture queue is the
``charges`` table itself (due charges are claimed by status with ``FOR UPDATE SKIP LOCKED``,
served by the foundation's ``(status, updated_date)`` index), see docs/decisions.md
"Capture queue". Later lifecycle schema goes here.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

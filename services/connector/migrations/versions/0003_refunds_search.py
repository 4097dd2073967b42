"""Refunds and search: indexes for every search filter, refund search and telephone idempotency.

Owned by the refunds/search (issue 4) work. ``docs/search.md`` shows the plans that rely on
these indexes. Partial, case-insensitive matching on reference, email and cardholder name
compares lower-cased copies of them (``reference_lower LIKE lower('%x%')``, what ``ILIKE``
does in a UTF8 database, without lower-casing every row at query time), through GIN indexes
keyed on the account and the column's trigrams (pg_trgm, created in 0001, with btree_gin for
the account key), or the covering index below; the exact
filters use (gateway_account_id, column, created_date) B-trees so a page comes newest first
straight from the index.
"""

from alembic import op

revision, down_revision = "0003", "0002"

TRIGRAM_COLUMNS = ("reference", "email", "cardholder_name")
ACCOUNT_COLUMNS = ("status", "card_brand", "first_digits_card_number", "last_digits_card_number")


def upgrade() -> None:
    # Kept by PostgreSQL itself, added in one ALTER (one rewrite of the table); the expression is
    # written as PostgreSQL reflects it, so the models (connector/models/charge.py) compare equal.
    op.execute(
        "ALTER TABLE charges "
        + ", ".join(
            f"ADD COLUMN {column}_lower text GENERATED ALWAYS AS (lower(({column})::text)) STORED"
            for column in TRIGRAM_COLUMNS
        )
    )
    # Every search names its account, so the account is a key of the trigram index too: GIN then
    # intersects the account's entries with the pattern's trigrams in one index scan (a common
    # name in a 47,000-charge account: 10 ms, against 24 ms for a trigram-only index ANDed with
    # an account bitmap; docs/search.md). btree_gin gives GIN the bigint equality; it is a
    # trusted extension, so the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for column in TRIGRAM_COLUMNS:
        op.execute(
            f"CREATE INDEX ix_charges_account_{column}_trgm ON charges "
            f"USING gin (gateway_account_id, {column}_lower gin_trgm_ops)"
        )
    for column in ACCOUNT_COLUMNS:
        op.create_index(
            f"ix_charges_account_{column}_created", "charges", ["gateway_account_id", column, "created_date"]
        )
    # Covering index: an account's charges newest first with the partially-matched columns
    # (lower-cased), so counting a short or common pattern (too short for trigrams, or matching thousands)
    # is an index-only scan of that account instead of a heap visit per charge. ``id`` lets the
    # same scan also pick the page's charges (count and page in one pass, docs/search.md).
    op.create_index(
        "ix_charges_account_created_search",
        "charges",
        ["gateway_account_id", "created_date"],
        postgresql_include=["id", "reference_lower", "email_lower", "cardholder_name_lower", "status"],
    )
    op.create_index(
        "ix_charges_account_agreement_created",
        "charges",
        ["gateway_account_id", "agreement_external_id", "created_date"],
        postgresql_where="agreement_external_id IS NOT NULL",
    )
    # Telephone payments are idempotent on provider_id per account (connector.md §10); the
    # unique index makes that hold under concurrent notifications too.
    op.create_index(
        "uq_charges_account_provider_id",
        "charges",
        ["gateway_account_id", "provider_id"],
        unique=True,
        postgresql_where="provider_id IS NOT NULL",
    )
    # Reports: successful payments by status and creation time.
    op.create_index("ix_charges_status_created", "charges", ["status", "created_date"])
    op.create_index("ix_refunds_created_date", "refunds", ["created_date"])


def downgrade() -> None:
    op.drop_index("ix_refunds_created_date", table_name="refunds")
    op.drop_index("ix_charges_status_created", table_name="charges")
    op.drop_index("uq_charges_account_provider_id", table_name="charges")
    op.drop_index("ix_charges_account_agreement_created", table_name="charges")
    op.drop_index("ix_charges_account_created_search", table_name="charges")
    for column in ACCOUNT_COLUMNS:
        op.drop_index(f"ix_charges_account_{column}_created", table_name="charges")
    for column in TRIGRAM_COLUMNS:
        op.drop_index(f"ix_charges_account_{column}_trgm", table_name="charges")
        op.drop_column("charges", f"{column}_lower")

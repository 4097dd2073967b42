"""The expiry sweep: charges abandoned by their payer are expired (connector.md §9.2)."""

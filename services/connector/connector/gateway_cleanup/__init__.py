"""Clean-up of charges left in an authorisation error at a queryable provider (connector.md §9.3)."""

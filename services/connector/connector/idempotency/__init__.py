"""Idempotency-Key on charge creation (connector.md §4.4)."""

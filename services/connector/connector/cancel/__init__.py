"""Cancelling a charge: by the service (API), by the paying user, or by expiry (connector.md §9)."""

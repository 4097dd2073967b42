"""Recurring-payment agreements and their payment instruments (connector.md §11.1–§11.2)."""

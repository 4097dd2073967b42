"""Worldpay: the XML order protocol over HTTPS with basic auth (connector.md §8, §9, §14.3, §15.1)."""

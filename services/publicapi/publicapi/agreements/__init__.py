"""``/v1/agreements``: recurring-payment agreements (publicapi.md §d.4, §f.6)."""

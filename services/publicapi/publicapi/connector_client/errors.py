"""Failures talking to connector, before any translation into public P-codes."""

from __future__ import annotations


class ConnectorUnavailable(Exception):
    """Connector could not be reached, timed out, or answered with a body we cannot read.

    Each public operation turns this into its own ``P0x98`` "Downstream system error" (500).
    """

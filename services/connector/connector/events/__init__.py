"""Events leave the connector: the transactional outbox, its publisher and the consumers (connector.md §12)."""

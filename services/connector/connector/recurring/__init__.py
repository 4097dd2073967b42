"""Agreement (recurring, user-not-present) payments: the authorisation job of connector.md §11.3."""

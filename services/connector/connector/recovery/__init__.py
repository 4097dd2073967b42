"""Crash recovery: resolve intent states a killed process left behind (docs/reliability.md)."""

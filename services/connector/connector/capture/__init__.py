"""Capturing authorised charges: user approval, delayed capture, and the capture worker (connector.md §8.4-8.6)."""

"""Helpers for the test suite: finding a server and a throw-away database."""

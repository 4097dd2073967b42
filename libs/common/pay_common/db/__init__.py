"""Database building blocks: declarative base, engine and unit-of-work helpers."""

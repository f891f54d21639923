"""Isolation registrations of the marketing URLs (tests/isolation.py)."""

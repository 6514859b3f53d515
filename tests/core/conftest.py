"""Fixtures for the platform core tests."""

from tests.freshdb import fresh_db

__all__ = ["fresh_db"]

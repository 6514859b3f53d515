"""Fixtures for the operations tests."""

from tests.freshdb import fresh_db

__all__ = ["fresh_db"]

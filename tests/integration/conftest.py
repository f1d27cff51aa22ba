"""Fixtures shared by the integration tests."""

from tests.integration.store_fixtures import postgres_server, store_url  # noqa: F401  (fixtures for the store tests)

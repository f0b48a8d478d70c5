import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def store_backend(request) -> str:
    """The store's tests run against SQLite and a real PostgreSQL."""
    return request.param

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def store_backend(request) -> str:
    """The end-to-end path runs against SQLite and a real PostgreSQL."""
    return request.param

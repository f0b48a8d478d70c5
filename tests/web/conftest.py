"""The console served for real by uvicorn on a loopback port, in a thread, over this test's store
(SQLite and PostgreSQL both: the lists' keyset pages and filters are SQL)."""

from __future__ import annotations

import threading
import time

import pytest
import uvicorn

from config import Settings
from tests.receivers import free_port
from web.app import create_app, server_config


@pytest.fixture(params=["sqlite", "postgresql"])
def store_backend(request) -> str:
    return request.param


def serve(settings: Settings, port: int | None = None):
    """Starts the console; returns (base_url, stop)."""
    port = port or free_port()
    server = uvicorn.Server(server_config(create_app(settings), "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise TimeoutError("the console did not start")
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture
def console_url(database_url, tmp_path):
    """The console on this test's store; Temporal is not needed to read."""
    settings = Settings(database_url=database_url, temporal_address="127.0.0.1:1", artifacts_dir=tmp_path / "artifacts")
    url, stop = serve(settings)
    yield url
    stop()

"""Starting a simulated site as a child process and driving its /__sim/ control API (tests, bench, demo)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SimControl:
    """The control API of any site that follows the contract's appendix B."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base_url, timeout=10)

    def _ok(self, response: httpx.Response) -> dict:
        response.raise_for_status()
        return response.json()

    def put_member(self, member: dict) -> dict:
        return self._ok(self.http.post("/__sim/members", json=member))

    def delete_member(self, business_id: str, email: str) -> dict:
        return self._ok(self.http.delete(f"/__sim/members/{business_id}/{email}"))

    def faults(self, **settings) -> dict:
        return self._ok(self.http.post("/__sim/faults", json=settings))

    def expire_sessions(self) -> dict:
        return self._ok(self.http.post("/__sim/sessions/expire"))

    def reset(self) -> dict:
        return self._ok(self.http.post("/__sim/reset"))

    def member_order(self, order: str) -> dict:
        """This site's extension: the collation of Members until the next reset (`folded` or `email`)."""
        return self._ok(self.http.post("/__sim/settings", json={"member_order": order}))

    def stats(self) -> dict:
        return self._ok(self.http.get("/__sim/stats"))

    def wait_ready(self, timeout_s: float = 20) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self.stats()
                return
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


@contextlib.contextmanager
def running_site(world: str | Path, port: int | None = None, log: Path | None = None,
                 member_order: str = "folded") -> Iterator[SimControl]:
    """A simulated site in a child process, on loopback, stopped on exit."""
    port = port or free_port()
    out = open(log, "ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "pinterest_sim", "--host", "127.0.0.1", "--port", str(port), "--world", str(world),
         "--member-order", member_order],
        stdout=out, stderr=out, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    control = SimControl(f"http://127.0.0.1:{port}")
    try:
        control.wait_ready()
        yield control
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        if log:
            out.close()

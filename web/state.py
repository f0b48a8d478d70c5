"""What every request of the console needs: settings, the store, and one Temporal client, connected
on first use (the console still shows what the store holds while Temporal is away)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.client import Client

from config import KeysMissing, Settings
from models.db import session_scope
from models.vault import Vault
from temporal_common.connection import connect
from web.problems import Problem


@dataclass
class ConsoleState:
    settings: Settings
    engine: Engine
    _client: Client | None = None
    _connecting: asyncio.Lock = field(default_factory=asyncio.Lock)

    @contextmanager
    def store(self) -> Iterator[Session]:
        """One transaction, committed before the response goes out."""
        with session_scope(self.engine) as session:
            yield session

    def vault(self) -> Vault:
        """The secrets' vault: monitor accounts' credentials shared through the console go straight in."""
        try:
            return Vault(self.settings.master_keys())
        except KeysMissing as missing:
            raise Problem(503, "keys-missing", f"this console cannot store secrets: {missing}") from None

    async def temporal(self) -> Client:
        async with self._connecting:
            if self._client is None:
                try:
                    self._client = await connect(self.settings)
                except (RuntimeError, ConnectionError) as error:  # the SDK's "Failed client connect"
                    raise Problem(503, "temporal-unavailable", f"cannot reach Temporal ({error})") from None
            return self._client


def state(request: Request) -> ConsoleState:
    return request.app.state.console

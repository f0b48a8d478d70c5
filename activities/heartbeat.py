"""A heartbeater for long browser activities: beats every few seconds with the latest cursor, so a
long wait (a Retry-After, a slow page) is not mistaken for a dead worker, while a killed worker
is noticed within the heartbeat timeout."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import activity


class Heartbeater:
    def __init__(self, interval_s: float = 5.0) -> None:
        self.interval_s = interval_s
        self.details: tuple[Any, ...] = ()
        self._task: asyncio.Task | None = None

    def set(self, *details: Any) -> None:
        """Records the resume point and sends it now (the SDK throttles what reaches the server)."""
        self.details = details
        activity.heartbeat(*details)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            activity.heartbeat(*self.details)

    async def __aenter__(self) -> Heartbeater:
        self._task = asyncio.create_task(self._beat())
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

"""A heartbeater for long browser activities. It beats at a third of the activity's heartbeat
timeout, so that a long wait (a Retry-After, a slow page) is not mistaken for a dead worker while a
killed worker is noticed within the timeout. The details it sends show progress in the Temporal UI;
the resume point is the store, which holds every page read. When its worker begins to stop, it beats
at once, so that the server has the latest progress before the attempt moves elsewhere."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import activity

# Beats per heartbeat timeout: one lost or late beat must not fail the attempt.
BEATS_PER_TIMEOUT = 3
DEFAULT_INTERVAL = timedelta(seconds=5)


def interval_for(heartbeat_timeout: timedelta | None) -> timedelta:
    return heartbeat_timeout / BEATS_PER_TIMEOUT if heartbeat_timeout else DEFAULT_INTERVAL


class Heartbeater:
    def __init__(self) -> None:
        self.interval_s = interval_for(activity.info().heartbeat_timeout).total_seconds()
        self.details: tuple[Any, ...] = ()
        self._task: asyncio.Task | None = None
        self._on_shutdown: asyncio.Task | None = None

    def set(self, *details: Any) -> None:
        """Records the latest progress and sends it now (the SDK throttles what reaches the server)."""
        self.details = details
        activity.heartbeat(*details)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            activity.heartbeat(*self.details)

    async def _beat_on_shutdown(self) -> None:
        await activity.wait_for_worker_shutdown()
        activity.heartbeat(*self.details)

    async def __aenter__(self) -> Heartbeater:
        self._task = asyncio.create_task(self._beat())
        self._on_shutdown = asyncio.create_task(self._beat_on_shutdown())
        return self

    async def __aexit__(self, *exc_info) -> None:
        for task in (self._task, self._on_shutdown):
            if task:
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass

"""One Chromium per worker process, a fresh context per sign-in, replaced when it crashes or
has served its share of contexts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright

from pinterest_reader.browser import launch_chromium

log = structlog.get_logger(__name__)


class BrowserHost:
    def __init__(self, contexts_per_browser: int = 200) -> None:
        self.contexts_per_browser = contexts_per_browser
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._served = 0
        self._open = 0
        self._lock = asyncio.Lock()
        self.launches = 0

    async def start(self) -> None:
        if self._playwright is None:
            self._playwright = await async_playwright().start()

    async def stop(self) -> None:
        async with self._lock:
            if self._browser is not None:
                await self._browser.close()
                self._browser = None
            if self._playwright is not None:
                await self._playwright.stop()
                self._playwright = None

    async def _current(self) -> Browser:
        async with self._lock:
            await self.start()
            stale = self._browser is not None and (
                not self._browser.is_connected()
                or (self._served >= self.contexts_per_browser and self._open == 0)
            )
            if stale:
                log.info("browser.replace", served=self._served, connected=self._browser.is_connected())
                try:
                    await self._browser.close()
                except Exception:  # noqa: BLE001 - a crashed browser may refuse to close
                    pass
                self._browser = None
            if self._browser is None:
                self._browser = await launch_chromium(self._playwright)
                self._served = 0
                self.launches += 1
            return self._browser

    @asynccontextmanager
    async def context(self) -> AsyncIterator[BrowserContext]:
        browser = await self._current()
        context = await browser.new_context(locale="en-US", service_workers="block")
        self._served += 1
        self._open += 1
        try:
            yield context
        finally:
            self._open -= 1
            try:
                await context.close()
            except Exception:  # noqa: BLE001 - closing a context of a crashed browser
                pass

"""One Chromium per worker process, a fresh context per check. A browser is retired when it has
served its share of contexts or crashed: new contexts go to a fresh browser at once, and the old one
closes when its last context does, so a busy worker never waits for a quiet moment to recycle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import structlog
from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from pinterest_reader.browser import launch_chromium

log = structlog.get_logger(__name__)


@dataclass
class _Launched:
    browser: Browser
    served: int = 0
    open: int = 0
    retired: bool = False


class BrowserHost:
    def __init__(self, contexts_per_browser: int = 200, chromium: Path | None = None) -> None:
        self.contexts_per_browser = contexts_per_browser
        self.chromium = chromium
        self._playwright: Playwright | None = None
        self._current: _Launched | None = None
        self._retired: list[_Launched] = []
        self._lock = asyncio.Lock()
        self.launches = 0

    async def start(self) -> None:
        if self._playwright is None:
            self._playwright = await async_playwright().start()

    async def stop(self) -> None:
        async with self._lock:
            for launched in [*self._retired, *([self._current] if self._current else [])]:
                await self._close(launched)
            self._current, self._retired = None, []
            if self._playwright is not None:
                await self._playwright.stop()
                self._playwright = None

    @staticmethod
    async def _close(launched: _Launched) -> None:
        try:
            await launched.browser.close()
        except Exception:  # noqa: BLE001 - a crashed browser may refuse to close
            pass

    async def _retire(self, launched: _Launched, why: str) -> None:
        log.info("browser.retire", why=why, served=launched.served, open_contexts=launched.open)
        launched.retired = True
        if launched.open == 0 or not launched.browser.is_connected():
            await self._close(launched)
        else:
            self._retired.append(launched)

    async def _browser(self) -> _Launched:
        async with self._lock:
            await self.start()
            current = self._current
            if current is not None and not current.browser.is_connected():
                await self._retire(current, "crashed")
                current = None
            elif current is not None and current.served >= self.contexts_per_browser:
                await self._retire(current, "served its share")
                current = None
            if current is None:
                current = self._current = _Launched(await launch_chromium(self._playwright, self.chromium))
                self.launches += 1
            current.served += 1
            current.open += 1
            return current

    async def _release(self, launched: _Launched) -> None:
        async with self._lock:
            launched.open -= 1
            if launched.retired and launched.open == 0 and launched in self._retired:
                self._retired.remove(launched)
                await self._close(launched)

    async def _new_context(self, storage_state: dict | None) -> tuple[_Launched, BrowserContext]:
        for attempt in (1, 2):
            launched = await self._browser()
            try:
                return launched, await launched.browser.new_context(locale="en-US", service_workers="block",
                                                                    storage_state=storage_state)
            except PlaywrightError:
                # A browser that died a moment ago can still look connected: retire it, launch another.
                await self._release(launched)
                async with self._lock:
                    if self._current is launched:
                        self._current = None
                        await self._retire(launched, "refused a context")
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def context(self, storage_state: dict | None = None) -> AsyncIterator[BrowserContext]:
        launched, context = await self._new_context(storage_state)
        try:
            yield context
        finally:
            try:
                await context.close()
            except Exception:  # noqa: BLE001 - closing a context of a crashed browser
                pass
            await self._release(launched)

    @property
    def browsers_open(self) -> int:
        return len(self._retired) + (1 if self._current else 0)

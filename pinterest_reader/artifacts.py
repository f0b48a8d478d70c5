"""Evidence of a lasting fault for the person who must fix it: a screenshot and a Playwright trace
of the failing page, kept outside the repo, with secrets masked.

Tracing pauses while credentials are typed (the chunk is dropped), and the saved trace is rewritten
with every secret value it could still hold (password, TOTP secret and codes, cookies) masked."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import structlog
from playwright.async_api import BrowserContext, Page

from pinterest_reader.client import Credentials
from pinterest_reader.errors import LastingFault
from totp import code_at

log = structlog.get_logger(__name__)
MASK = b"***"


class FailureRecorder:
    def __init__(self, context: BrowserContext, folder: Path, enabled: bool = True) -> None:
        self.context = context
        self.folder = folder
        self.enabled = enabled
        self.secrets: set[str] = set()
        self.tracing = False
        self.screenshot: Path | None = None  # of the page a lasting fault was decided on

    async def start(self) -> None:
        if self.enabled:
            # No screencast: the failing page gets its own full-page screenshot; a film of every page costs a
            # quarter of a check (bench/check_vs_floor.py).
            await self.context.tracing.start(screenshots=False, snapshots=True)
            await self.context.tracing.start_chunk()
            self.tracing = True

    async def settle(self) -> None:
        """Stops the trace once the sign-in and the first page went well: where lasting faults happen.
        Tracing every page of a long read costs a fifth of the check; a later fault keeps its screenshot."""
        if self.tracing:
            self.tracing = False
            await self.context.tracing.stop()

    @asynccontextmanager
    async def typing_secrets(self, credentials: Credentials) -> AsyncIterator[None]:
        """Nothing typed in here reaches a trace: the chunk is dropped and a new one starts after."""
        self.secrets.add(credentials.password)
        if credentials.totp_secret:
            self.secrets.add(credentials.totp_secret)
            now = datetime.now(timezone.utc)
            self.secrets.update(code_at(credentials.totp_secret, now + timedelta(seconds=30 * step)) for step in (-1, 0, 1, 2))
        if self.tracing:
            await self.context.tracing.stop_chunk()
        try:
            yield
        finally:
            if self.tracing:
                await self.context.tracing.start_chunk()

    def _base(self, code: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o700)
        return self.folder / f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}-{code}"

    async def _screenshot(self, page: Page, code: str) -> None:
        path = self._base(code).with_suffix(".png")
        await page.screenshot(path=str(path), full_page=True, mask=[page.locator("input[type=password]")])
        self.screenshot = path

    async def capture(self, page: Page, fault: LastingFault) -> None:
        """The screenshot of the page a lasting fault was decided on, taken at once: the tab it is in
        (a parallel one, a fresh one that confirmed the verdict) closes before the fault is reported."""
        if not self.enabled or self.screenshot is not None:
            return
        try:
            await self._screenshot(page, fault.code)
        except Exception as error:  # noqa: BLE001 - evidence is best effort; the fault itself is reported
            log.warning("artifacts.screenshot_failed", code=fault.code, error=type(error).__name__)

    async def save(self, page: Page | None, code: str) -> Path | None:
        """Completes the evidence of a lasting fault: the screenshot (of `page` if none was captured)
        and the masked trace while one runs. The folder, or None when nothing could be kept."""
        if not self.enabled:
            return None
        trace: Path | None = None
        try:
            if self.screenshot is None and page is not None and not page.is_closed():
                await self._screenshot(page, code)
            if self.tracing:
                base = self._base(code)
                raw = base.with_suffix(".raw.zip")
                await self.context.tracing.stop_chunk(path=str(raw))
                self.tracing = False
                self.secrets.update(c["value"] for c in await self.context.cookies() if c.get("value"))
                trace = base.with_suffix(".trace.zip")
                _mask_zip(raw, trace, self.secrets)
                raw.unlink()
        except Exception as error:  # noqa: BLE001 - evidence is best effort; the fault itself is reported
            log.warning("artifacts.failed", code=code, error=type(error).__name__)
        # Only what this fault left: a folder (a partner's connections) may hold older evidence too.
        files = [p.name for p in (self.screenshot, trace) if p is not None and p.is_file()]
        if not files:
            log.warning("artifacts.missing", folder=str(self.folder), code=code)
            return None
        log.info("artifacts.saved", folder=str(self.folder), code=code, files=files)
        return self.folder


def _mask_zip(source: Path, target: Path, secrets: set[str]) -> None:
    needles = sorted({s.encode() for s in secrets if len(s) >= 4}, key=len, reverse=True)
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            for needle in needles:
                data = data.replace(needle, MASK)
            dst.writestr(item, data)
    target.chmod(0o600)


def contains_secret(path: Path, secrets: list[str]) -> bool:
    """True if any secret appears in a file, or in any entry of a zip (for tests and audits)."""
    data = path.read_bytes()
    blobs = [data]
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(path) as archive:
            blobs += [archive.read(i) for i in archive.infolist()]
    return any(s.encode() in blob for s in secrets for blob in blobs)

"""Finding and launching Chromium: Playwright's own build where installed, else the system's."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.async_api import Browser, Playwright

# Without the background-networking flags Chromium keeps dialling Google's hosts, which a
# closed network refuses many times a second.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]
# A headless shell first: the same engine without the desktop browser's UI, a third less CPU per page
# (bench/reader_vs_check.py). Debian packages it as chromium-headless-shell.
_SYSTEM_CANDIDATES = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_executable(playwright: Playwright, configured: Path | None = None) -> str | None:
    """The browser to launch: the configured one (PARTNERWATCH_CHROMIUM), Playwright's own build (whose
    headless launches use Playwright's headless shell), or a system one, a headless shell first.
    None means Playwright's default, which only works where `playwright install` ran."""
    if configured:
        if not Path(configured).exists():
            raise FileNotFoundError(f"PARTNERWATCH_CHROMIUM={configured} does not exist")
        return str(configured)
    try:
        bundled = playwright.chromium.executable_path
    except Exception:  # noqa: BLE001 - Playwright raises when no bundled build is registered
        bundled = ""
    if bundled and Path(bundled).exists():
        return None
    for name in _SYSTEM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return unwrapped(found)
    raise FileNotFoundError(
        "No Chromium found: run `playwright install chromium`, install your distribution's "
        "chromium-headless-shell or chromium, or set PARTNERWATCH_CHROMIUM to a Chromium binary."
    )


def unwrapped(path: str) -> str:
    """The binary behind a distribution's launcher script. Debian's `chromium-headless-shell` is a shell
    script that runs the binary as its child: a signal to the browser would reach only the script."""
    behind = Path("/usr/lib/chromium") / Path(path).name
    return str(behind) if behind.is_file() and Path(path).read_bytes()[:2] == b"#!" else path


async def launch_chromium(playwright: Playwright, configured: Path | None = None) -> Browser:
    return await playwright.chromium.launch(
        executable_path=chromium_executable(playwright, configured), args=CHROMIUM_ARGS, headless=True
    )

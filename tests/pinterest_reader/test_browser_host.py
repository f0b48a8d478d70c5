"""One Chromium per worker: retired after its share of contexts even while others are open, and
replaced after a crash; no browser outlives the host."""

from __future__ import annotations

import os
import signal

import psutil

from pinterest_reader.browser_host import BrowserHost


def chromium_children() -> set[int]:
    found = set()
    for process in psutil.Process().children(recursive=True):
        try:
            if "chrom" in process.name().lower():
                found.add(process.pid)
        except psutil.NoSuchProcess:  # a helper that came and went while we looked
            pass
    return found


async def test_a_busy_host_recycles_without_waiting_for_a_quiet_moment():
    before = chromium_children()
    host = BrowserHost(contexts_per_browser=2)
    async with host.context(), host.context():
        async with host.context() as third:  # the first browser served its two: a new one, now
            assert host.launches == 2 and host.browsers_open == 2
            page = await third.new_page()
            await page.set_content("<h1>ok</h1>")
    assert host.browsers_open == 1  # the retired browser closed with its last context
    await host.stop()
    assert chromium_children() - before == set()


async def test_a_crashed_browser_is_replaced():
    others = chromium_children()  # the session's own browsers, which this test must leave alone
    host = BrowserHost()
    async with host.context() as context:
        page = await context.new_page()
        await page.set_content("<p>x</p>")
    ours = chromium_children() - others
    # The browser itself, not its helpers: renderers, zygotes, GPU and utility processes carry --type=
    # (another browser may start a spare renderer meanwhile, a helper too); the crash handler has no
    # --type= but the browser is its parent.
    roots = []
    for pid in ours:
        try:
            process = psutil.Process(pid)
            if process.ppid() not in ours and not any(arg.startswith("--type=") for arg in process.cmdline()):
                roots.append(pid)
        except psutil.NoSuchProcess:  # a helper that came and went
            pass
    assert len(roots) == 1
    os.kill(roots[0], signal.SIGKILL)
    async with host.context() as context:
        page = await context.new_page()
        await page.set_content("<p>again</p>")
        assert await page.text_content("p") == "again"
    assert host.launches == 2
    await host.stop()

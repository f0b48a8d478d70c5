"""One Chromium per worker: retired after its share of contexts even while others are open, and
replaced after a crash; no browser outlives the host."""

from __future__ import annotations

import os
import signal

import psutil

from pinterest_reader.browser_host import BrowserHost


def chromium_children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True) if "chrom" in p.name().lower()}


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
    parent_of = {}
    for pid in ours:
        try:
            parent_of[pid] = psutil.Process(pid).ppid()
        except psutil.NoSuchProcess:  # a helper that came and went
            pass
    roots = [pid for pid, parent in parent_of.items() if parent not in ours]  # the browser, not its helpers
    assert len(roots) == 1
    os.kill(roots[0], signal.SIGKILL)
    async with host.context() as context:
        page = await context.new_page()
        await page.set_content("<p>again</p>")
        assert await page.text_content("p") == "again"
    assert host.launches == 2
    await host.stop()

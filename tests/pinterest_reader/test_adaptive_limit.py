"""The adaptive limit of pages at once: it grows past its start while pages are latency-bound, stays
where it was when more tabs bring no more pages a second, and halves on a 429."""

from __future__ import annotations

import asyncio

from pinterest_reader.members_pass import AdaptiveLimit


async def read_pages(limit: AdaptiveLimit, pages: int, seconds_per_page) -> None:
    """`pages` reads through the limit; each takes `seconds_per_page(pages in flight)`."""
    limit.measure()

    async def one() -> None:
        async with limit.slot():
            await asyncio.sleep(seconds_per_page(limit.active))
            await limit.clean_page()

    await asyncio.gather(*(one() for _ in range(pages)))


async def test_latency_bound_pages_grow_the_limit_to_its_bound():
    limit = AdaptiveLimit(4, 16)
    await read_pages(limit, 80, lambda _active: 0.02)  # a slow site: each page waits, whatever else runs
    assert limit.peak == 16 and limit.limit == 16


async def test_pages_bound_by_the_machine_keep_the_limit_where_it_was():
    limit = AdaptiveLimit(4, 16)
    # One busy CPU: a page takes as much longer as there are pages at once, so more tabs gain nothing.
    await read_pages(limit, 60, lambda active: 0.005 * active)
    assert limit.limit == 4 and not limit.probing


async def test_a_429_halves_the_limit_and_ends_the_growth():
    limit = AdaptiveLimit(4, 16)
    limit.throttled()
    assert (limit.limit, limit.lowest, limit.probing) == (2, 2, False)
    for _ in range(10):
        await limit.clean_page()
    assert limit.limit == 4  # clean pages bring it back to where it was, no further


async def test_without_a_bound_above_the_start_nothing_grows():
    limit = AdaptiveLimit(4)
    await read_pages(limit, 40, lambda _active: 0.01)
    assert limit.peak == 4

"""Real parts for every test: the simulated site over HTTP and a real Chromium.

Temporal, database and worker fixtures live in the conftest files of the folders that need them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from pinterest_reader.browser import launch_chromium
from pinterest_sim.control import SimControl, running_site

DEMO_WORLD = Path(__file__).resolve().parents[1] / "pinterest_sim" / "worlds" / "demo.json"


@pytest.fixture(scope="session")
def sim_session(tmp_path_factory) -> SimControl:
    with running_site(DEMO_WORLD, log=tmp_path_factory.mktemp("sim") / "site.log") as control:
        yield control


@pytest.fixture
def sim(sim_session: SimControl) -> SimControl:
    """The demo site, reset to its world file with no faults, for one test."""
    sim_session.reset()
    yield sim_session
    sim_session.reset()


@pytest.fixture(scope="session")
async def browser():
    async with async_playwright() as playwright:
        launched = await launch_chromium(playwright)
        yield launched
        await launched.close()


@pytest.fixture
async def context(browser):
    ctx = await browser.new_context()
    yield ctx
    await ctx.close()

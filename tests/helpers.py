"""What the tests share, in one place: the demo world's facts and accounts, the CLI runner (the real
`partnerwatch` as its own process), waiting for a condition, the CLI sequences that set up a
workspace and onboard partners, and a store with alert destinations and one event for them."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from config import Settings
from devtools.local_services import ROOT, process_env
from models import alerts, events
from models.alerts import DestinationKind
from models.db import session_scope
from models.review_spec import CampaignSpec
from models.tables import Partner, Workspace
from models.vault import Vault
from pinterest_reader.client import Credentials
from pinterest_sim.worlds.generate import COMPANY_ID, INTEGRATION_EMAIL, INTEGRATION_PASSWORD

# --- stores and site orders ------------------------------------------------------------------------

# Every store a test can run on (tests/conftest.py: database_url): SQLite, and PostgreSQL with the
# cluster's collation (en_US.UTF-8), with C, and with ICU's en-US.
EVERY_STORE = ["sqlite", "postgresql", "postgresql-c", "postgresql-icu"]
SITE_ORDERS = ["folded", "email"]


def on_both_stores(test):
    """Runs an end-to-end test on SQLite and on a real PostgreSQL: for the paths whose outcome the
    store decides (a diff, one check at a time, all-or-nothing imports, workspace scoping). The store's
    own behaviour is tested on every store in tests/models; other end-to-end tests run on SQLite."""
    return pytest.mark.parametrize("store_backend", ["sqlite", "postgresql"])(test)


def every_store_and_order(test):
    """Runs a test that reads more than one Members page on every store and in both of the simulated
    site's member orders: the reader must never lean on a collation, the store's or the site's."""
    test = pytest.mark.parametrize("site_order", SITE_ORDERS)(test)
    return pytest.mark.parametrize("store_backend", EVERY_STORE)(test)


# --- the demo world (the simulated site's own fake data) -------------------------------------------

DEMO_WORLD = ROOT / "pinterest_sim" / "worlds" / "demo.json"
WS = "Acme Brands"
NORTHWIND, GLOBEX, INITECH = "549755813002", "549755813003", "549755813004"
COMPANY = COMPANY_ID
INTEGRATION = Credentials(INTEGRATION_EMAIL, INTEGRATION_PASSWORD)
NORTHWIND_MONITOR = Credentials("monitor@northwind.example", "Nw-Monitor-7f3!kq", "JBSWY3DPEHPK3PXP")
GLOBEX_MONITOR = Credentials("watch@globex.example", "Gx-Watch-2026-long!")
INITECH_MONITOR = Credentials("mon@initech.example", "In-Mon-2026-pass!")


def expected_people(business_id: str, world: Path = DEMO_WORLD) -> dict[str, dict]:
    """The people of a partner who reach an asset shared between it and the company, per the world file."""
    data = json.loads(world.read_text())
    shared = {a for p in data["partnerships"]
              if {p["owner"], p["partner"]} == {COMPANY, business_id} for a in p["assets"]}
    return {m["email"]: m for m in data["members"]
            if m["business_id"] == business_id and any(g["asset_id"] in shared for g in m["assets"])}


def listed(business_id: str) -> int:
    return sum(m["business_id"] == business_id for m in json.loads(DEMO_WORLD.read_text())["members"])


# --- the CLI and waiting ---------------------------------------------------------------------------

@dataclass
class CliResult:
    code: int
    out: str
    err: str


def cli_runner(settings: Settings, default_timeout: float = 180):
    """Runs `partnerwatch` as its own process with these settings, as a user would, without blocking
    the test's event loop (where a worker may run)."""
    env = process_env(settings)

    async def run(*args: str, stdin: str | None = None, timeout: float = default_timeout) -> CliResult:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "starter.cli", *args, env=env, cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin else b""), timeout)
        return CliResult(process.returncode, out.decode(), err.decode())

    return run


async def until(predicate, timeout: float = 60, what: str = "the condition"):
    """Awaits `predicate()` every quarter second until it returns something true, and returns that."""
    for _ in range(int(timeout * 4)):
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")


# --- CLI sequences ---------------------------------------------------------------------------------

async def ok(cli, *args, stdin=None):
    result = await cli(*args, stdin=stdin)
    assert result.code == 0, f"partnerwatch {' '.join(args)} -> {result.code}\n{result.out}\n{result.err}"
    return result


async def json_of(cli, *args):
    return json.loads((await ok(cli, *args, "--json")).out)


async def workspace_with_partners(cli) -> None:
    await ok(cli, "workspace", "create", WS)
    await ok(cli, "integration", "add", "-w", WS, "--business-id", COMPANY, "--email", INTEGRATION.email,
             "--password-stdin", stdin=INTEGRATION.password + "\n")
    await ok(cli, "partners", "sync", "-w", WS)


async def invite_accept_share(cli, business_id: str, admin: str, monitor: Credentials) -> None:
    await ok(cli, "partners", "onboard", "-w", WS, "-p", business_id, "--admin-email", admin)
    await ok(cli, "guests", "accept", "-w", WS, "-p", business_id)
    secrets = monitor.password + "\n" + (monitor.totp_secret or "") + "\n"
    await ok(cli, "monitor", "share", "-w", WS, "-p", business_id, "--email", monitor.email, "--password-stdin",
             stdin=secrets)


async def onboard(cli, business_id: str, admin: str, monitor: Credentials) -> None:
    await invite_accept_share(cli, business_id, admin, monitor)
    await ok(cli, "monitor", "select", "-w", WS, "-p", business_id, "--account", monitor.email)


async def completed_checks(cli, business_id: str, at_least: int = 1, timeout: float = 90) -> list[dict]:
    async def done():
        found = [t for t in await json_of(cli, "tasks", "list", "-w", WS, "-p", business_id) if t["status"] == "Completed"]
        return found if len(found) >= at_least else None

    return await until(done, timeout, f"{at_least} completed check(s) of {business_id}")


def store_bytes(database_url: str) -> bytes:
    """Everything the store holds, as bytes, to look for plaintext secrets in: SQLite's files (after
    a checkpoint, so the WAL's pages count too), or every PostgreSQL table dumped as text."""
    from sqlalchemy import inspect, text

    from models.db import engine_for

    engine = engine_for(database_url)
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(FULL)"))
        path = Path(database_url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))
    dump = b""
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        for table in inspect(connection).get_table_names():
            with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                dump += b"".join(bytes(block) for block in copy)
    return dump


# --- alerts, straight in the store -----------------------------------------------------------------

def alerting_workspace(engine, webhooks: dict[str, str], event=None) -> tuple[str, dict[str, str]]:
    """A new workspace with one partner, a webhook destination per name -> URL, and one event for them
    (`event(partner_ref)` gives its data; default: the partner was onboarded). Returns (workspace id,
    signing secret by name)."""
    vault = Vault(Settings().master_keys())
    with session_scope(engine) as session:
        ws = Workspace(name=f"Acme {uuid.uuid4().hex[:6]}")
        session.add(ws)
        session.flush()
        partner = Partner(workspace_id=ws.id, business_id="12345", name="Agency", relationship="has_access")
        session.add(partner)
        session.flush()
        secrets = {name: alerts.add(session, vault, ws.id, name, DestinationKind.WEBHOOK, url=url)[1]
                   for name, url in webhooks.items()}
        ref = events.partner_ref(partner)
        events.record(session, ws.id, event(ref) if event else events.Onboarded(
            partner=ref, monitor_account_email="monitor@agency.example"))
        return ws.id, secrets


class ConsoleClient:
    """An HTTP client of the console as a browser uses it: its session cookie is Secure, which httpx
    keeps off plain http, so the client carries it itself (loopback is where browsers allow it)."""

    def __init__(self, base_url: str) -> None:
        import httpx

        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
        self.csrf: str | None = None
        self.cookie: str | None = None

    def sign_in(self, email: str, password: str):
        answer = self.http.post("/api/v1/session", json={"email": email, "password": password})
        if answer.status_code == 200:
            self.cookie = answer.cookies.get("partnerwatch_session") or answer.headers["set-cookie"].split(";")[0].split("=", 1)[1]
            self.csrf = answer.json()["csrf_token"]
        return answer

    def request(self, method: str, path: str, csrf: bool = True, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if self.cookie:
            headers["Cookie"] = f"partnerwatch_session={self.cookie}"
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            headers["X-CSRF-Token"] = self.csrf
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.request("POST", path, **kwargs)


def console_user(engine, workspace_id: str, email: str, role: str = "admin", password: str = "a long enough password"):
    from models import console_users

    with session_scope(engine) as session:
        console_users.add(session, workspace_id, email, role, password)
    return email, password


def open_review(engine, workspace_id: str, partner_id: str, reviewer_email: str, campaign_id: str = "rev_0123456789ab"):
    """A campaign opened straight in the store (as its workflow's first activity does): for tests of
    what reads it, which need no Temporal."""
    from datetime import timedelta

    from models import console_users, reviews
    from models.statuses import Decision
    from models.tables import utcnow

    with session_scope(engine) as session:
        reviewer = console_users.resolve(session, workspace_id, reviewer_email)
        now = utcnow()
        reviews.open_campaign(session, CampaignSpec(
            campaign_id=campaign_id, workspace_id=workspace_id, partner_ids=[partner_id], reviewer_id=reviewer.id,
            fallback_id=None, no_response=Decision.KEEP, opened_at=now, due_at=now + timedelta(days=14),
            deadline_at=now + timedelta(days=21), escalate_after_s=7 * 86400, every_s=None, previous_id=None,
            workflow_id=f"review-{campaign_id}", started_by="test"))
    return campaign_id

"""A monitor account's signed-in session is kept, sealed, so checks skip the sign-in until it expires."""

from __future__ import annotations

import pytest


from sqlmodel import select

from models import credentials
from models.db import session_scope
from models.tables import Credential
from models.vault import Vault
from tests.helpers import GLOBEX, GLOBEX_MONITOR, WS, completed_checks, ok, onboard, store_bytes, workspace_with_partners

# End to end: worker, browser, site and CLI for real (deselect with -m 'not slow').
pytestmark = pytest.mark.slow





async def test_checks_reuse_the_saved_session_and_sign_in_again_when_it_expired(cli, worker, sim, settings, engine):
    base = sim.stats()["logins_by_email"].get(GLOBEX_MONITOR.email, 0)  # the site's counts span the session
    logins = lambda: sim.stats()["logins_by_email"].get(GLOBEX_MONITOR.email, 0) - base  # noqa: E731
    await workspace_with_partners(cli)
    await onboard(cli, GLOBEX, "boss@globex.example", GLOBEX_MONITOR)
    await completed_checks(cli, GLOBEX)
    assert logins() == 1  # connecting signs in; the first check reuses that session

    await ok(cli, "partners", "check", "-w", WS, "-p", GLOBEX, "--wait")
    assert logins() == 1

    sim.expire_sessions()
    await ok(cli, "partners", "check", "-w", WS, "-p", GLOBEX, "--wait")
    assert logins() == 2  # the expired session was noticed on the first page and replaced once
    await completed_checks(cli, GLOBEX, at_least=3)

    # The session is sealed at rest like the password: no cookie value in the database files.
    with session_scope(engine) as session:
        cred = session.exec(select(Credential).where(Credential.email == GLOBEX_MONITOR.email,
                                                     Credential.destroyed_at.is_(None))).one()
        state = credentials.load_session(session, Vault(settings.master_keys()), cred.id)
        assert cred.session_state.startswith("pwv1.")
    values = [c["value"] for c in state["cookies"] if len(c["value"]) >= 8]
    assert values and not any(v.encode() in store_bytes(settings.database_url) for v in values)


async def test_disconnecting_destroys_the_saved_session(cli, worker, sim, engine):
    await workspace_with_partners(cli)
    await onboard(cli, GLOBEX, "boss@globex.example", GLOBEX_MONITOR)
    await completed_checks(cli, GLOBEX)
    await ok(cli, "partners", "disconnect", "-w", WS, "-p", GLOBEX)
    with session_scope(engine) as session:
        creds = session.exec(select(Credential).where(Credential.email == GLOBEX_MONITOR.email)).all()
        assert creds and all(c.session_state is None for c in creds)

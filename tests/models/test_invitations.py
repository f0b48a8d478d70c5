"""Invitation links and guests' console accounts, on both stores: a link works once, for an open and
unexpired invitation only, and the store keeps only its hash."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import console_users, invitations, onboarding
from models.db import session_scope
from models.errors import Conflict, Invalid, NotFound
from models.statuses import ConsoleRole, InviteState
from models.tables import GuestUser, Partner, utcnow
from tests.helpers import store_bytes


def _invite(engine, partner_id: str, expire_after_s: float = 3600) -> str:
    with session_scope(engine) as session:
        return onboarding.invite(session, session.get(Partner, partner_id), "admin@agency.example", expire_after_s).id


def test_a_link_accepts_its_invitation_once_and_is_stored_as_a_hash(store, database_url):
    engine, _, partner_id = store
    guest_id = _invite(engine, partner_id)
    with session_scope(engine) as session:
        first, second = invitations.issue(session, guest_id), invitations.issue(session, guest_id)  # invitation, reminder
    with session_scope(engine) as session:
        guest, partner = invitations.open_link(session, second)
        assert (guest.id, partner.id) == (guest_id, partner_id)
        user = console_users.add_guest(session, guest, "the guest's own password")
        assert (user.role, user.partner_id, user.guest_id) == (ConsoleRole.GUEST, partner_id, guest_id)
        onboarding.set_invite_state(session, guest_id, InviteState.ACCEPTED)
        invitations.use(session, guest_id)
    with session_scope(engine) as session:
        for token in (first, second):  # every link of the invitation is spent
            with pytest.raises(Conflict, match="already accepted"):
                invitations.open_link(session, token)
        assert all(link.used_at for link in invitations.links_of(session, guest_id))
        with pytest.raises(NotFound, match="not valid"):
            invitations.open_link(session, "made-up")
    stored = store_bytes(database_url)
    assert first.encode() not in stored and second.encode() not in stored


def test_expired_or_cancelled_invitations_open_nothing(store):
    engine, _, partner_id = store
    guest_id = _invite(engine, partner_id)
    with session_scope(engine) as session:
        token = invitations.issue(session, guest_id)
        session.get(GuestUser, guest_id).expires_at = utcnow() - timedelta(seconds=1)
    with session_scope(engine) as session:
        with pytest.raises(Conflict, match="expired"):
            invitations.open_link(session, token)
        guest = session.get(GuestUser, guest_id)
        guest.expires_at = utcnow() + timedelta(days=1)
        onboarding.set_invite_state(session, guest_id, InviteState.CANCELLED)
    with session_scope(engine) as session:
        with pytest.raises(Conflict, match="cancelled"):
            invitations.open_link(session, token)


def test_guest_accounts_come_only_from_invitations(store):
    engine, ws_id, partner_id = store
    with session_scope(engine) as session:
        with pytest.raises(Invalid, match="made by accepting an invitation"):
            console_users.add(session, ws_id, "someone@acme.example", "guest", "a long enough password")
        console_users.add(session, ws_id, "admin@agency.example", "viewer", "a long enough password")
    guest_id = _invite(engine, partner_id)
    with session_scope(engine) as session:
        with pytest.raises(Conflict, match="already has another console account"):
            console_users.add_guest(session, session.get(GuestUser, guest_id), "the guest's own password")

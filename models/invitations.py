"""Invitation links: the single-use way a partner's admin (a guest user) accepts an invitation from
an email. Each email carries a fresh link; the store keeps only its token's SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select, update

from models.errors import Conflict, NotFound
from models.statuses import InviteState
from models.tables import GuestUser, InvitationLink, Partner, utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, guest_id: str) -> str:
    """A new link's token for this guest's invitation (the caller mails it and forgets it)."""
    token = secrets.token_urlsafe(32)
    session.add(InvitationLink(token_hash=_hash(token), guest_id=guest_id))
    session.flush()
    return token


def open_link(session: Session, token: str) -> tuple[GuestUser, Partner]:
    """The invitation a link accepts, or why it accepts none (in words for the person who clicked)."""
    link = session.get(InvitationLink, _hash(token)) if token else None
    if link is None:
        raise NotFound("this invitation link is not valid; ask the company for a new invitation")
    guest = session.get(GuestUser, link.guest_id)
    if link.used_at is not None or guest.invite_state == InviteState.ACCEPTED:
        raise Conflict("this invitation was already accepted; sign in instead")
    if guest.invite_state != InviteState.INVITED:
        raise Conflict(f"this invitation is {guest.invite_state.lower()}; ask the company for a new one")
    if guest.expires_at and guest.expires_at <= utcnow():
        raise Conflict("this invitation has expired; ask the company for a new one")
    return guest, session.get(Partner, guest.partner_id)


def use(session: Session, guest_id: str) -> None:
    """Every link of the invitation is spent once one is used."""
    session.exec(update(InvitationLink).where(InvitationLink.guest_id == guest_id, InvitationLink.used_at.is_(None))
                 .values(used_at=utcnow()))


def links_of(session: Session, guest_id: str) -> list[InvitationLink]:
    return list(session.exec(select(InvitationLink).where(InvitationLink.guest_id == guest_id)))

"""Guest users (partners' admins invited into the workspace) and the monitor accounts they share."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from models import credentials, partners, validation
from models.errors import Conflict, NotFound
from models.results import Fault, Reason
from models.statuses import InviteState, MonitorState, PartnerStatus
from models.tables import GuestUser, MonitorAccount, Partner, utcnow
from models.vault import Vault


def invite(session: Session, partner: Partner, admin_email: str, expire_after_s: float) -> GuestUser:
    admin_email = validation.email(admin_email)
    guest = session.exec(
        select(GuestUser).where(GuestUser.partner_id == partner.id, GuestUser.email == admin_email,
                                GuestUser.invite_state.in_([InviteState.INVITED, InviteState.ACCEPTED]))
    ).first()
    if guest is None:  # a retried activity finds the invitation it already made
        guest = GuestUser(workspace_id=partner.workspace_id, partner_id=partner.id, email=admin_email,
                          expires_at=utcnow() + timedelta(seconds=expire_after_s))
        session.add(guest)
        session.flush()
    return guest


def guests_of(session: Session, workspace_id: str, partner_id: str | None = None) -> list[GuestUser]:
    query = select(GuestUser).where(GuestUser.workspace_id == workspace_id)
    if partner_id:
        query = query.where(GuestUser.partner_id == partner_id)
    return list(session.exec(query.order_by(GuestUser.invited_at)))


def open_invitation(session: Session, partner: Partner) -> GuestUser:
    guest = session.exec(
        select(GuestUser).where(GuestUser.partner_id == partner.id, GuestUser.invite_state == InviteState.INVITED)
    ).first()
    if guest is None:
        raise NotFound(f"no open invitation for partner {partner.business_id} (was it accepted, expired, or never sent?)")
    return guest


def accepted_guest(session: Session, partner: Partner) -> GuestUser | None:
    return session.exec(
        select(GuestUser).where(GuestUser.partner_id == partner.id, GuestUser.invite_state == InviteState.ACCEPTED)
    ).first()


def set_invite_state(session: Session, guest_id: str, state: InviteState) -> GuestUser:
    guest = session.get(GuestUser, guest_id)
    if guest is None:
        raise NotFound(f"no guest user {guest_id}")
    if guest.invite_state == InviteState.INVITED:
        guest.invite_state = state
        if state == InviteState.ACCEPTED:
            guest.accepted_at = utcnow()
        session.add(guest)
    return guest


def record_reminder(session: Session, guest_id: str) -> int:
    guest = session.get(GuestUser, guest_id)
    guest.reminders_sent += 1
    session.add(guest)
    return guest.reminders_sent


def share_monitor(session: Session, vault: Vault, partner: Partner, email: str, password: str,
                  totp_secret: str | None) -> MonitorAccount:
    guest = accepted_guest(session, partner)
    if guest is None:
        raise Conflict(f"partner {partner.business_id} has no accepted guest user to share a monitor account "
                       "(`partnerwatch guests accept` first)")
    cred = credentials.store(session, vault, partner.workspace_id, email, password, totp_secret)
    account = MonitorAccount(workspace_id=partner.workspace_id, partner_id=partner.id, email=cred.email,
                             credential_id=cred.id, has_totp=bool(cred.totp_secret), shared_by_guest_id=guest.id)
    session.add(account)
    session.flush()
    return account


def monitor(session: Session, monitor_account_id: str) -> MonitorAccount:
    found = session.get(MonitorAccount, monitor_account_id)
    if found is None:
        raise NotFound(f"no monitor account {monitor_account_id}")
    return found


def monitors_of(session: Session, partner_id: str) -> list[MonitorAccount]:
    return list(session.exec(select(MonitorAccount).where(MonitorAccount.partner_id == partner_id)
                             .order_by(MonitorAccount.shared_at)))


def resolve_monitor(session: Session, partner: Partner, ref: str) -> MonitorAccount:
    """A monitor account shared for this partner, by id or email (the newest one with that email)."""
    for account in reversed(monitors_of(session, partner.id)):
        if ref in (account.id, account.email):
            return account
    raise NotFound(f"no monitor account '{ref}' was shared for partner {partner.business_id}")


def mark_rejected(session: Session, account: MonitorAccount, code: str) -> None:
    account.state, account.rejected_code, account.rejected_at = MonitorState.REJECTED, code, utcnow()
    session.add(account)


def update_credentials(session: Session, vault: Vault, account: MonitorAccount, password: str,
                       totp_secret: str | None) -> MonitorAccount:
    """New secrets for a shared account; a rejection is cleared so that the next check signs in again."""
    cred = credentials.store(session, vault, account.workspace_id, account.email, password, totp_secret)
    credentials.destroy(session, account.credential_id)
    account.credential_id, account.has_totp = cred.id, bool(cred.totp_secret)
    account.rejected_code, account.rejected_at = None, None
    partner = session.get(Partner, account.partner_id)
    selected = partner and partner.selected_monitor_id == account.id
    account.state = MonitorState.CONNECTED if selected else MonitorState.SHARED
    session.add(account)
    return account


def disconnect(session: Session, partner: Partner) -> int:
    """Destroys the secrets of every monitor account shared for the partner and marks it
    Disconnected; its people and their history stay. Returns how many accounts were destroyed."""
    destroyed = 0
    for account in monitors_of(session, partner.id):
        if account.state != MonitorState.DESTROYED:
            credentials.destroy(session, account.credential_id)
            account.state = MonitorState.DESTROYED
            session.add(account)
            destroyed += 1
    partner.selected_monitor_id = None
    partner.status, partner.status_reason_code = PartnerStatus.DISCONNECTED, Reason.DISCONNECTED
    partner.status_reason = "Disconnected: no checks run and its monitor accounts' secrets were destroyed."
    partner.updated_at = utcnow()
    session.add(partner)
    return destroyed


def refusal_for_check(session: Session, partner: Partner) -> Fault | None:
    """Why a check of this partner must not even try to sign in, or None."""
    if not partner.selected_monitor_id:
        return Fault(code=Reason.NOT_CONNECTED, message="The partner has no connected monitor account yet.", lasting=True)
    account = monitor(session, partner.selected_monitor_id)
    if account.state == MonitorState.REJECTED:
        # A rejected password is never tried again: each try brings the account closer to a lock.
        return Fault(code=account.rejected_code or MonitorState.REJECTED, lasting=True,
                     message="The site rejected this monitor account's sign-in earlier; nothing was tried. "
                             "Share new credentials and select them.")
    return None


def record_connection(session: Session, partner: Partner, status: PartnerStatus, fault: Fault | None,
                      monitor_account_id: str | None) -> bool:
    """Sets a partner's onboarding status and, with a monitor account, how its connection went.
    False when the partner was disconnected meanwhile: a cancelled onboarding leaves that status be."""
    if partner.status == PartnerStatus.DISCONNECTED and fault and fault.code == Reason.ONBOARDING_CANCELLED:
        return False
    if monitor_account_id:
        account = monitor(session, monitor_account_id)
        if status == PartnerStatus.ONBOARDED:
            account.state = MonitorState.CONNECTED
            partner.selected_monitor_id = account.id
        elif account.state != MonitorState.REJECTED:
            account.state = MonitorState.FAILED if fault else MonitorState.SELECTED
        session.add(account)
    partners.set_status(session, partner, status, fault.code if fault else None, fault.message if fault else None)
    return True

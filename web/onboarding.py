"""A partner's onboarding in the console, for the API and the pages alike: where it stands and who it
waits for, and each step a person takes (invite, accept, share, select, update, disconnect). Secrets
arrive in request bodies, go straight into the vault, and are never shown again."""

from __future__ import annotations

import asyncio

from fastapi.concurrency import run_in_threadpool

from control import checks
from control import onboarding as onboarding_control
from models import audit, console_users, events, invitations, onboarding, partners, validation, workspaces
from models.console_users import SignedIn
from models.errors import Conflict
from models.statuses import MonitorState, PartnerStatus
from models.tables import GuestUser, MonitorAccount, Partner
from web.auth import Principal
from web.problems import Problem, forbidden
from web.schemas import ConnectOut, GuestOut, InvitationOut, MonitorAccountOut, OnboardingOut, PartnerOut
from web.state import ConsoleState
from workflows.onboard_partner.payloads import Step

# What each step waits for, in the words of the person who must act.
WAITING_FOR = {
    Step.STARTING: "a worker to start the onboarding",
    Step.CHECKING_ASSETS: "partnerwatch to check the shared assets",
    Step.INVITE: "the partner's admin to accept the invitation",
    Step.SHARE: "the partner's admin to share a monitor account",
    Step.SELECT: "a company admin to select a monitor account",
    Step.CONNECT: "partnerwatch to sign in as the monitor account and verify its Manager role",
    Step.FIRST_CHECK: "the first check to finish",
}


def _partner_for(session, principal: Principal, business_id: str) -> Partner:
    """The partner, in the person's workspace; a guest reaches only their own."""
    partner = partners.resolve(session, principal.workspace_id, business_id)
    if principal.is_guest and partner.id != principal.partner_id:
        raise forbidden("a guest sees only their own partner's onboarding")
    return partner


def _invitation(guest: GuestUser | None) -> InvitationOut | None:
    if guest is None:
        return None
    return InvitationOut(email=guest.email, state=guest.invite_state, invited_at=guest.invited_at,
                         expires_at=guest.expires_at, accepted_at=guest.accepted_at, reminders_sent=guest.reminders_sent)


def _account(account: MonitorAccount, partner: Partner) -> MonitorAccountOut:
    return MonitorAccountOut(id=account.id, email=account.email, totp=account.has_totp, state=account.state,
                             rejected_code=account.rejected_code, shared_at=account.shared_at,
                             selected=partner.selected_monitor_id == account.id)


def _waiting_for(partner: Partner, step: str | None) -> str | None:
    if step in WAITING_FOR:
        return WAITING_FOR[step]
    if partner.status == PartnerStatus.ONBOARDED:
        return None
    if step and step.startswith(Step.REFUSED):
        return "the company to share an asset with the partner, then onboard it again"
    if step == Step.INVITE_EXPIRED or step is None:
        return "a company admin to connect the partner (invite its admin)"
    return None


async def view(console: ConsoleState, principal: Principal, business_id: str) -> OnboardingOut:
    def read():
        with console.store() as session:
            partner = _partner_for(session, principal, business_id)
            guests = onboarding.guests_of(session, partner.workspace_id, partner.id)
            accounts = [_account(a, partner) for a in onboarding.monitors_of(session, partner.id)
                        if a.state != MonitorState.DESTROYED]
            return partner, (guests[-1] if guests else None), accounts

    partner, guest, accounts = await run_in_threadpool(read)
    try:
        state = await onboarding_control.state(await console.temporal(), partner.id)
    except Problem:
        state = None  # Temporal is away: the store still says where things stand
    step = state.step if state else None
    return OnboardingOut(business_id=partner.business_id, name=partner.name, status=partner.status,
                         reason=partner.status_reason, step=step, waiting_for=_waiting_for(partner, step),
                         invitation=_invitation(guest), monitor_accounts=accounts)


async def start(console: ConsoleState, principal: Principal, business_id: str, admin_email: str,
                remind_every_s: float, expire_after_s: float) -> OnboardingOut:
    admin_email = validation.email(admin_email)

    def find():
        with console.store() as session:
            partner = _partner_for(session, principal, business_id)
            onboarding_control.refuse_onboarding(partner)
            return partner

    partner = await run_in_threadpool(find)
    await onboarding_control.start(await console.temporal(), console.settings, partner, admin_email=admin_email,
                                   remind_every_s=remind_every_s, expire_after_s=expire_after_s, actor=principal.actor)
    await run_in_threadpool(_audit, console, principal, "partner.onboard", partner.business_id,
                            {"admin_email": admin_email})
    return await view(console, principal, business_id)


def _audit(console: ConsoleState, principal: Principal, action: str, target: str, details: dict | None = None) -> None:
    with console.store() as session:
        audit.record(session, principal.workspace_id, action, target=target, by=principal.actor, details=details)


async def share(console: ConsoleState, principal: Principal, business_id: str, email: str, password: str,
                totp_secret: str | None) -> MonitorAccountOut:
    """A monitor account's credentials, from the partner's guest (or a company admin on their behalf).
    Temporal is reached first: credentials are stored only when the onboarding can be told of them."""
    vault = console.vault()
    client = await console.temporal()

    def store():
        with console.store() as session:
            partner = _partner_for(session, principal, business_id)
            account = onboarding.share_monitor(session, vault, partner, email, password, totp_secret)
            audit.record(session, principal.workspace_id, "monitor.share", target=partner.business_id,
                         by=principal.actor, details={"monitor_account_id": account.id, "totp": account.has_totp})
            return partner, _account(account, partner)

    partner, shared = await run_in_threadpool(store)
    await onboarding_control.monitor_shared(client, partner.id, shared.id)
    return shared


async def select(console: ConsoleState, principal: Principal, business_id: str, account_id: str,
                 wait_s: float) -> ConnectOut:
    def find():
        with console.store() as session:
            partner = _partner_for(session, principal, business_id)
            account = onboarding.resolve_monitor(session, partner, account_id)
            audit.record(session, principal.workspace_id, "monitor.select", target=partner.business_id,
                         by=principal.actor, details={"monitor_account_id": account.id})
            return partner, account

    partner, account = await run_in_threadpool(find)
    try:
        outcome = await onboarding_control.select_monitor(await console.temporal(), partner.id, account.id,
                                                          actor=principal.actor, wait_s=wait_s)
    except asyncio.TimeoutError:
        outcome = None
    if outcome is None:
        return ConnectOut(monitor_account_id=account.id, email=account.email, connected=None,
                          reason="connecting: follow it on the partner's onboarding")
    fault = outcome.fault
    return ConnectOut(monitor_account_id=account.id, email=account.email, connected=outcome.connected,
                      reason_code=fault.code if fault else None, reason=fault.message if fault else None)


async def update_credentials(console: ConsoleState, principal: Principal, business_id: str, account_id: str,
                             password: str, totp_secret: str | None) -> MonitorAccountOut:
    vault = console.vault()

    def store():
        with console.store() as session:
            partner = _partner_for(session, principal, business_id)
            account = onboarding.update_credentials(session, vault, onboarding.resolve_monitor(session, partner, account_id),
                                                    password, totp_secret)
            audit.record(session, principal.workspace_id, "credentials.update", target=partner.business_id,
                         by=principal.actor, details={"monitor_account_id": account.id})
            return _account(account, partner)

    return await run_in_threadpool(store)


async def disconnect(console: ConsoleState, principal: Principal, business_id: str) -> PartnerOut:
    def find():
        with console.store() as session:
            partner = _partner_for(session, principal, business_id)
            if partner.status == PartnerStatus.DISCONNECTED:
                raise Conflict(f"partner {partner.business_id} is already disconnected")
            return partner

    partner = await run_in_threadpool(find)
    await onboarding_control.stop_watching(await console.temporal(), partner.id)

    def record():
        with console.store() as session:
            p = partners.get(session, partner.id)
            destroyed = onboarding.disconnect(session, p)
            audit.record(session, principal.workspace_id, "partner.disconnect", target=p.business_id, by=principal.actor,
                         details={"secrets_destroyed": destroyed})
            events.record(session, principal.workspace_id, events.Disconnected(partner=events.partner_ref(p),
                                                                               by=principal.actor))
            return PartnerOut.of(p, 0)

    return await run_in_threadpool(record)


async def sync(console: ConsoleState, principal: Principal):
    """Reads the company's Partners page (a discovery check); returns its workflow handle."""
    def find():
        with console.store() as session:
            return workspaces.integration_of(session, principal.workspace_id)

    integration = await run_in_threadpool(find)
    return await checks.start_check(await console.temporal(), console.settings, workspace_id=principal.workspace_id,
                                    partner_id=None, business_id=integration.business_id, actor=principal.actor)


def guests(console: ConsoleState, principal: Principal) -> list[GuestOut]:
    with console.store() as session:
        business_of = {p.id: p.business_id for p in partners.list_for(session, principal.workspace_id)}
        return [GuestOut(id=g.id, partner=business_of.get(g.partner_id, ""), email=g.email, invite_state=g.invite_state,
                         invited_at=g.invited_at, expires_at=g.expires_at, accepted_at=g.accepted_at,
                         reminders_sent=g.reminders_sent)
                for g in onboarding.guests_of(session, principal.workspace_id)]


def invitation(console: ConsoleState, token: str) -> tuple[GuestUser, Partner, str]:
    """The invitation a link opens (or why it opens none), with the inviting company's name. Refused
    too when the guest could not get a console account: before the onboarding is told anything."""
    with console.store() as session:
        guest, partner = invitations.open_link(session, token)
        console_users.refuse_guest_account(session, guest)
        return guest, partner, workspaces.resolve(session, guest.workspace_id).name


async def accept(console: ConsoleState, token: str, password: str, client_address: str) -> SignedIn:
    """The partner's admin accepts with a link: the onboarding is told, the guest's console account
    is made with their password, every link of the invitation is spent, and they are signed in."""
    guest, partner, _ = await run_in_threadpool(invitation, console, token)
    if len(password) < console_users.MIN_PASSWORD:  # before the workflow is told anything
        raise Problem(422, "invalid", f"choose a password of at least {console_users.MIN_PASSWORD} characters")
    await onboarding_control.accept_invitation(await console.temporal(), partner.id, guest.id)

    def make_account():
        with console.store() as session:
            user = console_users.add_guest(session, session.get(GuestUser, guest.id), password)
            invitations.use(session, guest.id)
            audit.record(session, guest.workspace_id, "guest.accept", target=partner.business_id,
                         by=f"console:{user.email}", details={"guest_id": guest.id})
        with console.store() as session:
            return console_users.sign_in(session, guest.email, password, client_address)

    return await run_in_threadpool(make_account)

"""guests accept|list, monitor share|select|list: the people's side of onboarding."""

from __future__ import annotations

import typer

from control import onboarding as onboarding_control
from models import audit, onboarding, partners
from starter import context
from starter.options import Account, AsJson, Output, OutputFormat, Partner, PasswordStdin, Timeout, Wait, Workspace
from starter.output import emit, output_format, say
from workflows.onboard_partner.payloads import ConnectOutcome

guests_app = typer.Typer(help="Guest users: partners' admins invited into the workspace.", no_args_is_help=True)
monitor_app = typer.Typer(help="Monitor accounts partners share for partnerwatch to sign in with.", no_args_is_help=True)


@guests_app.command("accept")
def accept(workspace: Workspace = None, partner: Partner = ...) -> None:
    """Accept the partner admin's invitation (played by the partner's admin in the demo and tests)."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        p = partners.resolve(session, ws.id, partner)
        guest = onboarding.open_invitation(session, p)

    async def go():
        await onboarding_control.accept_invitation(await context.temporal(), p.id, guest.id)

    context.run(go())
    say(f"Guest user {guest.id} ({guest.email}) accepted the invitation for partner {p.business_id}")


@guests_app.command("list")
def list_guests(workspace: Workspace = None, output: Output = OutputFormat.table, as_json: AsJson = False) -> None:
    """List the workspace's guest users (partners' admins) and their invitations."""
    fmt = output_format(output, as_json)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        by_id = {p.id: p.business_id for p in partners.list_for(session, ws.id)}
        rows = [{"id": g.id, "partner": by_id.get(g.partner_id), "email": g.email, "invite_state": g.invite_state,
                 "invited_at": g.invited_at, "accepted_at": g.accepted_at, "reminders_sent": g.reminders_sent}
                for g in onboarding.guests_of(session, ws.id)]
    emit(rows, ["id", "partner", "email", "invite_state", "invited_at", "accepted_at", "reminders_sent"], fmt)


@monitor_app.command("share")
def share(workspace: Workspace = None, partner: Partner = ...,
          email: str = typer.Option(..., "--email", metavar="EMAIL", help="The monitor account's email"),
          password_stdin: PasswordStdin = False) -> None:
    """Share a monitor account's credentials (played by the partner's admin).

    Secrets come from stdin (--password-stdin), or PARTNERWATCH_SECRET_PASSWORD and
    PARTNERWATCH_SECRET_TOTP, or a prompt; never from the command line."""
    password, totp = context.read_secrets(password_stdin)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        p = partners.resolve(session, ws.id, partner)
        account = onboarding.share_monitor(session, context.vault(), p, email, password, totp)
        audit.record(session, ws.id, "monitor.share", target=p.business_id, by=context.actor(),
                     details={"monitor_account_id": account.id, "totp": account.has_totp})
    del password, totp

    async def go():
        await onboarding_control.monitor_shared(await context.temporal(), p.id, account.id)

    context.run(go())
    say(f"Monitor account {account.id} ({account.email}{', TOTP' if account.has_totp else ''}) shared for partner {p.business_id}")


@monitor_app.command("update")
def update(workspace: Workspace = None, partner: Partner = ...,
           account: Account = ..., password_stdin: PasswordStdin = False) -> None:
    """Replace a monitor account's credentials (after a password change or a rejected sign-in).

    The next check signs in with them; until then no check tries the old ones again."""
    password, totp = context.read_secrets(password_stdin)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        p = partners.resolve(session, ws.id, partner)
        chosen = onboarding.update_credentials(session, context.vault(), onboarding.resolve_monitor(session, p, account),
                                               password, totp)
        audit.record(session, ws.id, "credentials.update", target=p.business_id, by=context.actor(),
                     details={"monitor_account_id": chosen.id})
    del password, totp
    say(f"Credentials of monitor account {chosen.id} ({chosen.email}) updated; the next check signs in with them")


@monitor_app.command("select")
def select(workspace: Workspace = None, partner: Partner = ..., account: Account = ..., wait: Wait = True,
           timeout: Timeout = None) -> None:
    """Select the monitor account to connect with; waits for the connection's outcome (exit 1: needs attention)."""
    limit = context.wait_limit(timeout)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        p = partners.resolve(session, ws.id, partner)
        chosen = onboarding.resolve_monitor(session, p, account)

    async def go() -> ConnectOutcome:
        with context.store() as session:
            audit.record(session, ws.id, "monitor.select", target=p.business_id, by=context.actor(),
                         details={"monitor_account_id": chosen.id})
        # The selection is refused or accepted at once; the connection then runs in the workflow.
        return await context.waited(
            onboarding_control.select_monitor(await context.temporal(), p.id, chosen.id, actor="cli",
                                              wait_s=None if wait else 0),
            limit, f"the connection of partner {p.business_id}",
            f"partnerwatch partners status -w {ws.name!r} -p {p.business_id}")

    outcome = context.run(go())
    if outcome is None:
        say(f"Selected {chosen.email} for partner {p.business_id}; connecting now "
            f"(follow it with `partnerwatch partners status -p {p.business_id}`)")
        return
    if outcome.connected:
        say(f"Connected: {chosen.email} is a Manager of partner {p.business_id}. Partner onboarded; the first check runs now.")
        return
    say(f"Needs attention: {outcome.fault.message} [{outcome.fault.code}]. Select another monitor account when it is fixed.")
    raise typer.Exit(1)


@monitor_app.command("list")
def list_monitors(workspace: Workspace = None, partner: Partner = ..., output: Output = OutputFormat.table,
                  as_json: AsJson = False) -> None:
    """List the monitor accounts shared for a partner."""
    fmt = output_format(output, as_json)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        p = partners.resolve(session, ws.id, partner)
        rows = [{"id": m.id, "email": m.email, "totp": m.has_totp, "state": m.state, "rejected_code": m.rejected_code,
                 "shared_at": m.shared_at} for m in onboarding.monitors_of(session, p.id)]
    emit(rows, ["id", "email", "totp", "state", "rejected_code", "shared_at"], fmt)

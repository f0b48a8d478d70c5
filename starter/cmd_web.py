"""web (serve the console), console-users add|list|disable|set-password."""

from __future__ import annotations

import secrets

import typer

import logs
from models import audit, console_users
from models.statuses import ConsoleRole
from starter import context
from starter.options import AsJson, Output, OutputFormat, PasswordStdin, Workspace
from starter.output import emit, output_format, say

console_users_app = typer.Typer(help="People who sign in to the web console: admins (everything) and viewers "
                                     "(read only), one workspace each.", no_args_is_help=True)


def web(host: str = typer.Option(None, "--host", metavar="HOST",
                                 help="Listen here (default PARTNERWATCH_WEB_HOST: 127.0.0.1, loopback only)"),
        port: int = typer.Option(None, "--port", metavar="PORT", help="Listen on this port (default 8070)")) -> None:
    """Serve the web console and its API (/api/v1, described at /openapi.json) until interrupted."""
    import uvicorn

    from web.app import create_app, server_config

    settings = context.settings()
    logs.configure(settings.log_level, settings.log_format)  # a server logs at INFO, not the CLI's warnings only
    host, port = host or settings.web_host, port or settings.web_port
    app = create_app(settings)  # refuses a store whose schema is not this release's, before listening
    say(f"partnerwatch console on http://{host}:{port} (API: http://{host}:{port}/api/docs)")
    uvicorn.Server(server_config(app, host, port)).run()


def _password(from_stdin: bool, generate: bool) -> tuple[str, bool]:
    if generate:
        return secrets.token_urlsafe(15), True
    password, _ = context.read_secrets(from_stdin)
    return password, False


@console_users_app.command("add")
def add(email: str = typer.Argument(..., metavar="EMAIL", help="The person's email: their sign-in name"),
        workspace: Workspace = None,
        role: ConsoleRole = typer.Option(ConsoleRole.VIEWER, "--role", case_sensitive=False, metavar="admin|viewer",
                                         help="admin: everything; viewer: read only"),
        password_stdin: PasswordStdin = False,
        generate: bool = typer.Option(False, "--generate-password",
                                      help="Make up a strong password and print it, once"),
        exist_ok: bool = typer.Option(False, "--exist-ok", help="Succeed, changing nothing, if this user exists")) -> None:
    """Add a console user (the password: stdin, PARTNERWATCH_SECRET_PASSWORD, a prompt, or generated)."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        if exist_ok and any(u.email_key == email.strip().lower() for u in console_users.list_for(session, ws.id)):
            say(f"Already there: console user {email.strip()}")
            return
    password, generated = _password(password_stdin, generate)
    with context.store() as session:
        user = console_users.add(session, ws.id, email, role, password)
        audit.record(session, ws.id, "console.user.add", target=user.email, by=context.actor(),
                     details={"role": user.role})
    say(f"Added console user {user.email} ({user.role}) to workspace {ws.name}")
    if generated:
        say(f"Password (shown once): {password}")


@console_users_app.command("list")
def list_(workspace: Workspace = None, output: Output = OutputFormat.table, as_json: AsJson = False) -> None:
    """List the workspace's console users."""
    fmt = output_format(output, as_json)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        rows = [{"email": u.email, "role": u.role, "created_at": u.created_at, "disabled_at": u.disabled_at}
                for u in console_users.list_for(session, ws.id)]
    emit(rows, ["email", "role", "created_at", "disabled_at"], fmt)


@console_users_app.command("disable")
def disable(email: str = typer.Argument(..., metavar="EMAIL", help="The console user's email"), workspace: Workspace = None) -> None:
    """Disable a console user: they are signed out everywhere and cannot sign in again."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        user = console_users.resolve(session, ws.id, email)
        ended = console_users.disable(session, user)
        audit.record(session, ws.id, "console.user.disable", target=user.email, by=context.actor())
    say(f"Disabled console user {user.email}; {ended} session(s) ended")


@console_users_app.command("set-password")
def set_password(email: str = typer.Argument(..., metavar="EMAIL", help="The console user's email"), workspace: Workspace = None,
                 password_stdin: PasswordStdin = False,
                 generate: bool = typer.Option(False, "--generate-password",
                                               help="Make up a strong password and print it, once")) -> None:
    """Set a console user's password; their open sessions end."""
    password, generated = _password(password_stdin, generate)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        user = console_users.resolve(session, ws.id, email)
        console_users.set_password(session, user, password)
        audit.record(session, ws.id, "console.user.set_password", target=user.email, by=context.actor())
    say(f"Set the password of console user {user.email}; their sessions ended")
    if generated:
        say(f"Password (shown once): {password}")

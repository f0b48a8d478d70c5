"""workspace create|list, integration add."""

from __future__ import annotations

import typer

from models import audit, workspaces
from starter import context
from starter.options import AsJson, Output, OutputFormat, PasswordStdin, Workspace
from starter.output import emit, output_format, say

workspace_app = typer.Typer(help="Workspaces: one per company using partnerwatch.", no_args_is_help=True)
integration_app = typer.Typer(help="The company's own Pinterest Business integration.", no_args_is_help=True)


@workspace_app.command("create")
def create(name: str = typer.Argument(..., metavar="NAME", help="The company's name"),
           exist_ok: bool = typer.Option(False, "--exist-ok", help="Succeed if a workspace with this name exists"),
           output: Output = OutputFormat.table, as_json: AsJson = False) -> None:
    """Create a workspace."""
    fmt = output_format(output, as_json)
    with context.store() as session:
        ws, created = workspaces.create(session, name, exist_ok=exist_ok)
    if fmt is not OutputFormat.table:
        emit([{"id": ws.id, "name": ws.name, "created": created}], ["id", "name", "created"], fmt)
    else:
        say(f"{'Created' if created else 'Already there:'} workspace {ws.id} ({ws.name})")


@workspace_app.command("list")
def list_(output: Output = OutputFormat.table, as_json: AsJson = False) -> None:
    """List workspaces."""
    fmt = output_format(output, as_json)
    with context.store() as session:
        rows = [{"id": w.id, "name": w.name, "created_at": w.created_at} for w in workspaces.list_all(session)]
    emit(rows, ["id", "name", "created_at"], fmt)


@workspace_app.command("configure")
def configure(workspace: Workspace = None,
              removal_threshold: float = typer.Option(None, min=0, max=100, metavar="PCT",
                                                      help="Block a check removing more than this % of a partner's people"),
              removal_floor: int = typer.Option(None, min=0, metavar="N", help="...unless it removes at most this many")) -> None:
    """Change a workspace's settings (the removal safeguard)."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        if removal_threshold is not None:
            ws.removal_threshold_pct = removal_threshold
        if removal_floor is not None:
            ws.removal_floor = removal_floor
        session.add(ws)
    say(f"Workspace {ws.id}: checks removing more than {ws.removal_threshold_pct:g}% of a partner's people "
        f"(and more than {ws.removal_floor}) wait for approval")


@integration_app.command("add")
def add(workspace: Workspace = None,
        business_id: str = typer.Option(..., "--business-id", metavar="BUSINESS_ID", help="The company's own business id"),
        email: str = typer.Option(..., "--email", metavar="EMAIL", help="The integration account's email"),
        password_stdin: PasswordStdin = False,
        replace: bool = typer.Option(False, "--replace", help="Replace an existing integration"),
        exist_ok: bool = typer.Option(False, "--exist-ok",
                                      help="Succeed without changes if this business and email are already set")) -> None:
    """Connect the company's Pinterest Business with an account that is a Manager there.

    Secrets come from stdin (--password-stdin), or PARTNERWATCH_SECRET_PASSWORD and
    PARTNERWATCH_SECRET_TOTP, or a prompt; never from the command line."""
    if exist_ok:
        with context.store() as session:
            ws = context.workspace(session, workspace)
            current = workspaces.current_integration(session, ws.id)
            if current and workspaces.integration_matches(session, current, business_id, email):
                say(f"Already there: integration {current.id} reads business {current.business_id}")
                return
    password, totp = context.read_secrets(password_stdin)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        integration = workspaces.set_integration(session, context.vault(), ws, business_id, email, password, totp,
                                                 replace=replace)
        audit.record(session, ws.id, "credentials.update", target=integration.business_id,
                     details={"integration_id": integration.id}, by=context.actor())
    say(f"Integration {integration.id}: workspace {ws.id} reads business {integration.business_id}")

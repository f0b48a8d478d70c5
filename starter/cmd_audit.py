"""audit list: who did what, and when."""

from __future__ import annotations

import typer

from models import audit
from starter import context
from starter.output import emit

audit_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)


@audit_app.command("list")
def list_(workspace: str = typer.Option(None, "--workspace", "-w", help="Workspace id or name"),
          limit: int = typer.Option(200, min=1), as_json: bool = typer.Option(False, "--json")) -> None:
    """List audit events, newest first (the workspace's and those of the whole installation)."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        rows = [{"at": e.at, "actor": e.actor, "action": e.action, "target": e.target, "details": e.details}
                for e in audit.list_for(session, ws.id, limit)]
    emit(rows, ["at", "actor", "action", "target", "details"], as_json=as_json)

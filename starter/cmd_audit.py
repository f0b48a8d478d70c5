"""audit list: who did what, and when."""

from __future__ import annotations

import typer

from models import audit
from starter import context
from starter.options import AsCsv, AsJson, Limit, Output, OutputFormat, Workspace
from starter.output import emit, output_format

audit_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)


@audit_app.command("list")
def list_(workspace: Workspace = None, limit: Limit = 200, output: Output = OutputFormat.table,
          as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """List audit events, newest first (the workspace's and those of the whole installation)."""
    fmt = output_format(output, as_json, as_csv)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        rows = [{"at": e.at, "actor": e.actor, "action": e.action, "target": e.target, "details": e.details}
                for e in audit.list_for(session, ws.id, limit)]
    emit(rows, ["at", "actor", "action", "target", "details"], fmt)

"""tasks list, users list: the Automation view and the partners' people."""

from __future__ import annotations

import typer

from common.grants import AssetGrant

from control import checks
from models import audit, partners, people, tasks
from starter import context
from starter.cmd_changes import show_task
from starter.options import AsCsv, AsJson, Limit, Output, OutputFormat, PartnerFilter, Workspace
from starter.output import emit, output_format, say

tasks_app = typer.Typer(help="Automation tasks: every check, with status and counts.", no_args_is_help=True)
users_app = typer.Typer(help="Pinterest Business guest users: the partners' people who reach your assets.",
                        no_args_is_help=True)


@tasks_app.command("list")
def list_tasks(workspace: Workspace = None, partner: PartnerFilter = None, limit: Limit = 50,
               output: Output = OutputFormat.table, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """List automation tasks, newest first."""
    fmt = output_format(output, as_json, as_csv)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        partner_id = partners.resolve(session, ws.id, partner).id if partner else None
        rows = [{"id": t.id, "task": t.task, "target": t.target, "status": t.status, "trigger": t.trigger,
                 "actor": t.actor, "created_at": t.created_at, "updated_at": t.updated_at, "added": t.added,
                 "changed": t.changed, "removed": t.removed, "listed": t.listed_total, "pages_read": t.pages_read,
                 "removal_rereads": t.removal_rereads, "retries": t.retries, "reason_code": t.reason_code, "reason": t.reason, "workflow_id": t.workflow_id,
                 "artifacts": t.artifacts_path}
                for t in tasks.list_for(session, ws.id, partner_id, limit)]
    columns = ["id", "task", "target", "status", "trigger", "actor", "created_at", "added", "changed", "removed",
               "listed", "reason"]
    emit(rows, list(rows[0]) if (fmt is not OutputFormat.table and rows) else columns, fmt)


@tasks_app.command("show")
def show(task_id: str = typer.Argument(..., metavar="TASK", help="The task's id"), workspace: Workspace = None,
         output: Output = OutputFormat.table, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """Show one task, every field, and each person it added, changed or removed (before -> after)."""
    show_task(task_id, workspace, output_format(output, as_json, as_csv))


def _review(workspace: str | None, task_id: str, approve: bool) -> None:
    with context.store() as session:
        ws = context.workspace(session, workspace)
        task = tasks.in_workspace(session, ws.id, task_id)

    async def go() -> str:
        return await checks.review(await context.temporal(), task, approve=approve, actor=context.actor())

    status = context.run(go())
    with context.store() as session:
        audit.record(session, ws.id, "task.approve" if approve else "task.reject", target=task.id, by=context.actor(),
                     details={"removed": task.removed, "outcome": status})
    say(f"Task {task.id} {'approved' if approve else 'rejected'}: {status}")


@tasks_app.command("approve")
def approve(task_id: str = typer.Argument(..., metavar="TASK", help="The blocked task's id"),
            workspace: Workspace = None) -> None:
    """Approve a check the removal safeguard blocked: its removals are applied."""
    _review(workspace, task_id, True)


@tasks_app.command("reject")
def reject(task_id: str = typer.Argument(..., metavar="TASK", help="The blocked task's id"),
           workspace: Workspace = None) -> None:
    """Reject a check the removal safeguard blocked: nothing is applied."""
    _review(workspace, task_id, False)


@users_app.command("list")
def list_users(workspace: Workspace = None, partner: PartnerFilter = None,
               include_removed: bool = typer.Option(False, "--include-removed",
                                                    help="Also list people no longer there, with when they went"),
               output: Output = OutputFormat.table, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """List the partners' people who can reach the company's assets."""
    fmt = output_format(output, as_json, as_csv)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        by_id = {p.id: p for p in partners.list_for(session, ws.id)}
        partner_id = partners.resolve(session, ws.id, partner).id if partner else None
        rows = [{"partner": by_id[u.partner_id].business_id, "partner_name": by_id[u.partner_id].name,
                 "email": u.email, "name": u.name, "role": u.role, "status": u.status,
                 "assets": [str(AssetGrant.model_validate(a)) for a in u.assets],
                 "last_active": u.last_active, "first_seen": u.first_seen,
                 # Everyone still listed was seen by the partner's last check; the column is not rewritten each time.
                 "last_seen": u.last_seen if u.removed_at else (by_id[u.partner_id].last_check_at or u.last_seen),
                 "removed_at": u.removed_at}
                for u in people.list_people(session, ws.id, partner_id, include_removed)]
    columns = ["partner_name", "email", "name", "role", "status", "assets", "last_active"]
    if fmt is not OutputFormat.table or include_removed:
        columns = ["partner", "partner_name", "email", "name", "role", "status", "assets", "last_active",
                   "first_seen", "last_seen", "removed_at"]
    emit(rows, columns, fmt)

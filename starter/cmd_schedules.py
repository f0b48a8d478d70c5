"""schedules list|pause|resume|trigger, and temporal setup."""

from __future__ import annotations

import asyncio

import typer
from temporalio.client import ScheduleActionExecutionStartWorkflow

from control.schedules import schedule_of, schedules_of
from models import partners
from models.errors import Conflict
from starter import context
from starter.cmd_partners import wait_and_report
from starter.options import AsJson, Output, OutputFormat, Partner, Timeout, Wait, Workspace
from starter.output import emit, output_format, say
from temporal_common.connection import ensure_search_attributes

# The workflow class is imported where it is used: its module brings the activities, SQLAlchemy's
# engines and Playwright, which a command that never starts a check should not wait for.

schedules_app = typer.Typer(help="The daily check schedules of onboarded partners.", no_args_is_help=True)
temporal_app = typer.Typer(help="Temporal cluster set-up.", no_args_is_help=True)


@schedules_app.command("list")
def list_(workspace: Workspace = None, output: Output = OutputFormat.table, as_json: AsJson = False) -> None:
    """List the check schedules of the workspace's partners."""
    fmt = output_format(output, as_json)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        known = partners.list_for(session, ws.id)

    async def go():
        return [{"schedule_id": s.schedule_id, "partner": s.partner.business_id, "name": s.partner.name,
                 "paused": s.paused, "next_run": s.next_run, "last_run": s.last_run}
                for s in await schedules_of(await context.temporal(), known)]

    emit(context.run(go()), ["schedule_id", "partner", "name", "paused", "next_run", "last_run"], fmt)


async def _schedule(p):
    return await schedule_of(await context.temporal(), p)


def _act(workspace: str | None, partner: str, act, done: str) -> None:
    with context.store() as session:
        p = partners.resolve(session, context.workspace(session, workspace).id, partner)

    async def go():
        await act(await _schedule(p))

    context.run(go())
    say(f"{done} partner {p.business_id}")


@schedules_app.command("pause")
def pause(workspace: Workspace = None, partner: Partner = ...) -> None:
    """Pause a partner's scheduled checks."""
    _act(workspace, partner, lambda h: h.pause(note="Paused from the partnerwatch CLI"), "Paused the checks of")


@schedules_app.command("resume")
def resume(workspace: Workspace = None, partner: Partner = ...) -> None:
    """Resume a partner's scheduled checks."""
    _act(workspace, partner, lambda h: h.unpause(note="Resumed from the partnerwatch CLI"), "Resumed the checks of")


def _started_by(description) -> set[str]:
    return {a.action.workflow_id for a in description.info.recent_actions
            if isinstance(a.action, ScheduleActionExecutionStartWorkflow)}


@schedules_app.command("trigger")
def trigger(workspace: Workspace = None, partner: Partner = ..., wait: Wait = True, timeout: Timeout = None) -> None:
    """Run a partner's scheduled check now; with --wait, report its outcome (exit 1 unless it completed)."""
    from workflows.check_for_updates.workflow import CheckForUpdates
    context.wait_limit(timeout)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        p = partners.resolve(session, ws.id, partner)

    async def go() -> None:
        handle = await _schedule(p)
        described = await handle.describe()
        before, skipped_before = _started_by(described), described.info.num_actions_skipped_overlap
        await handle.trigger()
        if not wait:
            say(f"Triggered the scheduled check of partner {p.business_id}")
            return
        # The schedule starts the check asynchronously; its overlap policy may also skip it, which the
        # schedule counts: either is seen at once, and 20 s without either is a skip too.
        for _ in range(100):
            described = await handle.describe()
            started = _started_by(described) - before
            if started:
                break
            if described.info.num_actions_skipped_overlap > skipped_before:
                started = set()
                break
            await asyncio.sleep(0.2)
        if not started:
            raise Conflict(f"the schedule of partner {p.business_id} skipped the trigger: its previous check still runs")
        client = await context.temporal()
        check = client.get_workflow_handle_for(CheckForUpdates.run, started.pop())
        await wait_and_report(check, ws.id, p.id, timeout)

    context.run(go())


@temporal_app.command("setup")
def setup() -> None:
    """Register partnerwatch's search attributes on the namespace (any cluster)."""

    async def go():
        return await ensure_search_attributes(await context.temporal())

    added = context.run(go())
    say(f"Search attributes added: {', '.join(added)}" if added else "Search attributes already registered")

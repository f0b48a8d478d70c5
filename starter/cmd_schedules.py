"""schedules list|pause|resume|trigger, and temporal setup."""

from __future__ import annotations

import typer

from models import partners
from models.errors import NotFound
from starter import context
from starter.output import emit, say
from temporal_connection import ensure_search_attributes
from workflows import naming

schedules_app = typer.Typer(help="The daily check schedules of onboarded partners.", no_args_is_help=True)
temporal_app = typer.Typer(help="Temporal cluster set-up.", no_args_is_help=True)
WORKSPACE = typer.Option(None, "--workspace", "-w", help="Workspace id or name (or PARTNERWATCH_WORKSPACE)")
PARTNER = typer.Option(..., "--partner", "-p", help="The partner's business id")


@schedules_app.command("list")
def list_(workspace: str = WORKSPACE, as_json: bool = typer.Option(False, "--json")) -> None:
    """List the check schedules of the workspace's partners."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        wanted = {naming.schedule_id(p.id): p for p in partners.list_for(session, ws.id)}

    async def go():
        client = await context.temporal()
        rows = []
        async for entry in await client.list_schedules():
            p = wanted.get(entry.id)
            if p is None:
                continue
            info = entry.info
            rows.append({"schedule_id": entry.id, "partner": p.business_id, "name": p.name,
                         "paused": entry.schedule.state.paused if entry.schedule else None,
                         "next_run": info.next_action_times[0] if info and info.next_action_times else None,
                         "last_run": info.recent_actions[-1].scheduled_at if info and info.recent_actions else None})
        return rows

    emit(context.run(go()), ["schedule_id", "partner", "name", "paused", "next_run", "last_run"], as_json=as_json)


async def _schedule(p):
    client = await context.temporal()
    handle = client.get_schedule_handle(naming.schedule_id(p.id))
    try:
        await handle.describe()
    except Exception as error:  # noqa: BLE001 - the service answers "not found" as an RPC error
        raise NotFound(f"partner {p.business_id} has no check schedule (is it onboarded?)") from error
    return handle


def _act(workspace: str | None, partner: str, act, done: str) -> None:
    with context.store() as session:
        p = partners.resolve(session, context.workspace(session, workspace).id, partner)

    async def go():
        await act(await _schedule(p))

    context.run(go())
    say(f"{done} partner {p.business_id}")


@schedules_app.command("pause")
def pause(workspace: str = WORKSPACE, partner: str = PARTNER) -> None:
    """Pause a partner's scheduled checks."""
    _act(workspace, partner, lambda h: h.pause(note="Paused from the partnerwatch CLI"), "Paused the checks of")


@schedules_app.command("resume")
def resume(workspace: str = WORKSPACE, partner: str = PARTNER) -> None:
    """Resume a partner's scheduled checks."""
    _act(workspace, partner, lambda h: h.unpause(note="Resumed from the partnerwatch CLI"), "Resumed the checks of")


@schedules_app.command("trigger")
def trigger(workspace: str = WORKSPACE, partner: str = PARTNER) -> None:
    """Run a partner's scheduled check now."""
    _act(workspace, partner, lambda h: h.trigger(), "Triggered the scheduled check of")


@temporal_app.command("setup")
def setup() -> None:
    """Register partnerwatch's search attributes on the namespace (any cluster)."""

    async def go():
        return await ensure_search_attributes(await context.temporal())

    added = context.run(go())
    say(f"Search attributes added: {', '.join(added)}" if added else "Search attributes already registered")

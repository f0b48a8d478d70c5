"""partners sync|list|onboard|status|check."""

from __future__ import annotations

import asyncio
import contextlib
import sys

import typer
from temporalio.client import WorkflowHandle

from common.grants import SharedAsset
from control import checks
from control import onboarding as onboarding_control
from models import audit, events, onboarding, partners, tasks, validation, workspaces
from models.errors import Conflict
from models.results import Fault, Reason
from models.statuses import PartnerStatus, TaskStatus
from starter import context
from starter.options import AsJson, Output, OutputFormat, Partner, Timeout, Wait, Workspace
from starter.output import console, emit, output_format, say
from workflows.check_for_updates.payloads import CheckResult
from workflows.onboard_partner.payloads import OnboardState, Step

app = typer.Typer(help="Partners: discover, onboard and check them.", no_args_is_help=True)


async def _start_check(ws_id: str, partner_id: str | None, business_id: str) -> WorkflowHandle:
    return await checks.start_check(await context.temporal(), context.settings(), workspace_id=ws_id,
                                    partner_id=partner_id, business_id=business_id, actor="cli")


async def _wait(handle: WorkflowHandle, partner_id: str | None, ws_id: str) -> CheckResult:
    """Waits for the check (with its progress on a terminal); returns early when it is blocked for review."""
    result_task = asyncio.ensure_future(handle.result())
    on_terminal = sys.stdout.isatty()
    status = console.status("Starting…") if on_terminal else contextlib.nullcontext()
    with status:
        while not result_task.done():
            with context.store() as session:
                active = tasks.active_for(session, ws_id, partner_id)
                blocked = tasks.blocked_for(session, ws_id, partner_id)
            if blocked:
                result_task.cancel()
                return CheckResult(task_id=blocked.id, status=TaskStatus.BLOCKED,
                                   fault=Fault(code=blocked.reason_code or Reason.REMOVAL_SAFEGUARD, message=blocked.reason or "",
                                               lasting=True))
            if active and on_terminal:
                t = active[0]
                status.update(f"{t.status}: {t.pages_read} page(s) read"
                              + (f" — {t.reason}" if t.status == TaskStatus.RETRYING else ""))
            await asyncio.wait([result_task], timeout=0.5)
    return result_task.result()


def workflow_link(workflow_id: str) -> str:
    return checks.workflow_link(context.settings(), workflow_id)


async def wait_and_report(handle: WorkflowHandle, ws_id: str, partner_id: str | None, timeout: str | None) -> None:
    """Waits for a check (at most `timeout`), prints its outcome, and exits 1 unless it completed."""
    result = await context.waited(_wait(handle, partner_id, ws_id), context.wait_limit(timeout),
                                  f"check {handle.id}", workflow_link(handle.id))
    _print_result(result)
    if result.status not in (TaskStatus.COMPLETED, TaskStatus.JOINED):
        raise typer.Exit(1)


def _run_check(ws_id: str, partner_id: str | None, business_id: str, wait: bool, timeout: str | None) -> None:
    """Starts (or joins) a check; with `wait`, reports its outcome and exits 1 unless it completed."""

    async def go() -> None:
        handle = await _start_check(ws_id, partner_id, business_id)
        if wait:
            await wait_and_report(handle, ws_id, partner_id, timeout)
        else:
            say(f"Started {handle.id}: {workflow_link(handle.id)} (or `partnerwatch tasks list`)")

    context.run(go())


def _print_result(result: CheckResult) -> None:
    if result.joined:
        say(f"Joined the check already running: task {result.task_id}")
    if result.counts:
        c = result.counts
        say(f"{result.status}: {c.added} added, {c.changed} changed, {c.removed} removed ({c.listed} listed) — task {result.task_id}")
    elif result.fault:
        say(f"{result.status}: {result.fault.message} [{result.fault.code}] — task {result.task_id}")
        if result.status == TaskStatus.BLOCKED:
            say(f"Nothing was applied. Review it: partnerwatch tasks approve {result.task_id} (or reject)")
    elif not result.joined:
        say(f"{result.status} — task {result.task_id}")


@app.command("sync")
def sync(workspace: Workspace = None, wait: Wait = True, timeout: Timeout = None) -> None:
    """Read the company's Partners page: new partners appear as `Pending onboarding`."""
    context.wait_limit(timeout)  # a bad --timeout is refused before anything is read or started
    with context.store() as session:
        ws = context.workspace(session, workspace)
        integration = workspaces.integration_of(session, ws.id)

    _run_check(ws.id, None, integration.business_id, wait, timeout)


@app.command("list")
def list_(workspace: Workspace = None, output: Output = OutputFormat.table, as_json: AsJson = False) -> None:
    """List the workspace's partners with their status."""
    fmt = output_format(output, as_json)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        rows = [{"business_id": p.business_id, "name": p.name, "relationship": p.relationship,
                 "shared_assets": [str(SharedAsset.model_validate(a)) for a in p.shared_assets],
                 "status": p.status, "reason": p.status_reason, "reason_code": p.status_reason_code,
                 "last_check_at": p.last_check_at, "id": p.id} for p in partners.list_for(session, ws.id)]
    emit(rows, ["business_id", "name", "relationship", "shared_assets", "status", "reason", "last_check_at"]
         + (["reason_code", "id"] if fmt is not OutputFormat.table else []), fmt)


@app.command("onboard")
def onboard(workspace: Workspace = None, partner: Partner = ...,
            admin_email: str = typer.Option(..., "--admin-email", metavar="EMAIL",
                                            help="The partner's admin, invited as a guest user"),
            remind_every: str = typer.Option("3d", metavar="DURATION", help="Remind the admin this often (30s, 15m, 12h, 3d)"),
            expire_after: str = typer.Option("14d", metavar="DURATION", help="The invitation expires after this long")) -> None:
    """Start onboarding a partner: invite its admin, then wait for a monitor account."""
    admin_email = validation.email(admin_email)
    remind, expire = context.duration(remind_every), context.duration(expire_after)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        p = partners.resolve(session, ws.id, partner)
        onboarding_control.refuse_onboarding(p)

    async def go():
        return await onboarding_control.start(await context.temporal(), context.settings(), p, admin_email=admin_email,
                                              remind_every_s=remind.total_seconds(),
                                              expire_after_s=expire.total_seconds(), actor="cli")

    step = context.run(go())
    if step == Step.INVITE:
        say(f"Onboarding partner {p.business_id} ({p.name}): invitation sent to the partner's admin")
    elif step is None:
        say(f"Onboarding partner {p.business_id} ({p.name}) started; the invitation goes out as soon as a worker "
            f"runs it (partnerwatch partners status -p {p.business_id})")
    else:
        say(f"Onboarding partner {p.business_id} ({p.name}): {step[:1].lower() + step[1:]}")


@app.command("status")
def status(workspace: Workspace = None, partner: Partner = ..., output: Output = OutputFormat.table,
           as_json: AsJson = False) -> None:
    """Where a partner's onboarding stands."""
    fmt = output_format(output, as_json)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        p = partners.resolve(session, ws.id, partner)

    async def go() -> OnboardState | None:
        return await onboarding_control.state(await context.temporal(), p.id)

    state = context.run(go())
    row = {"business_id": p.business_id, "name": p.name, "status": p.status, "reason": p.status_reason,
           "step": state.step if state else "(no onboarding workflow)",
           "shared_monitor_accounts": state.shared_monitor_ids if state else [],
           "reminders_sent": state.reminders_sent if state else None}
    emit([row], list(row), fmt)


@app.command("check")
def check(workspace: Workspace = None, partner: Partner = ..., wait: Wait = True, timeout: Timeout = None) -> None:
    """Check a partner for updates now: read its Members and import the diff."""
    context.wait_limit(timeout)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        p = partners.resolve(session, ws.id, partner)
        if not p.selected_monitor_id:
            raise Conflict(f"partner {p.business_id} has no connected monitor account yet (status: {p.status})")

    _run_check(ws.id, p.id, p.business_id, wait, timeout)


@app.command("disconnect")
def disconnect(workspace: Workspace = None, partner: Partner = ...) -> None:
    """Stop watching a partner: its schedule is deleted, a running onboarding cancelled, its monitor
    accounts' secrets destroyed. Its people's history stays; it can be onboarded again later."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        p = partners.resolve(session, ws.id, partner)
        if p.status == PartnerStatus.DISCONNECTED:
            raise Conflict(f"partner {p.business_id} is already disconnected")

    async def go() -> None:
        await onboarding_control.stop_watching(await context.temporal(), p.id)

    context.run(go())
    with context.store() as session:
        p = partners.get(session, p.id)
        destroyed = onboarding.disconnect(session, p)
        audit.record(session, ws.id, "partner.disconnect", target=p.business_id, by=context.actor(),
                     details={"secrets_destroyed": destroyed})
        events.record(session, ws.id, events.Disconnected(partner=events.partner_ref(p), by=context.actor()))
    say(f"Disconnected partner {p.business_id}: schedule stopped, {destroyed} monitor account(s) destroyed, history kept")

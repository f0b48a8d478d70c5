"""changes list, tasks show: who was added, changed and removed, with before -> after and severity."""

from __future__ import annotations

from datetime import datetime, timezone

import typer

from alerting.render import headline
from models import events, partners, tasks
from models.changes import PersonChange, Severity, list_changes
from models.errors import Invalid
from starter import context
from starter.options import AsCsv, AsJson, Limit, Output, OutputFormat, PartnerFilter, Workspace
from starter.output import emit, output_format

changes_app = typer.Typer(help="What the checks found: people added, changed and removed.", no_args_is_help=True)

COLUMNS = ["at", "partner", "partner_name", "task", "change", "severity", "email", "name", "fields", "people_found", "people_high"]
TABLE_COLUMNS = ["at", "partner_name", "change", "severity", "email", "name", "fields"]


def since_of(text: str | None) -> datetime | None:
    """A date (2026-11-01), a time (2026-11-01T09:00Z), or a duration back from now (7d, 12h)."""
    if not text:
        return None
    try:
        return datetime.now(timezone.utc) - context.duration(text)
    except Invalid:
        pass
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"--since '{text}' is neither a date (2026-11-01), a time (2026-11-01T09:00Z) "
                      "nor a duration back from now (7d, 12h)") from None
    # Typed input, not a stored value: a time given without an offset means UTC, as every time shown is.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def rows_of(found: list[PersonChange], partner_by_id: dict, fmt: OutputFormat) -> list[dict]:
    plain = fmt in (OutputFormat.table, OutputFormat.csv)
    return [{"id": c.id, "at": c.at, "partner": partner_by_id[c.partner_id].business_id,
             "partner_name": partner_by_id[c.partner_id].name, "task": c.task_id, "change": c.kind,
             "severity": c.severity, "email": c.email, "name": c.name, "people_found": c.people_found,
             "people_high": c.people_high,
             "fields": c.summary() if plain else
             [{"field": f.field, "before": f.before, "after": f.after} for f in c.fields]}
            for c in found]


@changes_app.command("list")
def list_(workspace: Workspace = None, partner: PartnerFilter = None,
          task: str | None = typer.Option(None, "--task", metavar="TASK", help="Only this check's changes"),
          since: str | None = typer.Option(None, "--since", metavar="DATE|DURATION",
                                           help="Only changes since a date or time (UTC), or for a duration back (7d)"),
          severity: Severity = typer.Option(Severity.LOW, "--severity", case_sensitive=False, metavar="low|medium|high",
                                            help="Only changes of this severity or more"),
          limit: Limit = 200, output: Output = OutputFormat.table, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """List each person added, changed or removed, newest first, with the fields before -> after.

    A partner's first check is one `baseline` line saying how many people it found (they are listed
    by `users list --partner`); later checks are compared with it.

    Severity: high when a person gains Admin on an asset or becomes Manager; medium for a new person or
    any other escalation (an asset gained, a stronger permission, Invited -> Active); low for a removal
    or a change that grants nothing more. Last active alone is never a change."""
    fmt = output_format(output, as_json, as_csv)
    after = since_of(since)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        partner_id = partners.resolve(session, ws.id, partner).id if partner else None
        if task:
            tasks.in_workspace(session, ws.id, task)
        by_id = {p.id: p for p in partners.list_for(session, ws.id)}
        found = list_changes(session, ws.id, partner_id, task, after, severity, limit)
    emit(rows_of(found, by_id, fmt), TABLE_COLUMNS if fmt is OutputFormat.table else ["id", *COLUMNS], fmt)


def show_task(task_id: str, workspace: str | None, fmt: OutputFormat) -> None:
    """One task with every field, then its changes."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        task = tasks.in_workspace(session, ws.id, task_id)
        by_id = {p.id: p for p in partners.list_for(session, ws.id)}
        found = list_changes(session, ws.id, task_id=task.id)
        details = {name: getattr(task, name) for name in type(task).model_fields if name != "pages_done"}
    changes = rows_of(found, by_id, fmt)
    if fmt in (OutputFormat.json, OutputFormat.jsonl):
        emit([{**details, "changes": changes}], [*details, "changes"], fmt)
        return
    emit([{"field": k, "value": v} for k, v in details.items() if v is not None], ["field", "value"], fmt)
    if fmt is OutputFormat.table:
        print()
        emit(changes, ["change", "severity", "email", "name", "fields"], fmt)


events_app = typer.Typer(help="Events: what a person may be told of (alerts deliver them).", no_args_is_help=True)


def _summary(data) -> str:
    if isinstance(data, events.PeopleChanged) and data.baseline:
        return f"first check: {data.counts.added} found (task {data.task_id})"
    if isinstance(data, events.PeopleChanged):
        return f"+{data.counts.added} ~{data.counts.changed} -{data.counts.removed} (task {data.task_id})"
    if isinstance(data, events.CheckBlocked):
        return f"{data.reason} (task {data.task_id})"
    if isinstance(data, events.NeedsAttention):
        return f"{data.code}: {data.reason}"
    if isinstance(data, events.Onboarded):
        return f"monitor account {data.monitor_account_email}"
    if isinstance(data, events.Disconnected):
        return f"by {data.by}"
    return headline(data)  # an alert destination's own events


@events_app.command("list")
def list_events(workspace: Workspace = None, partner: PartnerFilter = None, limit: Limit = 50,
                output: Output = OutputFormat.table, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """List events, newest first: a check's changes, a blocked check, a partner needing attention,
    onboarded or disconnected, and an alert destination's own troubles (exhausted, disabled). JSON gives each as delivered (docs/EVENTS.md)."""
    fmt = output_format(output, as_json, as_csv)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        partner_id = partners.resolve(session, ws.id, partner).id if partner else None
        found = [events.envelope(e) for e in events.list_events(session, ws.id, partner_id, limit)]
    if fmt in (OutputFormat.json, OutputFormat.jsonl):
        emit([e.model_dump(mode="json") for e in found], list(events.EventEnvelope.model_fields), fmt)
        return
    emit([{"at": e.timestamp, "type": e.type, "severity": e.severity, "summary": _summary(e.data), "id": e.id,
           **({"partner": p.business_id, "partner_name": p.name} if (p := getattr(e.data, "partner", None)) else {})}
          for e in found],
         ["at", "type", "severity", "partner_name", "summary"] if fmt is OutputFormat.table else
         ["id", "at", "type", "severity", "partner", "partner_name", "summary"], fmt)

"""alerts add|list|remove|enable|rotate-secret|test|deliveries|replay: where events go, and the log of
every attempt to send them. Delivery itself is the worker's (its outbox relay and DeliverAlert)."""

from __future__ import annotations

import typer

from activities.outbox_relay import start_delivery
from alerting.senders import send
from models import alerts, audit, partners
from models.alerts import DestinationKind, Filters
from models.changes import Severity
from models.errors import Invalid
from models.events import EventType
from starter import context
from starter.options import AsCsv, AsJson, Limit, Output, OutputFormat, PartnerFilter, Workspace
from starter.output import emit, output_format, say
from workflows.deliver_alert.payloads import delivery_workflow_id

alerts_app = typer.Typer(help="Alerts: webhooks (Standard Webhooks), Slack and email, and their delivery log.",
                         no_args_is_help=True)

Name = typer.Argument(..., metavar="NAME", help="The destination's name (or id)")
LOG_COLUMNS = ["delivery", "destination", "kind", "event", "event_type", "delivery_status", "replay_of", "attempt",
               "at", "outcome", "status_code", "ms", "detail"]
LOG_TABLE_COLUMNS = ["at", "destination", "event_type", "delivery", "attempt", "outcome", "status_code", "ms",
                     "delivery_status"]


@alerts_app.command("add")
def add(name: str = typer.Argument(..., metavar="NAME", help="A name for the destination, unique in the workspace"),
        workspace: Workspace = None,
        webhook: str | None = typer.Option(None, "--webhook", metavar="URL",
                                           help="A Standard Webhooks receiver: signed with a whsec_ secret shown once"),
        slack: bool = typer.Option(False, "--slack", help="A Slack incoming webhook: its URL (a credential, kept "
                                   "sealed) is read from stdin or PARTNERWATCH_SECRET_SLACK_URL, never argv"),
        email: list[str] = typer.Option([], "--email", metavar="ADDRESS", help="Send a digest per check to this address (repeatable)"),
        smtp: str | None = typer.Option(None, "--smtp", metavar="smtp://HOST:PORT", help="With --email: the SMTP server"),
        mail_from: str | None = typer.Option(None, "--from", metavar="ADDRESS", help="With --email: the sender"),
        types: list[EventType] = typer.Option([], "--type", metavar="EVENT_TYPE",
                                              help="Only these event types (repeatable; default: all)"),
        partner: PartnerFilter = None,
        min_severity: Severity = typer.Option(Severity.LOW, "--min-severity", case_sensitive=False,
                                              metavar="low|medium|high", help="Only events of this severity or more")) -> None:
    """Add a destination. Exactly one of --webhook, --slack or --email."""
    chosen = [kind for kind, given in ((DestinationKind.WEBHOOK, webhook), (DestinationKind.SLACK, slack),
                                       (DestinationKind.EMAIL, email)) if given]
    if len(chosen) != 1:
        raise Invalid("give exactly one of --webhook URL, --slack (its URL on stdin) or --email ADDRESS")
    if chosen[0] != DestinationKind.EMAIL and (smtp or mail_from):
        raise Invalid("--smtp and --from go with --email")
    with context.store() as session:
        ws = context.workspace(session, workspace)
        partner_id = partners.resolve(session, ws.id, partner).id if partner else None
        url = context.read_slack_url() if slack else webhook
        dest, secret = alerts.add(session, context.vault(), ws.id, name, chosen[0], url=url, to=email,
                                  smtp=smtp, mail_from=mail_from,
                                  filters=Filters(event_types=list(types), partner_id=partner_id, min_severity=min_severity))
        audit.record(session, ws.id, "alerts.add", target=dest.name, by=context.actor(),
                     details={"kind": dest.kind, "destination_id": dest.id})
    say(f"Added {dest.kind} destination '{dest.name}' ({dest.id}) -> {dest.target}")
    if secret:
        # Shown this once, on the terminal only: the receiver needs it to verify signatures.
        say(f"Signing secret (shown once; give it to the receiver): {secret}")


def _filters(dest, business_ids: dict[str, str]) -> str:
    parts = [", ".join(dest.event_types) if dest.event_types else "all events"]
    if dest.partner_id:
        parts.append(f"partner {business_ids.get(dest.partner_id, dest.partner_id)}")
    parts.append(f">= {dest.min_severity}")
    return "; ".join(parts)


@alerts_app.command("list")
def list_(workspace: Workspace = None, output: Output = OutputFormat.table, as_json: AsJson = False,
          as_csv: AsCsv = False) -> None:
    """List destinations, their filters and whether they are enabled."""
    fmt = output_format(output, as_json, as_csv)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        by_id = {p.id: p.business_id for p in partners.list_for(session, ws.id)}
        rows = [{"name": d.name, "kind": d.kind, "target": d.target,
                 "filters": _filters(d, by_id),
                 "status": "enabled" if d.enabled else f"disabled: {d.disabled_reason}",
                 "failing_since": d.failing_since, "rotating_until": d.previous_secret_until
                 if d.previous_secret_until and d.previous_secret else None, "id": d.id}
                for d in alerts.list_for(session, ws.id)]
    emit(rows, ["name", "kind", "target", "filters", "status", "failing_since"] if fmt is OutputFormat.table
         else ["id", "name", "kind", "target", "filters", "status", "failing_since", "rotating_until"], fmt)


@alerts_app.command("remove")
def remove(name: str = Name, workspace: Workspace = None) -> None:
    """Remove a destination: its secrets are destroyed, its delivery log stays, and deliveries still
    waiting are cancelled."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        dest = alerts.get(session, ws.id, name)
        alerts.remove(session, dest)
        audit.record(session, ws.id, "alerts.remove", target=dest.name, by=context.actor(),
                     details={"destination_id": dest.id})
    say(f"Removed destination '{dest.name}'; its delivery log stays")


@alerts_app.command("enable")
def enable(name: str = Name, workspace: Workspace = None) -> None:
    """Turn a disabled destination (410 Gone, or 5 days of failures) back on. Events from now on reach
    it; `alerts replay` sends what it missed."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        dest = alerts.get(session, ws.id, name)
        alerts.enable(session, dest)
        audit.record(session, ws.id, "alerts.enable", target=dest.name, by=context.actor(),
                     details={"destination_id": dest.id})
    say(f"Enabled destination '{dest.name}'")


@alerts_app.command("rotate-secret")
def rotate_secret(name: str = Name, workspace: Workspace = None,
                  overlap: str = typer.Option("24h", "--overlap", metavar="DURATION",
                                              help="How long the old secret keeps signing beside the new one")) -> None:
    """A new signing secret for a webhook. Until --overlap ends every message carries two signatures,
    so that the receiver can switch to the new secret whenever it likes."""
    keep = context.duration(overlap)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        dest = alerts.get(session, ws.id, name)
        secret = alerts.rotate_secret(session, context.vault(), dest, keep)
        audit.record(session, ws.id, "alerts.rotate_secret", target=dest.name, by=context.actor(),
                     details={"destination_id": dest.id, "overlap_s": keep.total_seconds()})
    say(f"New signing secret for '{dest.name}' (shown once): {secret}")
    say(f"The previous secret signs too until {dest.previous_secret_until:%Y-%m-%d %H:%M} UTC")


@alerts_app.command("test")
def test(name: str = Name, workspace: Workspace = None) -> None:
    """Send an `alert.test` event to a destination now, once, and say how it answered (nothing is
    stored or retried). Exits 1 when it was not delivered."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        dest = alerts.get(session, ws.id, name)
        target = alerts.opened(session, context.vault(), dest)
        event = alerts.test_event(dest)
    attempt = send(target, event)
    say(f"{dest.name}: {attempt.outcome} ({attempt.detail}) in {attempt.duration_ms} ms")
    if attempt.outcome != alerts.AttemptOutcome.DELIVERED:
        raise typer.Exit(1)


@alerts_app.command("deliveries")
def deliveries(workspace: Workspace = None,
               destination: str | None = typer.Option(None, "--destination", metavar="NAME", help="Only this destination"),
               event: str | None = typer.Option(None, "--event", metavar="EVENT_ID", help="Only this event"),
               delivery: str | None = typer.Option(None, "--delivery", metavar="DELIVERY_ID", help="Only this delivery"),
               limit: Limit = 100, output: Output = OutputFormat.table, as_json: AsJson = False,
               as_csv: AsCsv = False) -> None:
    """The delivery log: each attempt, newest delivery first, with its outcome, status code and time.
    A delivery not tried yet shows once, with no attempt."""
    fmt = output_format(output, as_json, as_csv)
    with context.store() as session:
        ws = context.workspace(session, workspace)
        destination_id = alerts.get(session, ws.id, destination).id if destination else None
        found = alerts.delivery_log(session, ws.id, destination_id, event, delivery, limit)
    rows = [{"delivery": f.delivery.id, "destination": f.destination.name, "kind": f.destination.kind,
             "event": f.event.id, "event_type": f.event.type, "delivery_status": f.delivery.status,
             "replay_of": f.delivery.replay_of,
             "attempt": f.attempt.number if f.attempt else None, "at": f.attempt.at if f.attempt else None,
             "outcome": f.attempt.outcome if f.attempt else "not tried yet",
             "status_code": f.attempt.status_code if f.attempt else None,
             "ms": f.attempt.duration_ms if f.attempt else None, "detail": f.attempt.detail if f.attempt else ""}
            for f in found]
    emit(rows, LOG_TABLE_COLUMNS if fmt is OutputFormat.table else LOG_COLUMNS, fmt)


@alerts_app.command("replay")
def replay(delivery_id: str = typer.Argument(..., metavar="DELIVERY", help="A delivery id from `alerts deliveries`"),
           workspace: Workspace = None) -> None:
    """Send a delivery's event to its destination again, as a new delivery with its own attempts."""
    with context.store() as session:
        ws = context.workspace(session, workspace)
        copy = alerts.replay(session, ws.id, delivery_id)
        audit.record(session, ws.id, "alerts.replay", target=delivery_id, by=context.actor(),
                     details={"delivery_id": copy.id})

    async def go() -> None:
        await start_delivery(await context.temporal(), context.settings().task_queue, copy.id, ws.id)

    context.run(go())
    with context.store() as session:
        alerts.mark_started(session, [copy.id])
    say(f"Replaying {delivery_id} as delivery {copy.id} (workflow {delivery_workflow_id(copy.id)}); "
        f"follow it: partnerwatch alerts deliveries --delivery {copy.id}")

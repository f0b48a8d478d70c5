"""What each kind of destination receives for an event: a webhook the envelope as JSON; Slack a
readable message (partner, counts, the high-severity lines); email a digest of the whole check."""

from __future__ import annotations

from models.changes import Severity
from models.events import (
    AlertTest, CheckBlocked, DeliveryExhausted, DestinationDisabled, Disconnected, EventEnvelope, NeedsAttention, Onboarded,
    PeopleChanged, PersonDiff, RemovalEscalated, RemovalFulfilled, RemovalRequested, ReminderStage, ReviewClosed,
    ReviewReminder,
)

# Slack shows at most this many people; the rest are one line pointing at the CLI.
SLACK_LINES = 10


def webhook_body(event: EventEnvelope) -> str:
    """The Standard Webhooks payload: `type`, `timestamp` and `data`, with our id, workspace and severity."""
    return event.model_dump_json()


def _who(data) -> str:
    partner = getattr(data, "partner", None)
    return f"{partner.name} ({partner.business_id})" if partner else "partnerwatch"


def _counts(data: PeopleChanged | CheckBlocked) -> str:
    c = data.counts
    return f"{c.added} added, {c.changed} changed, {c.removed} removed"


def everyone(data: PeopleChanged) -> str:
    """The command that lists every person an event names only some of."""
    if data.baseline:
        return f"partnerwatch users list --partner {data.partner.business_id}"
    return f"partnerwatch changes list --task {data.task_id}"


def person_line(person: PersonDiff) -> str:
    fields = "; ".join(f"{f.field}: {f.before or '—'} → {f.after or '—'}" for f in person.fields)
    return f"{person.change} {person.email}" + (f" ({fields})" if fields else "")


def _plural(n: int, thing: str) -> str:
    return f"{n} {thing}" + ("" if n == 1 else "s")


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


def headline(data) -> str:
    """One line that says what an event's data tells, for a Slack message's first line and an email's subject."""
    who = _who(data)
    if isinstance(data, PeopleChanged) and data.baseline:
        return f"{who}: first check, {_people(data.counts.added)} found"
    if isinstance(data, PeopleChanged):
        return f"{who}: {_counts(data)}"
    if isinstance(data, CheckBlocked):
        return f"{who}: a check is held for review ({_counts(data)})"
    if isinstance(data, NeedsAttention):
        return f"{who} needs attention: {data.code}"
    if isinstance(data, Onboarded):
        return f"{who} is onboarded (monitor account {data.monitor_account_email})"
    if isinstance(data, Disconnected):
        return f"{who} was disconnected by {data.by}"
    if isinstance(data, DeliveryExhausted):
        return f"Alert destination '{data.destination.name}' missed a {data.event_type} event after {data.attempts} attempts"
    if isinstance(data, DestinationDisabled):
        return f"Alert destination '{data.destination.name}' was disabled: {data.reason}"
    if isinstance(data, AlertTest):
        return f"Test of alert destination '{data.destination.name}'"
    if isinstance(data, ReviewReminder):
        due = f"{data.campaign.due_at:%Y-%m-%d}"
        if data.stage == ReminderStage.OPENED:
            return f"Access review {data.campaign.id}: {_people(data.undecided)} to review by {due}"
        if data.fallback:
            return (f"Access review {data.campaign.id} is past due: as its fallback reviewer, "
                    f"{_people(data.undecided)} wait for you")
        return f"Access review {data.campaign.id} ({data.stage}, due {due}): {_people(data.undecided)} wait for your decision"
    if isinstance(data, RemovalRequested):
        return f"{who}: please remove {_people(len(data.requests))} from the company's assets (access review {data.campaign.id})"
    if isinstance(data, RemovalEscalated):
        return (f"{who}: {_plural(len(data.requests), 'removal request')} still open after {data.open_days:g} days "
                f"(access review {data.campaign.id})")
    if isinstance(data, RemovalFulfilled):
        return f"{who}: {data.request.email} was removed as requested ({data.reason})"
    if isinstance(data, ReviewClosed):
        return f"Access review {data.campaign.id} closed: {data.kept} kept, {data.revoked} revoked"
    return f"{who}: {data.type}"


def _details(event: EventEnvelope) -> list[str]:
    data = event.data
    if isinstance(data, CheckBlocked | NeedsAttention | DestinationDisabled):
        return [data.reason]
    if isinstance(data, AlertTest):
        return [data.message]
    if isinstance(data, DeliveryExhausted):
        return [f"last error: {data.last_error}", f"send it again: partnerwatch alerts replay {data.delivery_id}"]
    if isinstance(data, RemovalRequested | RemovalEscalated):
        lines = ["The company's access review decided that these people should no longer reach its assets:"]
        lines += [f"- {r.email}" + (f": {r.justification}" if getattr(r, "justification", None) else "")
                  for r in data.requests]
        lines += ["Remove them from the company's assets (or from your Business Manager); the next check closes each request."]
        return lines
    if isinstance(data, ReviewReminder):
        return [f"Decide: partnerwatch reviews show {data.campaign.id}, or the console's Reviews page.",
                f"Undecided items get the campaign's no-response action at {data.campaign.deadline_at:%Y-%m-%d %H:%M} UTC."]
    if isinstance(data, ReviewClosed) and data.open_requests:
        return [f"{_plural(data.open_requests, 'removal request')} still open; checks close them as people go."]
    return []


def slack_message(event: EventEnvelope) -> dict:
    """An incoming webhook's JSON: `text` (also the notification's fallback), in Slack's mrkdwn."""
    lines = [f"*{headline(event.data)}* ({event.severity})"]
    data = event.data
    if isinstance(data, PeopleChanged):
        high = [p for p in data.people if p.severity == Severity.HIGH]
        lines += [f"• {person_line(p)}" for p in high[:SLACK_LINES]]
        rest = len(high) - SLACK_LINES
        if rest > 0 or data.truncated:
            lines.append(f"… and more: `{everyone(data)}`")
    lines += _details(event)
    return {"text": "\n".join(lines)}


def email_digest(event: EventEnvelope) -> tuple[str, str]:
    """(subject, plain-text body): for a check, every person it carries, most severe first."""
    lines = [headline(event.data), ""]
    data = event.data
    if isinstance(data, PeopleChanged):
        lines += [f"[{p.severity}] {person_line(p)}" for p in data.people]
        if data.truncated:
            lines.append(f"… more than {len(data.people)} people changed.")
        lines += ["", f"All of them: {everyone(data)}"]
    lines += _details(event)
    lines += ["", f"Event {event.id} ({event.type}) at {event.timestamp.isoformat()}"]
    return f"[partnerwatch] {headline(event.data)}", "\n".join(lines) + "\n"

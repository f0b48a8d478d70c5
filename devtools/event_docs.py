"""Writes docs/EVENTS.md from models/events.py: each event's JSON Schema and an example, so that the
document can never say other than the code (tests/test_event_docs.py checks it is current).

    python -m devtools.event_docs > docs/EVENTS.md
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from models import events
from models.changes import Severity

PARTNER = events.PartnerRef(id="pt_816b77dc72b7", business_id="549755813002", name="Northwind Media")
DESTINATION = events.DestinationRef(id="dst_3a9e41c07b22", name="security-siem", kind="webhook")
AT = datetime(2026, 11, 29, 9, 30, tzinfo=timezone.utc)
CAMPAIGN = events.CampaignRef(id="rev_5be0c2a1d9f3", due_at=datetime(2026, 12, 13, 9, 30, tzinfo=timezone.utc),
                              deadline_at=datetime(2026, 12, 20, 9, 30, tzinfo=timezone.utc))

EXAMPLES = [
    events.PeopleChanged(
        partner=PARTNER, task_id="task_ba3236e6389e", severity=Severity.HIGH,
        counts=events.Counts(added=1, changed=1, removed=1, listed=11),
        people=[
            events.PersonDiff(email="new.hire@northwind.example", change="added", severity=Severity.MEDIUM, fields=[
                events.FieldDiff(field="name", before=None, after="Nadia Novák"),
                events.FieldDiff(field="role", before=None, after="Employee"),
                events.FieldDiff(field="status", before=None, after="Active"),
                events.FieldDiff(field="asset Acme on Pinterest (549764000103)", before=None, after="Analyst")]),
            events.PersonDiff(email="zoe@northwind.example", change="changed", severity=Severity.HIGH, fields=[
                events.FieldDiff(field="asset Acme US Ads (549764000101)", before="Analyst", after="Admin")]),
            events.PersonDiff(email="jose@northwind.example", change="removed", severity=Severity.LOW, fields=[
                events.FieldDiff(field="name", before="José Núñez", after=None),
                events.FieldDiff(field="role", before="Employee", after=None),
                events.FieldDiff(field="status", before="Active", after=None),
                events.FieldDiff(field="asset Acme US Ads (549764000101)", before="Campaign", after=None)]),
        ]),
    events.CheckBlocked(
        partner=PARTNER, task_id="task_4c1f0e2a9b7d",
        reason="The check would remove 9 of 12 people (over 20%); a person must approve or reject it.",
        counts=events.Counts(added=0, changed=0, removed=9, listed=3)),
    events.NeedsAttention(
        partner=PARTNER, code="BadCredentials", task_id="task_77aa01be52c3",
        reason="The site refused the monitor account's password."),
    events.Onboarded(partner=PARTNER, monitor_account_email="monitor@northwind.example"),
    events.Disconnected(partner=PARTNER, by="cli:maria"),
    events.DeliveryExhausted(
        destination=DESTINATION, delivery_id="dlv_0c3e5f7a9b1d", event_id="evt_5d2c9a81f0e4",
        event_type=events.EventType.PEOPLE_CHANGED, attempts=8, last_error="503 Service Unavailable", partner=PARTNER),
    events.DestinationDisabled(destination=DESTINATION, reason="it answered 410 Gone"),
    events.AlertTest(destination=DESTINATION),
    events.ReviewReminder(campaign=CAMPAIGN, stage=events.ReminderStage.DUE_SOON, to=["maria@acme.example"], undecided=7),
    events.RemovalRequested(
        partner=PARTNER, campaign=CAMPAIGN, decided_by="maria@acme.example", to=["admin@northwind.example"],
        requests=[events.RequestRef(id="rr_5be0c2a1d9f3_12", email="jose@northwind.example",
                                    justification="Left the Acme account in October")]),
    events.RemovalEscalated(
        partner=PARTNER, campaign=CAMPAIGN, to=["admin@northwind.example", "maria@acme.example"], open_days=7,
        requests=[events.RequestRef(id="rr_5be0c2a1d9f3_12", email="jose@northwind.example")]),
    events.RemovalFulfilled(
        partner=PARTNER, campaign_id=CAMPAIGN.id, request=events.RequestRef(id="rr_5be0c2a1d9f3_12", email="jose@northwind.example"),
        task_id="task_e1d2c3b4a596", reason="no longer on the partner's Members list"),
    events.ReviewClosed(campaign=CAMPAIGN, kept=10, revoked=1, open_requests=1),
]

INTRO = """# Events

What partnerwatch records when something happens to a partner that a person may want to be told
of. Each is written to the store's outbox (the `event` table) in the same transaction as the change
it reports, so that none is lost and none reports a change that did not happen. `partnerwatch events
list -w W [--json]` lists them. They carry a thin diff (ids, emails, the fields that changed) and never
a secret: no password, TOTP secret, session or key is in any event.

| type | when | severity |
| --- | --- | --- |
| `partner.people.changed` | a check applied a diff with at least one person added, changed or removed (once per check, also after an approved block); it names at most 100 people, the most severe first, and says when there were more; a partner's first check has `baseline` set, counts everyone it found as added, and names the high ones first | the highest of its people's: high for a new `Admin` on an asset or a new `Manager`; medium for a new person or another escalation; low for a removal or a change that grants nothing more |
| `partner.check.blocked` | the removal safeguard held a check for a person to approve or reject | high |
| `partner.needs_attention` | a lasting fault needs a person (told when the partner's reason changes, not on every check that finds it again) | high |
| `partner.onboarded` | a monitor account connected and the partner became `Onboarded` | low |
| `partner.disconnected` | a person disconnected the partner | low |
| `alert.delivery.exhausted` | every attempt to deliver an event to a destination failed (8 attempts over about 28 hours); sent to the workspace's other destinations | high |
| `alert.destination.disabled` | a destination answered 410 Gone, or failed every attempt for 5 days, and was switched off | high |
| `alert.test` | `partnerwatch alerts test NAME` (sent at once, never stored) | low |

Each is delivered in an envelope shaped as the Standard Webhooks specification suggests (`type`,
`timestamp`, `data`), with partnerwatch's `id`, `workspace_id` and `severity`; docs/ALERTS.md says how
destinations receive them (signatures, retries, the delivery log). This file is
generated from `models/events.py` by `python -m devtools.event_docs`; `tests/test_event_docs.py` fails
when it is out of date.
"""


def render() -> str:
    parts = [INTRO, "## The envelope\n", "```json\n" + json.dumps(events.EventEnvelope.model_json_schema(), indent=2,
                                                                   ensure_ascii=False) + "\n```\n"]
    for example in EXAMPLES:
        model = type(example)
        envelope = events.EventEnvelope(id="evt_5d2c9a81f0e4", type=example.type, timestamp=AT,
                                        workspace_id="ws_f4ebc1c7dab5", severity=events.severity_of(example), data=example)
        parts += [f"## `{example.type}`\n", (model.__doc__ or "").strip() + "\n" if model.__doc__ else "",
                  "Schema of `data`:\n", "```json\n" + json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False)
                  + "\n```\n", "Example, as delivered:\n",
                  "```json\n" + json.dumps(envelope.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n```\n"]
    return "\n".join(p for p in parts if p)


if __name__ == "__main__":
    print(render(), end="")

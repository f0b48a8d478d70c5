"""One attempt against real receivers on loopback: signatures that the `standardwebhooks` package
verifies (two during a rotation), what counts as delivered, Retry-After, 410, a slow receiver, no
receiver at all, Slack's message and the email digest. Nothing logged names a URL or a secret."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from alerting.render import email_digest, slack_message
from alerting.senders import send
from devtools.event_docs import EXAMPLES
from models.alerts import OpenedDestination, new_signing_secret
from models.changes import Severity
from models.events import EventEnvelope, severity_of
from models.statuses import AttemptOutcome
from models.alerts import DestinationKind
from tests.receivers import Answer, HttpReceiver, SmtpReceiver, free_port

PEOPLE_CHANGED = EXAMPLES[0]  # +1 ~1 -1 at Northwind, as docs/EVENTS.md shows it


def envelope(data=PEOPLE_CHANGED) -> EventEnvelope:
    return EventEnvelope(id="evt_0123456789ab", type=data.type, timestamp=datetime.now(timezone.utc),
                         workspace_id="ws_1", severity=severity_of(data), data=data)


def webhook(url: str, *secrets: str) -> OpenedDestination:
    return OpenedDestination(id="dst_1", name="siem", kind=DestinationKind.WEBHOOK, url=url, signing_secrets=list(secrets))


def test_a_webhook_is_signed_as_the_specification_says():
    secret = new_signing_secret()
    with HttpReceiver() as receiver:
        attempt = send(webhook(receiver.url, secret), envelope())
    assert (attempt.outcome, attempt.status_code) == (AttemptOutcome.DELIVERED, 200)
    [payload] = receiver.verified(secret)
    assert payload["type"] == "partner.people.changed" and payload["data"]["counts"]["added"] == 1
    headers = receiver.received[0].headers
    assert headers["webhook-id"] == "evt_0123456789ab" and headers["content-type"] == "application/json"
    assert headers["webhook-signature"].startswith("v1,") and " " not in headers["webhook-signature"]
    with pytest.raises(WebhookVerificationError):
        Webhook(new_signing_secret()).verify(receiver.received[0].body, headers)
    tampered = receiver.received[0].body.replace(b'"added":1', b'"added":0')
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, headers)


def test_during_a_rotation_both_secrets_verify():
    new, old = new_signing_secret(), new_signing_secret()
    with HttpReceiver() as receiver:
        send(webhook(receiver.url, new, old), envelope())
    assert len(receiver.received[0].headers["webhook-signature"].split(" ")) == 2
    assert receiver.verified(new) == receiver.verified(old)


@pytest.mark.parametrize("answer, outcome, retry", [
    (Answer(204), AttemptOutcome.DELIVERED, None),
    (Answer(503, {"Retry-After": "120"}), AttemptOutcome.FAILED, 120.0),
    (Answer(429, {"Retry-After": "Fri, 01 Jan 2100 00:00:00 GMT"}), AttemptOutcome.FAILED, "far"),
    (Answer(302, {"Location": "http://127.0.0.1:1/elsewhere"}), AttemptOutcome.FAILED, None),
    (Answer(410), AttemptOutcome.GONE, None),
    (Answer(400), AttemptOutcome.FAILED, None),
])
def test_only_a_2xx_is_delivered(answer, outcome, retry):
    with HttpReceiver([answer]) as receiver:
        attempt = send(webhook(receiver.url, new_signing_secret()), envelope())
    assert attempt.outcome == outcome and attempt.status_code == answer.status
    assert attempt.retry_after_s > 10**9 if retry == "far" else attempt.retry_after_s == retry
    assert len(receiver.received) == 1  # a redirect is not followed


def test_a_receiver_slower_than_the_limit_is_a_timeout_and_no_receiver_is_unreachable():
    with HttpReceiver([Answer(200, delay_s=3)]) as receiver:
        slow = send(webhook(receiver.url, new_signing_secret()), envelope(), timeout_s=1)
    assert (slow.outcome, slow.status_code, slow.detail) == (AttemptOutcome.TIMEOUT, None, "no answer within 1 s")
    assert 900 <= slow.duration_ms < 2900
    gone = send(webhook(f"http://127.0.0.1:{free_port()}/hook?token=sekrit", new_signing_secret()), envelope())
    assert gone.outcome == AttemptOutcome.UNREACHABLE and "sekrit" not in gone.detail and "127.0.0.1" not in gone.detail


def test_slack_gets_a_readable_message_with_the_high_severity_lines():
    slack = OpenedDestination(id="dst_2", name="chat", kind=DestinationKind.SLACK)
    with HttpReceiver() as receiver:
        slack.url = receiver.url
        assert send(slack, envelope()).outcome == AttemptOutcome.DELIVERED
    text = __import__("json").loads(receiver.received[0].body)["text"]
    assert text.splitlines() == [
        "*Northwind Media (549755813002): 1 added, 1 changed, 1 removed* (high)",
        "• changed zoe@northwind.example (asset Acme US Ads (549764000101): Analyst → Admin)"]
    assert "webhook-signature" not in receiver.received[0].headers
    assert slack_message(envelope(EXAMPLES[2]))["text"].startswith("*Northwind Media (549755813002) needs attention: BadCredentials*")


def test_email_is_a_digest_of_the_check():
    with SmtpReceiver() as smtp:
        mail = OpenedDestination(id="dst_3", name="secops", kind=DestinationKind.EMAIL, url=smtp.url,
                                 recipients=["secops@acme.example", "ciso@acme.example"], mail_from="pw@acme.example")
        attempt = send(mail, envelope())
    assert (attempt.outcome, attempt.status_code) == (AttemptOutcome.DELIVERED, 250)
    [message] = smtp.messages
    assert smtp.envelopes == [("pw@acme.example", ["secops@acme.example", "ciso@acme.example"])]
    assert message["Subject"] == "[partnerwatch] Northwind Media (549755813002): 1 added, 1 changed, 1 removed"
    body = message.get_payload(decode=True).decode()
    assert body.splitlines()[2:5] == [  # in the event's order (a real event's is the most severe first)
        "[medium] added new.hire@northwind.example (name: — → Nadia Novák; role: — → Employee; status: — → Active; "
        "asset Acme on Pinterest (549764000103): — → Analyst)",
        "[high] changed zoe@northwind.example (asset Acme US Ads (549764000101): Analyst → Admin)",
        "[low] removed jose@northwind.example (name: José Núñez → —; role: Employee → —; status: Active → —; "
        "asset Acme US Ads (549764000101): Campaign → —)"]
    assert "partnerwatch changes list --task task_ba3236e6389e" in body
    assert email_digest(envelope())[0] == message["Subject"]
    nobody = OpenedDestination(id="dst_4", name="x", kind=DestinationKind.EMAIL, url=f"smtp://127.0.0.1:{free_port()}",
                               recipients=["a@b.example"], mail_from="pw@acme.example")
    assert send(nobody, envelope()).outcome == AttemptOutcome.UNREACHABLE


def test_every_event_renders():
    for data in EXAMPLES:
        assert slack_message(envelope(data))["text"] and email_digest(envelope(data))[1]
    assert severity_of(EXAMPLES[0]) == Severity.HIGH

"""One attempt to send one event to one destination. Success is a 2xx within `timeout_s` (15 s), or an
SMTP server that takes the message. What is logged of an attempt is its status code, its time and a
short reason: never a body, a URL (a Slack URL is a credential) or a secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import socket
import ssl
import time
from email import policy
from email.message import EmailMessage

import httpx

from common.retry_after import retry_after_s
from alerting.render import email_digest, slack_message, webhook_body
from models.alerts import SECRET_PREFIX, AttemptOutcome, AttemptRecord, DestinationKind, OpenedDestination, smtp_server
from models.events import EventEnvelope

TIMEOUT_S = 15.0
USER_AGENT = "partnerwatch-alerts/1"


def sign(secrets: list[str], msg_id: str, timestamp: int, body: str) -> str:
    """Standard Webhooks: `v1,<base64 HMAC-SHA256 of id.timestamp.body>` per secret, space-separated
    (two while a secret rotates). The key is the secret's base64 part, decoded."""
    signed = f"{msg_id}.{timestamp}.{body}".encode()
    return " ".join(
        "v1," + base64.b64encode(hmac.new(base64.b64decode(secret.removeprefix(SECRET_PREFIX)), signed,
                                          hashlib.sha256).digest()).decode()
        for secret in secrets)


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def post(url: str, body: str, headers: dict[str, str], timeout_s: float = TIMEOUT_S) -> AttemptRecord:
    started = time.monotonic()
    try:
        with httpx.Client(timeout=timeout_s, follow_redirects=False) as client:
            response = client.post(url, content=body.encode(), headers={
                "content-type": "application/json", "user-agent": USER_AGENT, **headers})
    except httpx.TimeoutException:
        return AttemptRecord(AttemptOutcome.TIMEOUT, _elapsed_ms(started), detail=f"no answer within {timeout_s:g} s")
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:
        # The class name only: httpx's messages can carry the URL (a Slack URL is a credential).
        return AttemptRecord(AttemptOutcome.UNREACHABLE, _elapsed_ms(started), detail=type(error).__name__)
    took = _elapsed_ms(started)
    code = response.status_code
    if took > timeout_s * 1000:
        return AttemptRecord(AttemptOutcome.TIMEOUT, took, code, detail=f"{code} after more than {timeout_s:g} s")
    if 200 <= code < 300:
        return AttemptRecord(AttemptOutcome.DELIVERED, took, code, detail=f"{code}")
    outcome = AttemptOutcome.GONE if code == 410 else AttemptOutcome.FAILED
    return AttemptRecord(outcome, took, code, retry_after_s(response.headers.get("retry-after")),
                         detail=f"{code} {response.reason_phrase}".strip())


def send_webhook(dest: OpenedDestination, event: EventEnvelope, timeout_s: float = TIMEOUT_S) -> AttemptRecord:
    body = webhook_body(event)
    # The message id is the event's: a receiver that saw it already (an earlier attempt it answered
    # too slowly) can tell. A new timestamp each attempt: receivers refuse old ones.
    timestamp = int(time.time())
    return post(dest.url, body, {"webhook-id": event.id, "webhook-timestamp": str(timestamp),
                                 "webhook-signature": sign(dest.signing_secrets, event.id, timestamp, body)}, timeout_s)


def send_slack(dest: OpenedDestination, event: EventEnvelope, timeout_s: float = TIMEOUT_S) -> AttemptRecord:
    return post(dest.url, json.dumps(slack_message(event)), {}, timeout_s)


def mail(smtp_url: str, message: EmailMessage, timeout_s: float = TIMEOUT_S) -> AttemptRecord:
    """Hands one message to an SMTP server (smtp://host:port), with STARTTLS when it offers it."""
    host, port = smtp_server(smtp_url)
    started = time.monotonic()
    try:
        with smtplib.SMTP(host, port, timeout=timeout_s) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            smtp.send_message(message)
    except (socket.timeout, TimeoutError):
        return AttemptRecord(AttemptOutcome.TIMEOUT, _elapsed_ms(started), detail=f"no answer within {timeout_s:g} s")
    except smtplib.SMTPRecipientsRefused as refused:
        codes = sorted({code for code, _ in refused.recipients.values()})
        return AttemptRecord(AttemptOutcome.FAILED, _elapsed_ms(started), codes[0] if codes else None,
                             detail=f"SMTP refused every recipient ({', '.join(map(str, codes))})")
    except smtplib.SMTPResponseException as error:
        return AttemptRecord(AttemptOutcome.FAILED, _elapsed_ms(started), error.smtp_code,
                             detail=f"SMTP {error.smtp_code}")
    except (smtplib.SMTPException, OSError) as error:
        return AttemptRecord(AttemptOutcome.UNREACHABLE, _elapsed_ms(started), detail=type(error).__name__)
    return AttemptRecord(AttemptOutcome.DELIVERED, _elapsed_ms(started), 250, detail="250 accepted")


def new_message(subject: str, sender: str, recipients: list[str], text: str, message_id: str) -> EmailMessage:
    # Long subjects stay on one line (RFC 5322 allows 998 characters); the default folding would start
    # the subject on a continuation line, which some clients show with a leading space.
    message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
    message["Subject"], message["From"], message["To"] = subject, sender, ", ".join(recipients)
    message["Message-ID"] = message_id
    message.set_content(text)
    return message


def send_email(dest: OpenedDestination, event: EventEnvelope, timeout_s: float = TIMEOUT_S) -> AttemptRecord:
    subject, text = email_digest(event)
    return mail(dest.url, new_message(subject, dest.mail_from, dest.recipients, text, f"<{event.id}.{dest.id}@partnerwatch>"),
                timeout_s)


SENDERS = {DestinationKind.WEBHOOK: send_webhook, DestinationKind.SLACK: send_slack, DestinationKind.EMAIL: send_email}


def send(dest: OpenedDestination, event: EventEnvelope, timeout_s: float = TIMEOUT_S) -> AttemptRecord:
    return SENDERS[dest.kind](dest, event, timeout_s)

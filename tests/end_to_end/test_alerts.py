"""Alerts end to end: the CLI adds destinations, the worker's relay and DeliverAlert send a check's
+1 ~1 -1 to a Standard Webhooks receiver (verified by the `standardwebhooks` package), a Slack-shaped
receiver and an SMTP server, all real on loopback, and the delivery log shows it. Then receivers that
fail and recover, answer 410, or answer too slowly."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import (
    NORTHWIND, NORTHWIND_MONITOR, WS, completed_checks, json_of, ok, onboard, until, workspace_with_partners,
)
from tests.receivers import HttpReceiver, SmtpReceiver

pytestmark = pytest.mark.slow


def secret_of(output: str) -> str:
    return re.search(r"(whsec_[A-Za-z0-9+/=]+)", output)[1]


def member(email, name, assets, **extra):
    return {"business_id": NORTHWIND, "email": email, "name": name, "role": "Employee", "status": "Active",
            "last_active": "2026-11-27", "assets": [{"asset_id": a, "permission": p} for a, p in assets], **extra}


async def test_a_checks_changes_reach_a_webhook_slack_and_email_signed_and_logged(cli, worker, sim, capsys):
    await workspace_with_partners(cli)
    with HttpReceiver() as hook, HttpReceiver() as slack, SmtpReceiver() as smtp:
        secret = secret_of((await ok(cli, "alerts", "add", "siem", "-w", WS, "--webhook", hook.url)).out)
        slack_url = slack.url + "/T000/B000/XXXXSECRETXXXX"
        await ok(cli, "alerts", "add", "chat", "-w", WS, "--slack", "--type", "partner.people.changed", stdin=slack_url)
        await ok(cli, "alerts", "add", "secops", "-w", WS, "--email", "secops@acme.example", "--smtp", smtp.url,
                 "--from", "partnerwatch@acme.example", "--min-severity", "medium")
        listed = await json_of(cli, "alerts", "list", "-w", WS)
        assert [(d["name"], d["kind"], d["status"]) for d in listed] == [
            ("siem", "webhook", "enabled"), ("chat", "slack", "enabled"), ("secops", "email", "enabled")]
        assert "XXXXSECRETXXXX" not in json.dumps(listed)

        await onboard(cli, NORTHWIND, "admin@northwind.example", NORTHWIND_MONITOR)
        await completed_checks(cli, NORTHWIND)
        sim.put_member(member("new.hire@northwind.example", "Nadia Novák", [("549764000103", "Analyst")]))
        sim.delete_member(NORTHWIND, "jose@northwind.example")
        sim.put_member(member("zoe@northwind.example", "Zoë Ørsted-Łukasiewicz", [("549764000101", "Admin")],
                              last_active=None))
        result = await ok(cli, "partners", "check", "-w", WS, "-p", NORTHWIND, "--wait")
        assert "Completed: 1 added, 1 changed, 1 removed" in result.out
        task_id = (await json_of(cli, "tasks", "list", "-w", WS, "-p", NORTHWIND, "--limit", "1"))[0]["id"]

        def the_check(payloads):
            return [p for p in payloads if p["type"] == "partner.people.changed" and p["data"]["task_id"] == task_id]

        async def all_three():
            return (the_check(hook.verified(secret)) and slack.received and len(smtp.messages) >= 2) or None

        await until(all_three, 60, "the check's alerts at all three receivers")

    # The webhook: signed (verified above by standardwebhooks), exactly the check's changes.
    [told] = the_check(hook.verified(secret))
    assert told["data"]["counts"] == {"added": 1, "changed": 1, "removed": 1, "listed": 10}
    assert [(p["change"], p["email"], p["severity"]) for p in told["data"]["people"]] == [
        ("changed", "zoe@northwind.example", "high"), ("added", "new.hire@northwind.example", "medium"),
        ("removed", "jose@northwind.example", "low")]
    assert sorted(p["type"] for p in hook.verified(secret)) == [
        "partner.onboarded", "partner.people.changed", "partner.people.changed"]
    # Slack: only the type it asked for (the first import, then the check), readable.
    texts = [json.loads(r.body)["text"] for r in slack.received]
    assert len(texts) == 2 and texts[1].splitlines() == [
        "*Northwind Media (549755813002): 1 added, 1 changed, 1 removed* (high)",
        "• changed zoe@northwind.example (asset Acme US Ads (549764000101): Analyst → Admin)"]
    # Email: a digest per check at medium or more (the onboarding, low, is not sent).
    digest = smtp.messages[-1]
    assert digest["Subject"] == "[partnerwatch] Northwind Media (549755813002): 1 added, 1 changed, 1 removed"
    body = digest.get_content()
    for line in ("[high] changed zoe@northwind.example (asset Acme US Ads (549764000101): Analyst → Admin)",
                 "[medium] added new.hire@northwind.example", "[low] removed jose@northwind.example"):
        assert line in body
    assert len(smtp.messages) == 2

    # The delivery log: every delivery, each attempt with its status and time.
    log = await json_of(cli, "alerts", "deliveries", "-w", WS)
    event_id = told["id"]
    for_check = {(d["destination"], d["outcome"], d["status_code"], d["delivery_status"], d["attempt"])
                 for d in log if d["event"] == event_id}
    assert for_check == {("siem", "delivered", 200, "Delivered", 1), ("chat", "delivered", 200, "Delivered", 1),
                         ("secops", "delivered", 250, "Delivered", 1)}
    assert all(d["at"] and d["ms"] is not None for d in log) and len(log) == 3 + 2 + 2
    table = (await ok(cli, "alerts", "deliveries", "-w", WS, "--destination", "siem")).out
    assert table.count("delivered") == 3

    # No secret anywhere a person or a receiver sees, nor in the worker's log lines (this process's output).
    logged = capsys.readouterr()
    assert "alert.attempt" in logged.out
    seen = b"".join(r.body for r in hook.received + slack.received) + "".join(
        m.as_string() for m in smtp.messages).encode() + json.dumps(log).encode() + table.encode() + (
        logged.out + logged.err).encode()
    for secret_text in (secret, secret.removeprefix("whsec_"), "XXXXSECRETXXXX", NORTHWIND_MONITOR.password,
                        NORTHWIND_MONITOR.totp_secret):
        assert secret_text.encode() not in seen

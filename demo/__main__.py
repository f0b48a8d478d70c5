"""python -m demo [stop]: start the embedded services, then onboard a partner through the CLI."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time

from demo import services
from pinterest_sim.worlds.generate import COMPANY_ID, INTEGRATION_EMAIL, INTEGRATION_PASSWORD

SITE_PORT = int(os.environ.get("PARTNERWATCH_DEMO_SITE_PORT", "8765"))
TEMPORAL_PORT = int(os.environ.get("PARTNERWATCH_DEMO_TEMPORAL_PORT", "7233"))
UI_PORT = int(os.environ.get("PARTNERWATCH_DEMO_UI_PORT", "8233"))
CODEC_PORT = int(os.environ.get("PARTNERWATCH_DEMO_CODEC_PORT", "8081"))
METRICS_PORT = int(os.environ.get("PARTNERWATCH_DEMO_METRICS_PORT", "9464"))
RECEIVER_PORT = int(os.environ.get("PARTNERWATCH_DEMO_RECEIVER_PORT", "8766"))
CONSOLE_PORT = int(os.environ.get("PARTNERWATCH_DEMO_CONSOLE_PORT", "8070"))
MAILBOX_PORT = int(os.environ.get("PARTNERWATCH_DEMO_MAILBOX_PORT", "8025"))
CONSOLE_ADMIN = "security@acme.example"  # the company user who signs in to the console
WORKSPACE = "Acme Brands"
# The partner the demo onboards: its monitor account signs in with TOTP (the world file's fake data,
# played here by the partner's admin).
PARTNER, ADMIN = "549755813002", "admin@northwind.example"
MONITOR_EMAIL, MONITOR_SECRETS = "monitor@northwind.example", "Nw-Monitor-7f3!kq\nJBSWY3DPEHPK3PXP\n"

ENV = {
    "PARTNERWATCH_PINTEREST_URL": f"http://127.0.0.1:{SITE_PORT}",
    "TEMPORAL_ADDRESS": f"127.0.0.1:{TEMPORAL_PORT}",
    "PARTNERWATCH_TEMPORAL_UI_URL": f"http://localhost:{UI_PORT}",
    "PARTNERWATCH_METRICS_ADDRESS": f"127.0.0.1:{METRICS_PORT}",
    # Invitations are mailed to the demo's mailbox, with links to the demo's console.
    "PARTNERWATCH_SMTP_URL": f"smtp://127.0.0.1:{MAILBOX_PORT}",
    "PARTNERWATCH_WEB_PUBLIC_URL": f"http://127.0.0.1:{CONSOLE_PORT}",
}


def cli(*args: str, stdin: str | None = None, capture: bool = False) -> str:
    shown = " ".join(a if " " not in a else repr(a) for a in args)
    if not capture:
        print(f"\n$ partnerwatch {shown}", flush=True)
    result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "partnerwatch"), *args], input=stdin,
                            text=True, capture_output=capture, env={**os.environ, **ENV, "COLUMNS": "160"})
    if result.returncode != 0:
        raise SystemExit(f"demo: `partnerwatch {shown}` failed ({result.returncode})"
                         + (f": {result.stderr.strip()}" if capture else ""))
    return result.stdout if capture else ""


def partner_row() -> dict:
    return next(p for p in json.loads(cli("partners", "list", "-w", WORKSPACE, "--json", capture=True))
                if p["business_id"] == PARTNER)


def onboarding_step() -> str:
    return json.loads(cli("partners", "status", "-w", WORKSPACE, "-p", PARTNER, "--json", capture=True))[0]["step"]


def onboard() -> None:
    if partner_row()["status"] == "Onboarded":
        print(f"\nPartner {PARTNER} is already onboarded: nothing to redo.")
        return
    step = onboarding_step()
    if step.startswith("(no onboarding") or step.startswith("Invitation expired") or step == "Onboarded":
        cli("partners", "onboard", "-w", WORKSPACE, "-p", PARTNER, "--admin-email", ADMIN)
        step = _wait_step("Waiting for the partner's admin")
    if step.startswith("Waiting for the partner's admin"):
        print("\n# The partner's admin accepts the invitation (played by the demo):")
        cli("guests", "accept", "-w", WORKSPACE, "-p", PARTNER)
        step = onboarding_step()
    if step.startswith("Waiting for the partner to share"):
        print("\n# The partner's admin shares the monitor account's password and TOTP secret on stdin:")
        cli("monitor", "share", "-w", WORKSPACE, "-p", PARTNER, "--email", MONITOR_EMAIL, "--password-stdin",
            stdin=MONITOR_SECRETS)
    _wait_step("Waiting for a company user to select")
    print("\n# A company user selects it; partnerwatch signs in and checks its Manager role:")
    cli("monitor", "select", "-w", WORKSPACE, "-p", PARTNER, "--account", MONITOR_EMAIL)


def alerts_to_receiver() -> None:
    """A webhook destination for the demo's receiver, once; its signing secret goes to the file the
    receiver verifies with (a real receiver keeps it in its own secret store)."""
    if any(d["name"] == "demo-receiver" for d in json.loads(cli("alerts", "list", "-w", WORKSPACE, "--json", capture=True))):
        return
    print("\n# Events go to a webhook receiver that verifies their signatures:")
    print(f"$ partnerwatch alerts add demo-receiver -w '{WORKSPACE}' --webhook http://127.0.0.1:{RECEIVER_PORT}/hook")
    added = cli("alerts", "add", "demo-receiver", "-w", WORKSPACE, "--webhook", f"http://127.0.0.1:{RECEIVER_PORT}/hook",
                capture=True)
    services.WEBHOOK_SECRET.write_text(added.rsplit(": ", 1)[1].strip() + "\n")
    services.WEBHOOK_SECRET.chmod(0o600)
    print(added.splitlines()[0] + f"\n(its signing secret is in {services.WEBHOOK_SECRET})")


def console_admin() -> str:
    """The console's first admin, once; the password is made up on the first run and kept (mode 600)
    so that every run can say it again."""
    if not services.CONSOLE_ADMIN_PASSWORD.exists():
        services.CONSOLE_ADMIN_PASSWORD.parent.mkdir(parents=True, exist_ok=True)
        services.CONSOLE_ADMIN_PASSWORD.touch(mode=0o600)
        services.CONSOLE_ADMIN_PASSWORD.write_text(secrets.token_urlsafe(15) + "\n")
    password = services.CONSOLE_ADMIN_PASSWORD.read_text().strip()
    users = json.loads(cli("console-users", "list", "-w", WORKSPACE, "--json", capture=True))
    if not any(u["email"] == CONSOLE_ADMIN for u in users):
        cli("console-users", "add", CONSOLE_ADMIN, "-w", WORKSPACE, "--role", "admin", "--password-stdin",
            stdin=password + "\n")
    return password


def access_review() -> str:
    """One access review of the partner, opened on the first run and left open for a person to decide."""
    campaigns = json.loads(cli("reviews", "list", "-w", WORKSPACE, "--json", capture=True))
    if not campaigns:
        print("\n# An access review: the console's admin attests which of the partner's people keep access:")
        cli("reviews", "start", "-w", WORKSPACE, "-p", PARTNER, "--reviewer", CONSOLE_ADMIN, "--due", "14d",
            "--no-response", "keep")
        campaigns = json.loads(cli("reviews", "list", "-w", WORKSPACE, "--json", capture=True))
    campaign = campaigns[-1]["id"]
    cli("reviews", "show", campaign, "-w", WORKSPACE, "--flag", "admin")
    print(f"\n$ partnerwatch reviews export {campaign} -w '{WORKSPACE}' --format csv   (its first lines)")
    print("\n".join(cli("reviews", "export", campaign, "-w", WORKSPACE, "--format", "csv", capture=True).splitlines()[:3]))
    return campaign


def _wait_step(prefix: str, timeout_s: float = 60) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        step = onboarding_step()
        if step.startswith(prefix) or time.monotonic() > deadline:
            return step
        time.sleep(0.5)


def main(argv: list[str]) -> int:
    wanted = services.services(SITE_PORT, TEMPORAL_PORT, UI_PORT, CODEC_PORT, RECEIVER_PORT, CONSOLE_PORT, MAILBOX_PORT)
    if argv[:1] == ["stop"]:
        for service in reversed(wanted):
            print(f"{service.name}: {services.stop(service)}")
        return 0
    cli("keys", "init", capture=True)  # the vault's master key, mode 600, before anything stores a secret
    cli("db", "upgrade")  # the worker and the CLI refuse a store whose schema is behind
    for service in wanted:
        print(f"{service.name}: {services.start(service, ENV)}", flush=True)
    cli("workspace", "create", WORKSPACE, "--exist-ok")
    cli("integration", "add", "-w", WORKSPACE, "--business-id", COMPANY_ID, "--email", INTEGRATION_EMAIL,
        "--password-stdin", "--exist-ok", stdin=INTEGRATION_PASSWORD + "\n")
    cli("partners", "sync", "-w", WORKSPACE)
    password = console_admin()
    alerts_to_receiver()
    onboard()
    cli("partners", "check", "-w", WORKSPACE, "-p", PARTNER, "--wait")
    cli("events", "list", "-w", WORKSPACE, "--limit", "5")
    time.sleep(2)  # the worker's relay sends events about once a second
    cli("alerts", "deliveries", "-w", WORKSPACE, "--limit", "5")
    cli("partners", "list", "-w", WORKSPACE)
    cli("users", "list", "-w", WORKSPACE, "-p", PARTNER)
    cli("tasks", "list", "-w", WORKSPACE, "--limit", "5")
    campaign = access_review()
    print(f"""
Console:      http://127.0.0.1:{CONSOLE_PORT}  sign in as {CONSOLE_ADMIN} with {password}
              (its password is kept in {services.CONSOLE_ADMIN_PASSWORD}; the API: http://127.0.0.1:{CONSOLE_PORT}/api/docs)
              Try it: Partners → Globex's "More options" → Connect, invite admin@globex.example; the invitation
              lands in {services.LOGS}/mailbox.log: open its link in a private window to play Globex's admin
              and share its monitor account: watch@globex.example, password Gx-Watch-2026-long! (no TOTP)
Review:       http://127.0.0.1:{CONSOLE_PORT}/reviews/{campaign}  (keep or revoke each person; a revoke asks the
              partner's admin to remove them, and the next check closes the request once they are gone), or:
              partnerwatch reviews decide {campaign} revoke -w '{WORKSPACE}' --by {CONSOLE_ADMIN} --search jose --justification "Left"
Temporal UI:  http://localhost:{UI_PORT}  (workflows onboard-*, check-*, discover-*, review-*; schedules check-schedule-*)
              payloads are encrypted; the UI decodes them through the codec server at http://127.0.0.1:{CODEC_PORT}
Site:         http://127.0.0.1:{SITE_PORT}/login  (the simulated Pinterest Business)
Alerts:       {services.LOGS}/receiver.log  (each event the demo's webhook receiver verified)
Metrics:      http://127.0.0.1:{METRICS_PORT}/metrics  (the worker's, for Prometheus)   Health: partnerwatch doctor
Logs:         {services.LOGS}/   Stop everything: bash scripts/demo stop""")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

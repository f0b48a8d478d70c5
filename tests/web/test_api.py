"""The console's JSON API over real HTTP, on SQLite and PostgreSQL: sessions and their safety, problem
details, workspace isolation, and lists paged by cursor with filters and sorts."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import select

from models import audit
from models.db import session_scope
from models.tables import ConsoleSession, ConsoleUser, Partner, SignInFailure, Workspace
from tests.helpers import ConsoleClient, console_user
from tests.models.conftest import SHARED, row, run_check

PROBLEM = "application/problem+json"


def _rows(name: str, people: int, second: bool = False) -> list:
    """Every fifth an Admin on the shared asset, every seventh a Manager; a `second` reading renames
    everyone and makes every third a Manager too."""
    return [row(f"person{n:03d}@{name.lower()}.example", name=f"Person {n:03d}" + (" (2)" if second else ""),
                role="Manager" if n % 7 == 0 or (second and n % 3 == 0) else "Employee",
                assets=(("1001", "Admin" if n % 5 == 0 else "Campaign"),)) for n in range(people)]


def _workspace(engine, name: str, business_id: str, people: int) -> tuple[str, str]:
    """A workspace with one partner whose first check imported `people` people (_rows)."""
    with session_scope(engine) as session:
        ws = Workspace(name=name)
        session.add(ws)
        session.flush()
        partner = Partner(workspace_id=ws.id, business_id=business_id, name=f"{name} Agency",
                          relationship="has_access", shared_assets=SHARED, status="Onboarded")
        session.add(partner)
        session.flush()
        audit.record(session, ws.id, "workspace.create", by="test", target=name)
    run_check(engine, ws.id, partner.id, [_rows(name, people)])
    return ws.id, partner.id


@pytest.fixture
def acme(engine):
    ws_id, partner_id = _workspace(engine, "Acme", "549755813002", 120)
    admin = console_user(engine, ws_id, "admin@acme.example", "admin")
    viewer = console_user(engine, ws_id, "viewer@acme.example", "viewer")
    return ws_id, partner_id, admin, viewer


def _signed_in(console_url, who) -> ConsoleClient:
    client = ConsoleClient(console_url)
    assert client.sign_in(*who).status_code == 200
    return client


def test_every_route_needs_a_session_and_says_so_as_a_problem(console_url, acme):
    anonymous = ConsoleClient(console_url)
    spec = anonymous.get("/openapi.json").json()
    routes = [(method.upper(), path.replace("{business_id}", "549755813002").replace("{task_id}", "task_x"))
              for path, methods in spec["paths"].items() for method in methods]
    assert len(routes) >= 12
    for method, path in routes:
        if (method, path) == ("POST", "/api/v1/session"):
            continue
        answer = anonymous.request(method, path)
        assert answer.status_code == 401, (method, path)
        assert answer.headers["content-type"] == PROBLEM
        body = answer.json()
        assert body["status"] == 401 and body["type"].endswith("/unauthorized") and body["instance"] == path


def test_a_session_is_a_secure_cookie_and_the_store_keeps_only_hashes(console_url, acme, engine):
    client = ConsoleClient(console_url)
    answer = client.sign_in(*acme[2])
    cookie = answer.headers["set-cookie"]
    assert {"HttpOnly", "Secure", "SameSite=strict", "Path=/"} <= {part.strip() for part in cookie.split(";")}
    me = client.get("/api/v1/session").json()
    assert (me["email"], me["role"], me["workspace_name"]) == ("admin@acme.example", "admin", "Acme")
    with session_scope(engine) as session:
        user = session.exec(select(ConsoleUser).where(ConsoleUser.email_key == "admin@acme.example")).one()
        assert user.password_hash.startswith("$argon2id$") and acme[2][1] not in user.password_hash
        stored = session.exec(select(ConsoleSession).where(ConsoleSession.user_id == user.id)).one()
        assert stored.token_hash != client.cookie and len(stored.token_hash) == 64

    assert client.request("DELETE", "/api/v1/session").status_code == 204
    assert client.get("/api/v1/session").status_code == 401  # the same cookie signs nobody in any more


def test_failed_sign_ins_are_throttled_per_account(console_url, acme, engine):
    client = ConsoleClient(console_url)
    for _ in range(5):
        wrong = client.sign_in("admin@acme.example", "not the password at all")
        assert wrong.status_code == 401 and wrong.json()["detail"] == "wrong email or password"
    unknown = client.sign_in("nobody@acme.example", "whatever it is")
    assert unknown.status_code == 401 and unknown.json()["detail"] == "wrong email or password"  # same words

    throttled = client.sign_in(*acme[2])  # even the right password waits now
    assert throttled.status_code == 429 and throttled.headers["content-type"] == PROBLEM
    assert 1 <= int(throttled.headers["retry-after"]) <= 15 * 60
    assert _signed_in(console_url, acme[3])  # another account is not held up
    with session_scope(engine) as session:
        assert len(session.exec(select(SignInFailure).where(SignInFailure.key == "email:admin@acme.example")).all()) == 5


def test_changes_need_the_csrf_token_and_the_admin_role(console_url, acme):
    admin, viewer = _signed_in(console_url, acme[2]), _signed_in(console_url, acme[3])
    no_token = admin.post("/api/v1/partners/549755813002/checks", csrf=False)
    assert no_token.status_code == 403 and no_token.json()["type"].endswith("/csrf")
    wrong_token = admin.post("/api/v1/partners/549755813002/checks", csrf=False, headers={"X-CSRF-Token": viewer.csrf})
    assert wrong_token.status_code == 403 and wrong_token.json()["type"].endswith("/csrf")
    refused = viewer.post("/api/v1/partners/549755813002/checks")
    assert refused.status_code == 403 and refused.json()["type"].endswith("/forbidden")
    assert "viewers only read" in refused.json()["detail"]
    assert viewer.post("/api/v1/tasks/task_x/approve").status_code == 403
    assert viewer.get("/api/v1/partners").status_code == 200  # reading is every role's


def test_a_user_of_one_workspace_sees_nothing_of_another(console_url, acme, engine):
    other_ws, _ = _workspace(engine, "Globex", "549755813099", 3)
    intruder = _signed_in(console_url, console_user(engine, other_ws, "admin@globex.example", "admin"))
    acme_task = _signed_in(console_url, acme[2]).get("/api/v1/tasks").json()["items"][0]["id"]

    assert [p["business_id"] for p in intruder.get("/api/v1/partners").json()["items"]] == ["549755813099"]
    for path in ["/api/v1/partners/549755813002", "/api/v1/partners/549755813002/people",
                 f"/api/v1/tasks/{acme_task}", "/api/v1/changes?partner=549755813002"]:
        answer = intruder.get(path)
        assert answer.status_code == 404 and answer.headers["content-type"] == PROBLEM, path
    assert intruder.post("/api/v1/partners/549755813002/checks").status_code == 404
    assert intruder.post(f"/api/v1/tasks/{acme_task}/approve").status_code == 404
    seen = [(c["partner"], c["kind"], c["people_found"]) for c in intruder.get("/api/v1/changes?limit=500").json()["items"]]
    assert seen == [("549755813099", "baseline", 3)]
    assert {t["target"] for t in intruder.get("/api/v1/tasks").json()["items"]} == {"12345"}
    assert len(intruder.get("/api/v1/tasks").json()["items"]) == 1
    entries = intruder.get("/api/v1/audit").json()["items"]
    assert [(e["action"], e["actor"]) for e in entries] == [("console.sign_in", "console:admin@globex.example"),
                                                            ("workspace.create", "test")]
    assert entries[1]["target"] == "Globex"


def _all_pages(client: ConsoleClient, path: str) -> list[dict]:
    items, cursor = [], None
    while True:
        answer = client.get(path + (f"&cursor={cursor}" if cursor else ""))
        assert answer.status_code == 200, answer.text
        items += answer.json()["items"]
        cursor = answer.json()["next_cursor"]
        if not cursor:
            return items


def test_people_page_by_cursor_with_filters_and_sorts(console_url, acme):
    client = _signed_in(console_url, acme[3])
    base = "/api/v1/partners/549755813002/people?limit=50"
    everyone = _all_pages(client, base)
    assert [p["email"] for p in everyone] == sorted(f"person{n:03d}@acme.example" for n in range(120))
    newest_name_first = _all_pages(client, base + "&sort=-name")
    assert [p["name"] for p in newest_name_first] == sorted((p["name"] for p in everyone), reverse=True)

    admins = _all_pages(client, base + "&permission=Admin")
    assert len(admins) == 24 and all(p["assets"][0]["permission"] == "Admin" for p in admins)
    managers = _all_pages(client, base + "&role=Manager")
    assert len(managers) == 18
    found = _all_pages(client, base + "&q=PERSON 10")  # name or email, any case
    assert [p["name"] for p in found] == [f"Person {n}" for n in range(100, 110)]
    assert _all_pages(client, base + "&q=50%25") == []  # LIKE's own characters are taken literally
    assert _all_pages(client, base + "&q=_") == []

    first = client.get(base).json()
    other_sort = client.get(f"{base}&sort=name&cursor={first['next_cursor']}")
    assert other_sort.status_code == 400 and other_sort.json()["type"].endswith("/bad-cursor")
    assert client.get(f"{base}&cursor=not-a-cursor").status_code == 400
    bad_sort = client.get(base + "&sort=password")
    assert bad_sort.status_code == 422 and "cannot sort by 'password'" in bad_sort.json()["detail"]
    too_many = client.get("/api/v1/partners/549755813002/people?limit=100000")
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["where"] == "query.limit"


def test_partners_changes_tasks_and_their_exports(console_url, acme, engine):
    client = _signed_in(console_url, acme[3])
    partner = client.get("/api/v1/partners").json()["items"][0]
    assert (partner["name"], partner["people"], partner["status"]) == ("Acme Agency", 120, "Onboarded")
    assert partner["shared_assets"] == [{"asset_id": "1001", "name": "Ours", "direction": "has_access"}]

    exported = client.get("/partners/549755813002?format=csv&role=Manager")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 18 and rows[0]["email"] == "person000@acme.example"
    assert (rows[0]["assets"], rows[1]["assets"]) == ("Ours (1001): Admin", "Ours (1001): Campaign")  # person 0 and 7
    assert rows[0]["first_seen"].endswith("+00:00")  # times carry their offset, as the CLI's do

    # The first check is one baseline line, high for its Managers and Admins.
    [baseline] = _all_pages(client, "/api/v1/changes?limit=30")
    assert (baseline["kind"], baseline["severity"], baseline["email"], baseline["people_found"], baseline["people_high"]) \
        == ("baseline", "high", "", 120, len([n for n in range(120) if n % 5 == 0 or n % 7 == 0]))

    # A second check renames everyone and makes every third a Manager: a line each, paged.
    run_check(engine, acme[0], acme[1], [_rows("Acme", 120, second=True)])
    listed = _all_pages(client, "/api/v1/changes?limit=30")
    assert [c["kind"] for c in listed] == ["changed"] * 120 + ["baseline"]  # newest first
    high = _all_pages(client, "/api/v1/changes?limit=7&severity=high")  # a new Manager, and the baseline
    assert len(high) == len([n for n in range(120) if n % 3 == 0 and n % 7 != 0]) + 1
    assert {c["severity"] for c in high} == {"high"} and high[-1]["kind"] == "baseline"

    task = client.get("/api/v1/tasks").json()["items"][0]
    assert (task["task"], task["added"], task["changed"], task["target"]) == ("Check for updates", 0, 120, "12345")
    detail = client.get(f"/api/v1/tasks/{task['id']}").json()
    assert len(detail["changes"]) == 120 and detail["id"] == task["id"]


def test_alert_destinations_keep_their_secrets_and_only_admins_change_them(console_url, acme):
    admin, viewer = _signed_in(console_url, acme[2]), _signed_in(console_url, acme[3])
    hook = {"name": "soc", "kind": "webhook", "url": "https://hooks.example/partnerwatch", "min_severity": "medium",
            "event_types": ["partner.people.changed"], "partner": "549755813002"}
    assert viewer.post("/api/v1/alerts/destinations", json=hook).status_code == 403
    added = admin.post("/api/v1/alerts/destinations", json=hook)
    assert added.status_code == 201 and added.json()["signing_secret"].startswith("whsec_")
    slack_url = "https://hooks.slack.example/services/T000/B000/very-secret-token"
    slack = admin.post("/api/v1/alerts/destinations", json={"name": "chat", "kind": "slack", "url": slack_url})
    assert slack.status_code == 201 and slack.json()["signing_secret"] is None

    listed = admin.get("/api/v1/alerts/destinations")
    assert [(d["name"], d["target"]) for d in listed.json()] == [
        ("soc", "https://hooks.example/partnerwatch"), ("chat", "https://hooks.slack.example/…")]
    assert "very-secret-token" not in listed.text and added.json()["signing_secret"] not in listed.text
    assert listed.json()[0]["partner"] == "549755813002" and listed.json()[0]["event_types"] == ["partner.people.changed"]

    twice = admin.post("/api/v1/alerts/destinations", json=hook)
    assert twice.status_code == 409 and "already has a destination named 'soc'" in twice.json()["detail"]
    wrong = admin.post("/api/v1/alerts/destinations", json={**hook, "name": "x", "event_types": ["partner.eaten"]})
    assert wrong.status_code == 422 and "partner.people.changed" in wrong.json()["detail"]
    rotated = admin.post("/api/v1/alerts/destinations/soc/rotate-secret", json={"overlap_s": 3600})
    assert rotated.json()["signing_secret"].startswith("whsec_")
    assert admin.request("DELETE", "/api/v1/alerts/destinations/chat").status_code == 204
    assert [d["name"] for d in admin.get("/api/v1/alerts/destinations").json()] == ["soc"]
    assert admin.get("/api/v1/alerts/deliveries").json() == {"items": [], "next_cursor": None}
    actions = [e["action"] for e in admin.get("/api/v1/audit").json()["items"]]
    assert {"alerts.add", "alerts.rotate_secret", "alerts.remove"} <= set(actions)


def test_a_guest_reaches_only_their_own_partners_onboarding(console_url, acme, engine):
    from models import console_users, onboarding
    from models.statuses import InviteState

    other_ws, _ = _workspace(engine, "Globex", "549755813099", 1)
    with session_scope(engine) as session:
        partner = session.get(Partner, acme[1])
        guest = onboarding.invite(session, partner, "boss@agency.example", 3600)
        onboarding.set_invite_state(session, guest.id, InviteState.ACCEPTED)
        console_users.add_guest(session, guest, "the guest's own password")
        second = Partner(workspace_id=acme[0], business_id="549755813777", name="Other Agency",
                         relationship="has_access", shared_assets=SHARED)
        session.add(second)
    guest = _signed_in(console_url, ("boss@agency.example", "the guest's own password"))

    assert guest.get("/api/v1/session").json()["role"] == "guest"
    mine = guest.get("/api/v1/partners/549755813002/onboarding")
    assert mine.status_code == 200 and mine.json()["invitation"]["email"] == "boss@agency.example"
    assert mine.json()["step"] is None  # Temporal is not there: the store still answers
    for path in ["/api/v1/partners", "/api/v1/partners/549755813002", "/api/v1/partners/549755813002/people",
                 "/api/v1/changes", "/api/v1/tasks", "/api/v1/audit", "/api/v1/events", "/api/v1/alerts/destinations",
                 "/api/v1/guests", "/api/v1/workspace"]:
        refused = guest.get(path)
        assert refused.status_code == 403 and "own partner's onboarding" in refused.json()["detail"], path
    assert guest.get("/api/v1/partners/549755813777/onboarding").status_code == 403
    assert guest.get("/api/v1/partners/549755813099/onboarding").status_code == 404  # another workspace's
    assert guest.post("/api/v1/partners/549755813002/checks").status_code == 403
    shared = guest.post("/api/v1/partners/549755813002/monitor-accounts",
                        json={"email": "monitor@agency.example", "password": "monitor's password"})
    # Temporal is away: refused before anything is stored, so that nothing waits unannounced.
    assert shared.status_code == 503 and "monitor's password" not in shared.text
    assert guest.get("/api/v1/partners/549755813002/monitor-accounts").json() == []


def test_the_workspace_its_settings_and_every_partners_people(console_url, acme):
    admin, viewer = _signed_in(console_url, acme[2]), _signed_in(console_url, acme[3])
    ws = viewer.get("/api/v1/workspace").json()
    assert (ws["name"], ws["company_business_id"], ws["removal_threshold_pct"]) == ("Acme", None, 20)
    assert viewer.request("PATCH", "/api/v1/workspace", json={"removal_floor": 9}).status_code == 403
    changed = admin.request("PATCH", "/api/v1/workspace", json={"removal_threshold_pct": 35, "removal_floor": 9})
    assert (changed.json()["removal_threshold_pct"], changed.json()["removal_floor"]) == (35, 9)
    integration = {"business_id": "549755813001", "email": "integration@acme.example", "password": "its password"}
    answered = admin.request("PUT", "/api/v1/workspace/integration", json=integration)
    assert answered.status_code == 200 and answered.json()["company_business_id"] == "549755813001"
    assert "its password" not in answered.text
    again = admin.request("PUT", "/api/v1/workspace/integration", json=integration)
    assert again.status_code == 409 and "already has an integration" in again.json()["detail"]

    everyone = _all_pages(viewer, "/api/v1/people?limit=100&role=Manager")
    assert len(everyone) == 18 and {p["partner"] for p in everyone} == {"549755813002"}


def test_an_invitation_links_token_never_reaches_the_log(database_url, tmp_path):
    """`partnerwatch web` itself, as its own process, logging JSON at INFO."""
    import subprocess
    import sys
    import time

    import httpx

    from config import Settings
    from devtools.local_services import ROOT, process_env
    from tests.receivers import free_port

    port = free_port()
    env = process_env(Settings(database_url=database_url, temporal_address="127.0.0.1:1"),
                      PARTNERWATCH_LOG_FORMAT="json", PARTNERWATCH_LOG_LEVEL="INFO")
    log = tmp_path / "console.log"
    with open(log, "wb") as out:
        console = subprocess.Popen([sys.executable, "-m", "starter.cli", "web", "--port", str(port)], env=env, cwd=ROOT,
                                   stdout=out, stderr=out)
        try:
            for _ in range(200):
                try:
                    answer = httpx.get(f"http://127.0.0.1:{port}/invitations/the-secret-token-of-a-link")
                    break
                except httpx.ConnectError:
                    time.sleep(0.05)
            assert answer.status_code == 404
        finally:
            console.terminate()
            console.wait(10)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert {"event": "http.request", "path": "/invitations/***", "status": 404} in [
        {k: line.get(k) for k in ("event", "path", "status")} for line in lines]
    assert "the-secret-token-of-a-link" not in log.read_text()


def test_a_csv_export_never_hands_a_spreadsheet_a_formula(console_url, acme, engine):
    run_check(engine, acme[0], acme[1], [[row("mallory@agency.example", name="=HYPERLINK(\"http://evil.example\")"),
                                          row("plain@agency.example", name="Plain Name")]])
    exported = _signed_in(console_url, acme[3]).get("/partners/549755813002?format=csv&q=agency.example")
    names = {r["email"]: r["name"] for r in csv.DictReader(io.StringIO(exported.text))}
    assert names == {"mallory@agency.example": "'=HYPERLINK(\"http://evil.example\")", "plain@agency.example": "Plain Name"}

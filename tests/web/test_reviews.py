"""Access reviews through the console's API, on SQLite and PostgreSQL: a campaign and its items with
filters, the evidence as JSON and CSV (formulas neutralised), and another workspace's campaign out of
reach. Deciding needs the workflow: tests/end_to_end/test_console_reviews.py."""

from __future__ import annotations

import csv
import io

from models.db import session_scope
from sqlalchemy import text
from tests.helpers import ConsoleClient, console_user, open_review
from tests.web.test_api import _workspace


def signed_in(console_url, who) -> ConsoleClient:
    client = ConsoleClient(console_url)
    assert client.sign_in(*who).status_code == 200
    return client


def test_a_campaign_its_items_filtered_and_its_evidence(console_url, engine):
    ws_id, partner_id = _workspace(engine, "Acme", "549755813002", 30)
    viewer = console_user(engine, ws_id, "viewer@acme.example", "viewer")
    with session_scope(engine) as session:  # a name a spreadsheet would run as a formula
        session.exec(text("UPDATE partner_person SET name = '=HYPERLINK(\"http://x\")' WHERE email = 'person003@acme.example'"))
    campaign_id = open_review(engine, ws_id, partner_id, "viewer@acme.example")
    api = signed_in(console_url, viewer)

    [listed] = api.get("/api/v1/reviews").json()
    assert (listed["id"], listed["status"], listed["items"], listed["undecided"], listed["reviewer"]) == \
        (campaign_id, "Open", 30, 30, "viewer@acme.example")
    assert listed["temporal_ui"].endswith(f"/workflows/review-{campaign_id}")
    admins = api.get(f"/api/v1/reviews/{campaign_id}/items", params={"flag": "admin"}).json()["items"]
    assert [i["email"] for i in admins] == [f"person{n:03d}@acme.example" for n in range(0, 30, 5)]
    assert [i["email"] for i in api.get(f"/api/v1/reviews/{campaign_id}/items",
                                        params={"permission": "Admin"}).json()["items"]] == [i["email"] for i in admins]
    managers = api.get(f"/api/v1/reviews/{campaign_id}/items", params={"role": "Manager", "search": "PERSON01"}).json()
    assert [i["email"] for i in managers["items"]] == ["person014@acme.example"] and managers["next_cursor"] is None
    pages, cursor = [], None
    while True:  # a page at a time, in the campaign's order, nobody twice
        answer = api.get(f"/api/v1/reviews/{campaign_id}/items", params={"limit": 7, **({"cursor": cursor} if cursor else {})}).json()
        pages.append([i["email"] for i in answer["items"]])
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [7, 7, 7, 7, 2]
    assert sum(pages, []) == [f"person{n:03d}@acme.example" for n in range(30)]
    assert api.get(f"/api/v1/reviews/{campaign_id}/items", params={"flag": "nonsense"}).status_code == 422

    record = api.get(f"/api/v1/reviews/{campaign_id}/evidence").json()
    assert record["campaign"]["counts"] == {"items": 30, "undecided": 30, "kept": 0, "revoked": 0}
    assert {r["decision"] for r in record["items"]} == {"Undecided"}
    exported = api.get(f"/api/v1/reviews/{campaign_id}/evidence", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 30 and {r["campaign"] for r in rows} == {campaign_id}
    assert [r["name"] for r in rows if r["email"] == "person003@acme.example"] == ["'=HYPERLINK(\"http://x\")"]

    refused = api.post(f"/api/v1/reviews/{campaign_id}/decisions", json={"decision": "keep"})
    assert refused.status_code == 422 and "which items" in refused.json()["detail"]
    assert api.post("/api/v1/reviews", json={"reviewer": "viewer@acme.example"}).status_code == 403


def test_another_workspaces_campaign_is_not_found(console_url, engine):
    ws_id, partner_id = _workspace(engine, "Acme", "549755813002", 3)
    other_ws, other_partner = _workspace(engine, "Globex", "549755813003", 3)
    console_user(engine, other_ws, "boss@globex.example", "admin")
    theirs = open_review(engine, other_ws, other_partner, "boss@globex.example", "rev_aaaaaaaaaaaa")
    me = console_user(engine, ws_id, "admin@acme.example", "admin")
    api = signed_in(console_url, me)
    assert api.get("/api/v1/reviews").json() == []
    for path in (f"/api/v1/reviews/{theirs}", f"/api/v1/reviews/{theirs}/items", f"/api/v1/reviews/{theirs}/evidence"):
        assert api.get(path).status_code == 404, path
    answer = api.post(f"/api/v1/reviews/{theirs}/decisions", json={"items": [1], "decision": "keep"})
    assert answer.status_code == 404
    assert api.get(f"/reviews/{theirs}/evidence").status_code == 404


def test_a_wrong_form_value_is_a_readable_refusal_never_a_crash(console_url, engine):
    ws_id, partner_id = _workspace(engine, "Acme", "549755813002", 3)
    admin = console_user(engine, ws_id, "admin@acme.example", "admin")
    campaign_id = open_review(engine, ws_id, partner_id, "admin@acme.example")
    api = signed_in(console_url, admin)
    started = api.post("/reviews", data={"csrf_token": api.csrf, "reviewer": "admin@acme.example", "due": "soon"})
    assert started.status_code == 422 and "due" in started.text
    huge = api.post(f"/reviews/{campaign_id}/decide",
                    data={"csrf_token": api.csrf, "item": str(2**70), "action": "keep", "scope": "selected"})
    assert huge.status_code == 422 and "wrong value" in huge.text
    nothing = api.post(f"/reviews/{campaign_id}/decide", data={"csrf_token": api.csrf, "item": "1"})
    assert nothing.status_code == 422 and "choose Keep, Revoke or Reassign" in nothing.text
    assert api.get(f"/reviews/{campaign_id}", params={"after": str(2**70)}).status_code == 422
    assert api.get(f"/api/v1/reviews/{campaign_id}/items", params={"cursor": "9" * 30}).status_code == 422

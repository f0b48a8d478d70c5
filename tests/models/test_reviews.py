"""Access reviews in the store, on SQLite and PostgreSQL: the items a campaign finds and their flags,
who may decide what, the record frozen by the database once closed, and removal requests closed by
the check that no longer sees the person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from models import reviews
from models.db import session_scope
from models.errors import Conflict, Invalid
from models.review_spec import CampaignSpec
from models.statuses import Decision, InviteState, RequestStatus, ReviewStatus
from models.tables import Event, GuestUser, RemovalRequest, ReviewItem, utcnow
from sqlmodel import select
from tests.helpers import console_user
from tests.models.conftest import row, run_check

LATER = timedelta(days=100)  # the campaign opens 100 days after the people were first seen


def user_id(engine, email):
    from models import console_users
    with session_scope(engine) as session:
        return console_users.resolve(session, session.exec(text("SELECT id FROM workspace")).scalar_one(), email).id


@pytest.fixture
def campaign(store):
    engine, ws_id, partner_id = store
    at = utcnow() + LATER
    task, _ = run_check(engine, ws_id, partner_id, [[
        row("ana@agency.example", "Ana", last=(at - timedelta(days=3)).date()),
        row("boss@agency.example", "Boss", role="Admin", assets=(("1001", "Admin"),), last=(at - timedelta(days=1)).date()),
        row("old@agency.example", "Old", last=(at - timedelta(days=200)).date()),
        row("new@agency.example", "New", status="Invited"),
        row("reviewer@acme.example", "Rita (also at the agency)", last=(at - timedelta(days=2)).date()),
        row("elsewhere@agency.example", "Elsewhere", assets=(("2002", "Admin"),)),  # none of the company's assets
    ]])
    for email, role in (("reviewer@acme.example", "admin"), ("fallback@acme.example", "admin"),
                        ("other@acme.example", "viewer")):
        console_user(engine, ws_id, email, role)
    with session_scope(engine) as session:
        session.exec(text("UPDATE automation_task SET status = 'Completed'"))  # the check finished
        session.add(GuestUser(workspace_id=ws_id, partner_id=partner_id, email="admin@agency.example",
                              invite_state=InviteState.ACCEPTED, accepted_at=utcnow()))
    spec = CampaignSpec(
        campaign_id="rev_test", workspace_id=ws_id, partner_ids=[partner_id], reviewer_id=user_id(engine, "reviewer@acme.example"),
        fallback_id=user_id(engine, "fallback@acme.example"), no_response=Decision.REVOKE, opened_at=at,
        due_at=at + timedelta(days=14), deadline_at=at + timedelta(days=21), escalate_after_s=7 * 86400, every_s=None,
        previous_id=None, workflow_id="review-rev_test", started_by="cli:test")
    with session_scope(engine) as session:
        reviews.open_campaign(session, spec)
    return engine, ws_id, partner_id, task, spec


def item_ids(engine, *emails):
    with session_scope(engine) as session:
        by = {i.email: i.id for i in reviews.items(session, "rev_test")}
    return [by[e] for e in emails]


def test_a_campaign_has_one_item_per_person_with_the_companys_assets_and_their_flags(campaign):
    engine, ws_id, partner_id, task, spec = campaign
    with session_scope(engine) as session:
        found = {i.email: i for i in reviews.items(session, "rev_test")}
        assert reviews.open_campaign(session, spec).id == "rev_test"  # a retried activity makes nothing twice
        assert len(reviews.items(session, "rev_test")) == 5
    assert "elsewhere@agency.example" not in found
    assert {e: i.flags for e, i in found.items()} == {
        "ana@agency.example": [], "boss@agency.example": ["admin"], "old@agency.example": ["inactive"],
        "new@agency.example": ["inactive", "stale-invite"], "reviewer@acme.example": []}
    boss = found["boss@agency.example"]
    assert (boss.role, boss.assets[0]["permission"], boss.source_task_id, boss.changed_by_task_id) == ("Admin", "Admin", task, task)
    with session_scope(engine) as session:
        admins = reviews.items(session, "rev_test", reviews.ItemFilter(flag=reviews.ReviewFlag.ADMIN))
        assert [i.email for i in admins] == ["boss@agency.example"]
        assert [i.email for i in reviews.items(session, "rev_test", reviews.ItemFilter(search="OLD"))] == ["old@agency.example"]


def test_who_may_decide_and_what_a_revoke_needs(campaign):
    engine, ws_id, _, _, spec = campaign
    ana, own, old = item_ids(engine, "ana@agency.example", "reviewer@acme.example", "old@agency.example")
    with session_scope(engine) as session:
        with pytest.raises(Invalid, match="justification"):
            reviews.decide(session, ws_id, "rev_test", [ana], Decision.REVOKE, "  ", spec.reviewer_id, spec.opened_at)
    with session_scope(engine) as session:
        by_fallback = reviews.decide(session, ws_id, "rev_test", [ana], Decision.KEEP, None, spec.fallback_id, spec.opened_at)
        assert by_fallback.refused == {ana: "assigned to another reviewer"}  # not past due yet
        outcome = reviews.decide(session, ws_id, "rev_test", [ana, own, 999999], Decision.KEEP, None, spec.reviewer_id,
                                 spec.opened_at)
    assert outcome.decided == [ana]
    assert outcome.refused == {own: "nobody decides on their own access", 999999: "not an item of this review"}
    with session_scope(engine) as session:
        again = reviews.decide(session, ws_id, "rev_test", [ana], Decision.REVOKE, "why", spec.reviewer_id, spec.opened_at)
        assert again.refused[ana].startswith("already decided: Keep")
        reviews.mark_past_due(session, "rev_test", spec.due_at)
        late = reviews.decide(session, ws_id, "rev_test", [old], Decision.REVOKE, "Inactive for 200 days",
                              spec.fallback_id, spec.due_at)
    assert late.decided == [old] and len(late.requests) == 1
    with session_scope(engine) as session:
        [request] = session.exec(select(RemovalRequest)).all()
        [event] = session.exec(select(Event).where(Event.type == "review.removal.requested")).all()
        item = session.get(ReviewItem, old)
    assert (request.email, request.status) == ("old@agency.example", RequestStatus.OPEN)
    assert event.data["to"] == ["admin@agency.example"] and event.data["requests"][0]["justification"] == "Inactive for 200 days"
    assert (item.decided_by, item.justification) == ("fallback@acme.example", "Inactive for 200 days")


def test_reassigning_moves_undecided_items_but_never_to_the_person_under_review(campaign):
    engine, ws_id, _, _, spec = campaign
    ana, own = item_ids(engine, "ana@agency.example", "reviewer@acme.example")
    other = user_id(engine, "other@acme.example")
    with session_scope(engine) as session:
        with pytest.raises(Invalid, match="note"):
            reviews.reassign(session, ws_id, "rev_test", [ana], other, " ", spec.reviewer_id, spec.opened_at)
        moved = reviews.reassign(session, ws_id, "rev_test", [ana, own], other, "Rita is at the agency too",
                                 spec.reviewer_id, spec.opened_at)
        assert moved.decided == [ana, own]
        back = reviews.reassign(session, ws_id, "rev_test", [own], spec.reviewer_id, "back", other, spec.opened_at)
        assert back.refused == {own: "nobody reviews their own access"}
        refused = reviews.decide(session, ws_id, "rev_test", [ana], Decision.KEEP, None, spec.reviewer_id, spec.opened_at)
        assert refused.refused == {ana: "assigned to another reviewer"}
        assert reviews.decide(session, ws_id, "rev_test", [ana], Decision.KEEP, None, other, spec.opened_at).decided == [ana]


def test_a_closed_campaign_cannot_change_and_the_database_refuses_it_too(campaign):
    engine, ws_id, _, _, spec = campaign
    with session_scope(engine) as session:
        with pytest.raises(Conflict, match="undecided"):
            reviews.close(session, "rev_test", spec.deadline_at)
    with session_scope(engine) as session:
        applied = reviews.apply_no_response(session, "rev_test", spec.deadline_at)
        assert len(applied.decided) == 5 and len(applied.requests) == 5
        reviews.close(session, "rev_test", spec.deadline_at)
    ana, = item_ids(engine, "ana@agency.example")
    with session_scope(engine) as session:
        item = session.get(ReviewItem, ana)
        assert (item.decision, item.decided_by) == (Decision.REVOKE, reviews.NO_RESPONSE)
        with pytest.raises(Conflict, match="closed"):
            reviews.decide(session, ws_id, "rev_test", [ana], Decision.KEEP, None, spec.reviewer_id, spec.deadline_at)
        assert reviews.get(session, ws_id, "rev_test").status == ReviewStatus.CLOSED
    for statement in ("UPDATE review_item SET decision = 'Keep'", "DELETE FROM review_item",
                      "UPDATE review_campaign SET status = 'Open'", "DELETE FROM review_campaign"):
        with pytest.raises(DBAPIError, match="closed access review"):
            with engine.begin() as connection:
                connection.execute(text(statement))
    with pytest.raises(DBAPIError, match="closed access review"):
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO review_item (campaign_id, partner_id, email, email_key, name, role, status, assets, first_seen, "
                "flags, assignee_id) SELECT campaign_id, partner_id, 'x', 'x', 'x', 'x', 'x', assets, first_seen, flags, "
                "assignee_id FROM review_item LIMIT 1"))
    with session_scope(engine) as session:
        evidence = reviews.evidence(session, ws_id, "rev_test")
    assert evidence["campaign"]["counts"] == {"items": 5, "undecided": 0, "kept": 0, "revoked": 5}
    assert {r["decided_by"] for r in evidence["items"]} == {"no-response"}


def test_a_later_check_that_no_longer_lists_the_person_fulfils_the_request(campaign):
    engine, ws_id, partner_id, _, spec = campaign
    old, new = item_ids(engine, "old@agency.example", "new@agency.example")
    with session_scope(engine) as session:
        reviews.decide(session, ws_id, "rev_test", [old, new], Decision.REVOKE, "Not ours", spec.reviewer_id, spec.opened_at)
        made, next_at = reviews.escalate_due(session, "rev_test", spec.opened_at + timedelta(days=1))
    assert made == [] and next_at == spec.opened_at + timedelta(days=7)
    at = spec.opened_at
    task, result = run_check(engine, ws_id, partner_id, [[  # old is gone; new is listed without the company's assets
        row("ana@agency.example", "Ana", last=(at - timedelta(days=3)).date()),
        row("boss@agency.example", "Boss", role="Admin", assets=(("1001", "Admin"),), last=(at - timedelta(days=1)).date()),
        row("new@agency.example", "New", status="Invited", assets=(("2002", "Analyst"),)),
        row("reviewer@acme.example", "Rita (also at the agency)", last=(at - timedelta(days=2)).date()),
    ]])
    assert result.removed == 2
    with session_scope(engine) as session:
        requests = {r.email: r for r in session.exec(select(RemovalRequest))}
        fulfilled = session.exec(select(Event).where(Event.type == "review.removal.fulfilled")).all()
        assert reviews.escalate_due(session, "rev_test", spec.opened_at + timedelta(days=8)) == ([], None)
    assert {e: (r.status, r.closed_by_task_id, r.close_reason) for e, r in requests.items()} == {
        "old@agency.example": (RequestStatus.FULFILLED, task, "no longer on the partner's Members list"),
        "new@agency.example": (RequestStatus.FULFILLED, task, "still a member, without access to the company's assets")}
    assert len(fulfilled) == 2


def test_a_request_still_open_escalates_once_to_the_partners_admin_and_the_reviewer(campaign):
    engine, ws_id, _, _, spec = campaign
    old, = item_ids(engine, "old@agency.example")
    with session_scope(engine) as session:
        reviews.decide(session, ws_id, "rev_test", [old], Decision.REVOKE, "Inactive", spec.reviewer_id, spec.opened_at)
    with session_scope(engine) as session:
        made, next_at = reviews.escalate_due(session, "rev_test", spec.opened_at + timedelta(days=7, seconds=1))
        [event] = session.exec(select(Event).where(Event.type == "review.removal.escalated")).all()
        assert reviews.escalate_due(session, "rev_test", spec.opened_at + timedelta(days=9)) == ([], None)
    assert made == [event.id] and next_at is None
    assert event.data["to"] == ["admin@agency.example", "reviewer@acme.example"] and event.severity == "high"


def test_a_retried_decision_is_recorded_once_and_said_decided(campaign):
    """The activity's reply can be lost after its commit: the retry, with the workflow's same time,
    finds its own decision and neither refuses it nor asks for a second removal."""
    engine, ws_id, _, _, spec = campaign
    old, = item_ids(engine, "old@agency.example")
    for _ in range(2):
        with session_scope(engine) as session:
            outcome = reviews.decide(session, ws_id, "rev_test", [old], Decision.REVOKE, "Inactive", spec.reviewer_id,
                                     spec.opened_at)
        assert (outcome.decided, outcome.refused) == ([old], {})
    with session_scope(engine) as session:
        assert len(session.exec(select(RemovalRequest)).all()) == 1
        later = reviews.decide(session, ws_id, "rev_test", [old], Decision.REVOKE, "Inactive", spec.reviewer_id,
                               spec.opened_at + timedelta(seconds=1))
    assert later.refused[old].startswith("already decided")  # a new decision, not a retry

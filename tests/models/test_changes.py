"""Changes as people read them: fields before -> after, and severity, from real imports on both stores."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from models import events, people, tasks
from models.changes import Severity, field_changes, list_changes, severity
from models.db import session_scope
from models.tables import Partner
from tests.models.conftest import row, run_check


def person(role="Employee", status="Active", **assets) -> dict:
    return {"name": "P", "role": role, "status": status,
            "assets": [{"asset_id": a, "asset_name": f"Ads {a}", "permission": p} for a, p in assets.items()]}


@pytest.mark.parametrize("kind,before,after,expected", [
    ("removed", person(role="Manager", a1="Admin"), None, Severity.LOW),
    ("added", None, person(a1="Analyst"), Severity.MEDIUM),
    ("added", None, person(a1="Admin"), Severity.HIGH),
    ("added", None, person(role="Manager", a1="Analyst"), Severity.HIGH),
    ("changed", person(a1="Analyst"), person(a1="Admin"), Severity.HIGH),
    ("changed", person(a1="Analyst"), person(role="Manager", a1="Analyst"), Severity.HIGH),
    ("changed", person(a1="Analyst"), person(a1="Campaign"), Severity.MEDIUM),
    ("changed", person(a1="Analyst"), person(a1="Analyst", a2="Analyst"), Severity.MEDIUM),
    ("changed", person(status="Invited", a1="Analyst"), person(a1="Analyst"), Severity.MEDIUM),
    ("changed", person(a1="Admin"), person(a1="Analyst"), Severity.LOW),
    ("changed", person(a1="Analyst", a2="Analyst"), person(a1="Analyst"), Severity.LOW),
    ("changed", person(role="Manager", a1="Admin"), person(a1="Admin"), Severity.LOW),
    ("changed", person(a1="Admin"), {**person(a1="Admin"), "name": "Q"}, Severity.LOW),
])
def test_severity(kind, before, after, expected):
    assert severity(kind, before, after) == expected


def test_field_changes_name_each_field_and_each_asset():
    before = person(status="Invited", a1="Analyst", a2="Campaign")
    after = {**person(role="Manager", a1="Admin", a3="Finance"), "name": "Q"}
    assert [str(c) for c in field_changes(before, after)] == [
        "name: P -> Q", "role: Employee -> Manager", "status: Invited -> Active",
        "asset Ads a1 (a1): Analyst -> Admin", "asset Ads a2 (a2): Campaign -> (none)",
        "asset Ads a3 (a3): (none) -> Finance"]


def test_a_checks_changes_are_listed_with_severity_newest_first(store):
    engine, ws, pt = store
    run_check(engine, ws, pt, [[row("a@x.io"), row("b@x.io")]])
    task_id, result = run_check(engine, ws, pt, [[row("a@x.io", assets=(("1001", "Admin"),)), row("c@x.io")]])
    assert (result.added, result.changed, result.removed) == (1, 1, 1)
    with session_scope(engine) as session:
        found = {c.email: c for c in list_changes(session, ws, task_id=task_id)}
        assert {e: (c.kind, c.severity) for e, c in found.items()} == {
            "a@x.io": ("changed", Severity.HIGH), "c@x.io": ("added", Severity.MEDIUM), "b@x.io": ("removed", Severity.LOW)}
        assert [str(f) for f in found["a@x.io"].fields] == ["asset Ours (1001): Campaign -> Admin"]
        assert [c.email for c in list_changes(session, ws, min_severity=Severity.MEDIUM, task_id=task_id)] \
            in (["a@x.io", "c@x.io"], ["c@x.io", "a@x.io"])
        # The first check's baseline line, and the second check's three.
        assert [(c.kind, c.people_found) for c in list_changes(session, ws)][-1] == ("baseline", 2)
        assert len(list_changes(session, ws)) == 4
        assert list_changes(session, ws, since=datetime.now(timezone.utc) + timedelta(minutes=1)) == []
        assert list_changes(session, "ws_other") == []  # another workspace sees nothing of these


def test_a_first_check_is_one_baseline_line_and_later_checks_a_line_each(store):
    engine, ws, pt = store
    first, result = run_check(engine, ws, pt, [[row("a@x.io"), row("b@x.io", assets=(("1001", "Admin"),))]])
    assert result.added == 2
    with session_scope(engine) as session:
        logged = people.changes_of(session, first)
        assert [(c.change, c.email, c.after) for c in logged] == [("baseline", "", {"people": 2, "high": 1})]
        (baseline,) = list_changes(session, ws, task_id=first)
        assert baseline.summary() == ["first check: 2 people found (1 Manager or Admin on an asset), "
                                      "the baseline later checks are compared with"]
        # As severe as the lines it stands for: a search for high changes still finds b@'s Admin.
        assert [c.kind for c in list_changes(session, ws, min_severity=Severity.HIGH)] == ["baseline"]
        told = events.envelope(events.list_events(session, ws)[0])
    # The event still names who was found, most severe first, from the people the baseline stands for.
    assert told.data.baseline and told.severity == Severity.HIGH
    assert [(p.email, p.change, p.severity) for p in told.data.people] == [
        ("b@x.io", "added", Severity.HIGH), ("a@x.io", "added", Severity.MEDIUM)]
    # What someone looked like when first seen is the `before` of their first change.
    second, _ = run_check(engine, ws, pt, [[row("a@x.io", role="Manager")]])
    with session_scope(engine) as session:
        found = {c.email: c for c in list_changes(session, ws, task_id=second)}
    assert {e: c.kind for e, c in found.items()} == {"a@x.io": "changed", "b@x.io": "removed"}
    assert [str(f) for f in found["a@x.io"].fields] == ["role: Employee -> Manager"]
    with session_scope(engine) as session:  # a first check of people with nothing high is medium, like `added`
        other = Partner(workspace_id=ws, business_id="67890", name="Other", relationship="has_access",
                        shared_assets=session.get(Partner, pt).shared_assets)
        session.add(other)
        session.flush()
        other_id = other.id
    third, _ = run_check(engine, ws, other_id, [[row("z@x.io")]])
    with session_scope(engine) as session:
        assert [(c.kind, c.severity, c.people_high) for c in list_changes(session, ws, task_id=third)] == [
            ("baseline", Severity.MEDIUM, 0)]


def test_people_new_to_a_known_partner_get_a_line_each_even_when_everyone_is_new(store):
    engine, ws, pt = store
    run_check(engine, ws, pt, [[row("a@x.io")]])
    run_check(engine, ws, pt, [[]])  # everyone left
    task_id, result = run_check(engine, ws, pt, [[row("c@x.io"), row("d@x.io")]])
    assert result.added == 2
    with session_scope(engine) as session:
        assert sorted((c.change, c.email) for c in people.changes_of(session, task_id)) == [
            ("added", "c@x.io"), ("added", "d@x.io")]


def test_an_applied_diff_is_one_event_told_once(store):
    engine, ws, pt = store
    run_check(engine, ws, pt, [[row("a@x.io"), row("b@x.io")]])
    task_id, _ = run_check(engine, ws, pt, [[row("a@x.io", role="Manager"), row("c@x.io")]])
    run_check(engine, ws, pt, [[row("a@x.io", role="Manager"), row("c@x.io")]])  # nothing changed: no event
    with session_scope(engine) as session:
        found = [events.envelope(e) for e in events.list_events(session, ws)]
        assert [(e.type, e.data.counts.added, e.data.counts.changed, e.data.counts.removed) for e in found] == [
            (events.EventType.PEOPLE_CHANGED, 1, 1, 1), (events.EventType.PEOPLE_CHANGED, 2, 0, 0)]
        latest = found[0]
        assert latest.data.task_id == task_id and latest.severity == Severity.HIGH  # a@ became Manager
        assert {p.email: p.change for p in latest.data.people} == {"a@x.io": "changed", "c@x.io": "added",
                                                                    "b@x.io": "removed"}
        # A retried import (its reply lost) returns the same counts and tells nobody again.
        again = people.import_snapshot(session, tasks.get(session, task_id), session.get(Partner, pt))
        assert (again.added, again.changed, again.removed) == (1, 1, 1)
        assert len(events.list_events(session, ws)) == 2


def test_a_big_diff_is_one_small_event(store):
    engine, ws, pt = store
    crowd = [row(f"p{n:03d}@x.io") for n in range(150)] + [row("boss@x.io", assets=(("1001", "Admin"),))]
    task_id, result = run_check(engine, ws, pt, [crowd[i:i + 25] for i in range(0, len(crowd), 25)])
    assert result.added == 151
    with session_scope(engine) as session:
        told = events.envelope(events.list_events(session, ws)[0])
    assert len(told.data.people) == events.PEOPLE_IN_EVENT and told.data.truncated
    assert told.data.people[0].email == "boss@x.io" and told.severity == Severity.HIGH  # the most severe first
    assert told.data.counts.added == 151

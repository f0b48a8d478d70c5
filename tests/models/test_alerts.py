"""Alert destinations and deliveries in the store: filters, one delivery per event and destination
however many relays run, a destination's health (410, 5 days of failures), exhaustion as an event,
replays, and secrets that are sealed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from config import Settings
from models import alerts, events
from models.alerts import AttemptRecord, DestinationKind, Filters
from models.changes import Severity
from models.db import session_scope
from models.errors import Conflict, Invalid
from models.statuses import AttemptOutcome, DeliveryStatus
from models.tables import Delivery, Event, Partner, utcnow
from models.vault import Vault
from tests.helpers import store_bytes
from tests.models.conftest import row, run_check


@pytest.fixture
def vault() -> Vault:
    return Vault(Settings().master_keys())


def add(engine, vault, ws_id, name, kind=DestinationKind.WEBHOOK, **options):
    defaults = {DestinationKind.WEBHOOK: {"url": "https://siem.example/hook"},
                DestinationKind.SLACK: {"url": "https://hooks.slack.example/services/T0/B0/sekrit"},
                DestinationKind.EMAIL: {"to": ["secops@acme.example"], "smtp": "smtp://127.0.0.1:2525"}}[kind]
    with session_scope(engine) as session:
        return alerts.add(session, vault, ws_id, name, kind, **{**defaults, **options})


def deliveries(engine) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        return sorted((d.event_id, d.destination_id) for d in session.exec(select(Delivery)).all())


def changed(engine, ws_id, partner_id, emails=("a@x.example",)) -> str:
    """A check whose diff is one people.changed event; returns the event's id."""
    run_check(engine, ws_id, partner_id, [[row(email) for email in emails]])
    with session_scope(engine) as session:
        return session.exec(select(Event).order_by(Event.occurred_at.desc())).first().id


def test_each_destination_gets_the_events_its_filters_want_once(store, vault):
    engine, ws_id, partner_id = store
    everything, _ = add(engine, vault, ws_id, "all")
    high_only, _ = add(engine, vault, ws_id, "high", DestinationKind.SLACK,
                       filters=Filters(min_severity=Severity.HIGH))
    other_partner, _ = add(engine, vault, ws_id, "other", DestinationKind.EMAIL,
                           filters=Filters(partner_id="pt_someone_else"))
    blocked_only, _ = add(engine, vault, ws_id, "blocked", filters=Filters(event_types=[events.EventType.CHECK_BLOCKED]))
    event_id = changed(engine, ws_id, partner_id)  # one new person: medium
    with session_scope(engine) as session:
        assert alerts.dispatch(session) == 1
    with session_scope(engine) as session:
        assert alerts.dispatch(session) == 0  # a second relay pass finds nothing new
    assert deliveries(engine) == [(event_id, everything.id)]
    with session_scope(engine) as session:
        assert alerts.unstarted(session) == [(session.exec(select(Delivery)).one().id, ws_id)]
        alerts.mark_started(session, [delivery_id for delivery_id, _ in alerts.unstarted(session)])
    with session_scope(engine) as session:
        assert alerts.unstarted(session) == []
    assert {high_only.id, other_partner.id, blocked_only.id}.isdisjoint(d for _, d in deliveries(engine))


def test_a_relay_that_read_an_event_before_another_dispatched_it_makes_no_second_delivery(store, vault):
    engine, ws_id, partner_id = store
    dest, _ = add(engine, vault, ws_id, "all")
    event_id = changed(engine, ws_id, partner_id)
    with session_scope(engine) as session:
        alerts.dispatch(session)
    with session_scope(engine) as session:
        session.get(Event, event_id).dispatched_at = None  # what a second relay saw before the first committed
    with pytest.raises(Conflict, match="another relay"), session_scope(engine) as session:
        alerts.dispatch(session)
    assert deliveries(engine) == [(event_id, dest.id)]


def test_secrets_are_sealed_and_opened_only_for_an_attempt(store, vault, database_url):
    engine, ws_id, _ = store
    hook, secret = add(engine, vault, ws_id, "siem")
    slack, none = add(engine, vault, ws_id, "chat", DestinationKind.SLACK)
    assert secret.startswith("whsec_") and none is None
    with session_scope(engine) as session:
        opened = alerts.opened(session, vault, alerts.get(session, ws_id, "siem"))
        assert opened.signing_secrets == [secret] and "whsec_" not in repr(opened)
        assert alerts.opened(session, vault, alerts.get(session, ws_id, "chat")).url.endswith("/sekrit")
        assert alerts.get(session, ws_id, "chat").target == "https://hooks.slack.example/…"
    dumped = store_bytes(database_url)
    assert secret.encode() not in dumped and secret[6:].encode() not in dumped and b"sekrit" not in dumped


def test_a_rotated_secret_signs_beside_the_new_one_until_the_overlap_ends(store, vault):
    engine, ws_id, _ = store
    _, old = add(engine, vault, ws_id, "siem")
    with session_scope(engine) as session:
        new = alerts.rotate_secret(session, vault, alerts.get(session, ws_id, "siem"), timedelta(hours=1))
    with session_scope(engine) as session:
        dest = alerts.get(session, ws_id, "siem")
        assert alerts.opened(session, vault, dest).signing_secrets == [new, old]
        dest.previous_secret_until = utcnow() - timedelta(seconds=1)
        assert alerts.opened(session, vault, dest).signing_secrets == [new]


def test_bad_destinations_are_refused_by_name(store, vault):
    engine, ws_id, _ = store
    add(engine, vault, ws_id, "siem")
    for name, kind, options, says in [
            ("siem", DestinationKind.WEBHOOK, {}, "already has a destination named 'siem'"),
            ("x", DestinationKind.WEBHOOK, {"url": "ftp://siem.example"}, "--webhook must be an http"),
            ("x", DestinationKind.EMAIL, {"smtp": "mail.example:25"}, "must look like smtp://host:port"),
            ("x", DestinationKind.EMAIL, {"to": []}, "needs at least one --email"),
            ("x", DestinationKind.EMAIL, {"smtp": None}, "needs --smtp smtp://HOST:PORT")]:
        with pytest.raises((Invalid, Conflict), match=says):
            add(engine, vault, ws_id, name, kind, **options)


def attempt(engine, delivery_id, number, outcome, code=None, now=None) -> DeliveryStatus:
    with session_scope(engine) as session:
        return alerts.record_attempt(session, delivery_id, number, AttemptRecord(outcome, 12, code, detail=str(code)), now)


def one_delivery(engine, vault, ws_id, partner_id, name="siem", emails=("a@x.example",)):
    dest, _ = add(engine, vault, ws_id, name)
    changed(engine, ws_id, partner_id, emails)
    with session_scope(engine) as session:
        alerts.dispatch(session)
        return dest, session.exec(select(Delivery).where(Delivery.destination_id == dest.id)).one().id


def test_a_410_disables_its_destination_and_says_so_to_the_others(store, vault):
    engine, ws_id, partner_id = store
    add(engine, vault, ws_id, "chat", DestinationKind.SLACK)
    dest, delivery_id = one_delivery(engine, vault, ws_id, partner_id)
    assert attempt(engine, delivery_id, 1, AttemptOutcome.GONE, 410) == DeliveryStatus.CANCELLED
    with session_scope(engine) as session:
        assert (alerts.get(session, ws_id, "siem").enabled, alerts.get(session, ws_id, "siem").disabled_reason) == (
            False, "it answered 410 Gone")
        told = events.list_events(session, ws_id)[0]
        assert (told.type, told.data["destination"]["name"]) == ("alert.destination.disabled", "siem")
        alerts.dispatch(session)
    # The disabled event goes to the other destination, not to the one it is about.
    with session_scope(engine) as session:
        to = {d.destination_id for d in session.exec(select(Delivery).where(Delivery.event_id == told.id))}
        assert to == {alerts.get(session, ws_id, "chat").id}


def test_five_days_of_failures_disable_a_destination_and_a_success_clears_them(store, vault):
    engine, ws_id, partner_id = store
    dest, delivery_id = one_delivery(engine, vault, ws_id, partner_id)
    start = utcnow()
    assert attempt(engine, delivery_id, 1, AttemptOutcome.FAILED, 503, start) == DeliveryStatus.PENDING
    assert attempt(engine, delivery_id, 2, AttemptOutcome.DELIVERED, 200, start + timedelta(days=4)) == DeliveryStatus.DELIVERED
    with session_scope(engine) as session:
        assert alerts.get(session, ws_id, "siem").failing_since is None
    _, second = one_delivery(engine, vault, ws_id, partner_id, "other", ("a@x.example", "b@x.example"))
    with session_scope(engine) as session:
        second = session.exec(select(Delivery).where(Delivery.destination_id == dest.id, Delivery.id != delivery_id)).one().id
    assert attempt(engine, second, 1, AttemptOutcome.TIMEOUT, None, start) == DeliveryStatus.PENDING
    assert attempt(engine, second, 2, AttemptOutcome.UNREACHABLE, None, start + timedelta(days=4, hours=23)) == DeliveryStatus.PENDING
    assert attempt(engine, second, 3, AttemptOutcome.FAILED, 500, start + timedelta(days=5)) == DeliveryStatus.CANCELLED
    with session_scope(engine) as session:
        assert alerts.get(session, ws_id, "siem").disabled_reason == "it failed every attempt for 5 days"


def test_an_attempt_made_already_is_not_made_again(store, vault):
    engine, ws_id, partner_id = store
    _, delivery_id = one_delivery(engine, vault, ws_id, partner_id)
    attempt(engine, delivery_id, 1, AttemptOutcome.FAILED, 500)
    with session_scope(engine) as session:
        plan = alerts.plan_attempt(session, vault, delivery_id, 1)
        assert (plan.done, plan.previous.status_code, plan.destination) == (DeliveryStatus.PENDING, 500, None)
        fresh = alerts.plan_attempt(session, vault, delivery_id, 2)
        assert fresh.done is None and fresh.event.type == "partner.people.changed"


def test_an_exhausted_delivery_is_an_event_and_can_be_replayed(store, vault):
    engine, ws_id, partner_id = store
    dest, delivery_id = one_delivery(engine, vault, ws_id, partner_id)
    attempt(engine, delivery_id, 8, AttemptOutcome.FAILED, 503)
    with session_scope(engine) as session:
        assert alerts.exhaust(session, delivery_id) == DeliveryStatus.EXHAUSTED
        told = events.envelope(events.list_events(session, ws_id)[0])
        assert (told.type, told.severity, told.data.attempts, told.data.last_error) == (
            "alert.delivery.exhausted", "high", 8, "503")
        assert told.data.partner.business_id == "12345"
        copy = alerts.replay(session, ws_id, delivery_id)
        assert (copy.event_id, copy.destination_id, copy.replay_of, copy.status) == (
            session.get(Delivery, delivery_id).event_id, dest.id, delivery_id, DeliveryStatus.PENDING)
        assert (copy.id, ws_id) in alerts.unstarted(session)
        with pytest.raises(Exception, match="no delivery 'dlv_nope'"):
            alerts.replay(session, ws_id, "dlv_nope")


def test_a_removed_destination_cancels_what_waits_and_keeps_its_log(store, vault):
    engine, ws_id, partner_id = store
    dest, delivery_id = one_delivery(engine, vault, ws_id, partner_id)
    attempt(engine, delivery_id, 1, AttemptOutcome.FAILED, 500)
    with session_scope(engine) as session:
        alerts.remove(session, alerts.get(session, ws_id, "siem"))
    with session_scope(engine) as session:
        assert alerts.plan_attempt(session, vault, delivery_id, 2).done == DeliveryStatus.CANCELLED
        logged = alerts.delivery_log(session, ws_id)
        assert [(entry.destination.name, entry.attempt.number) for entry in logged] == [("siem", 1)]
        assert alerts.list_for(session, ws_id) == []
        assert session.get(Partner, partner_id) is not None


def test_health_says_when_events_wait_for_a_relay_and_which_destinations_are_off(store, vault):
    engine, ws_id, partner_id = store
    _, delivery_id = one_delivery(engine, vault, ws_id, partner_id)
    changed(engine, ws_id, partner_id, ("a@x.example", "b@x.example"))  # a second event, not relayed
    attempt(engine, delivery_id, 1, AttemptOutcome.GONE, 410)
    with session_scope(engine) as session:
        health = alerts.health(session)
        assert (health.destinations, health.disabled, health.waiting_events, health.pending) == (
            1, ["siem: it answered 410 Gone"], 0, 0)
        later = alerts.health(session, utcnow() + alerts.RELAY_LATE + timedelta(seconds=1))
        assert later.waiting_events == 2  # the check's, and the destination's own disabled event
        assert health.exhausted_last_week == 0

"""DeliverAlert with its real activities, the store and a real receiver on loopback, on the dev server
under time skipping: the retry schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, each
±10%), Retry-After, recovery, 410, and exhaustion as an event of its own."""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import select
from temporalio.client import Client
from temporalio.worker import Worker

from activities.alerts import AlertActivities
from config import Settings
from models import alerts, events
from models.db import session_scope
from models.statuses import DeliveryStatus
from models.tables import Delivery
from models.vault import Vault
from temporal_common.faults import FaultInterceptor
from tests.conftest import HISTORIES
from tests.helpers import alerting_workspace
from tests.receivers import Answer, HttpReceiver
from workflows.deliver_alert.payloads import DeliverInput, delivery_workflow_id
from workflows.deliver_alert.workflow import JITTER, RETRY_DELAYS, DeliverAlert, pause_before

SCHEDULE_S = [d.total_seconds() for d in RETRY_DELAYS[1:]]


@pytest.fixture
def vault() -> Vault:
    return Vault(Settings().master_keys())


def a_delivery(engine, url: str) -> tuple[str, str]:
    """A workspace whose partner was onboarded, one webhook destination, and the event's delivery to it;
    returns (delivery id, signing secret)."""
    _, secrets = alerting_workspace(engine, {"siem": url})
    with session_scope(engine) as session:
        alerts.dispatch(session)
        return session.exec(select(Delivery.id)).one(), secrets["siem"]


async def client_for(temporal_env, scenario: str | None) -> Client:
    """The session's client; when recording histories for the replay test, one without the codec, so
    that the saved history replays under any session's keys (docs/DETERMINISM.md)."""
    client = temporal_env.client
    if not (scenario and os.environ.get("PARTNERWATCH_RECORD_HISTORIES") == "1"):
        return client
    return await Client.connect(client.service_client.config.target_host, namespace=client.namespace,
                                data_converter=dataclasses.replace(client.data_converter, payload_codec=None))


async def deliver(temporal_env, engine, vault, task_queue, delivery_id: str, scenario: str | None = None):
    client = await client_for(temporal_env, scenario)
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(client, task_queue=task_queue, workflows=[DeliverAlert],
                          activities=[(acts := AlertActivities(engine, vault)).attempt_delivery, acts.exhaust_delivery],
                          activity_executor=executor, interceptors=[FaultInterceptor()]):
            handle = await client.start_workflow(
                DeliverAlert.run, DeliverInput(delivery_id=delivery_id), id=delivery_workflow_id(delivery_id),
                task_queue=task_queue)
            await temporal_env.fast_forward(handle)
            result = await handle.result()
            timers = [e.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta().total_seconds()
                      async for e in handle.fetch_history_events() if e.HasField("timer_started_event_attributes")]
            if client is not temporal_env.client:
                history = await handle.fetch_history()
                run_id = (await handle.describe()).run_id
                (HISTORIES / f"{scenario}--DeliverAlert--deliver-{run_id[-6:]}.json").write_text(history.to_json())
    return result, timers


def on_schedule(timers: list[float], schedule: list[float]) -> bool:
    return len(timers) == len(schedule) and all(
        s * (1 - JITTER) <= t <= s * (1 + JITTER) for t, s in zip(timers, schedule))


async def test_a_receiver_that_never_answers_well_gets_eight_attempts_then_an_event_says_so(
        temporal_env, engine, vault, task_queue):
    with HttpReceiver(default=Answer(503)) as receiver:
        delivery_id, secret = a_delivery(engine, receiver.url)
        result, timers = await deliver(temporal_env, engine, vault, task_queue, delivery_id, "alert-exhausted")
    assert (result.status, result.attempts) == (DeliveryStatus.EXHAUSTED, 8)
    assert on_schedule(timers, SCHEDULE_S), timers
    assert len(timers) == 7 and len(set(timers)) > 1  # jittered, not all alike
    assert len(receiver.verified(secret)) == 8  # every attempt signed, each with a fresh timestamp
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1  # one message, retried
    with session_scope(engine) as session:
        delivery = session.get(Delivery, delivery_id)
        assert (delivery.status, delivery.attempts, delivery.last_detail) == ("Exhausted", 8, "503 Service Unavailable")
        told = events.list_events(session, delivery.workspace_id)[0]
        assert (told.type, told.data["delivery_id"], told.data["attempts"]) == ("alert.delivery.exhausted", delivery_id, 8)
        assert [a.attempt.outcome for a in alerts.delivery_log(session, delivery.workspace_id)] == ["failed"] * 8


async def test_a_receiver_that_fails_then_recovers_gets_it_on_the_third_attempt(temporal_env, engine, vault, task_queue):
    with HttpReceiver([Answer(500), Answer(502)]) as receiver:
        delivery_id, secret = a_delivery(engine, receiver.url)
        result, timers = await deliver(temporal_env, engine, vault, task_queue, delivery_id, "alert-recovered")
    assert (result.status, result.attempts) == (DeliveryStatus.DELIVERED, 3)
    assert on_schedule(timers, SCHEDULE_S[:2]), timers
    assert [p["type"] for p in receiver.verified(secret)] == ["partner.onboarded"] * 3


async def test_retry_after_is_honoured(temporal_env, engine, vault, task_queue):
    with HttpReceiver([Answer(429, {"Retry-After": "3600"})]) as receiver:
        delivery_id, _ = a_delivery(engine, receiver.url)
        result, timers = await deliver(temporal_env, engine, vault, task_queue, delivery_id)
    assert (result.status, result.attempts, timers) == (DeliveryStatus.DELIVERED, 2, [3600.0])


async def test_a_410_stops_at_once_and_disables_the_destination(temporal_env, engine, vault, task_queue):
    with HttpReceiver([Answer(410)]) as receiver:
        delivery_id, _ = a_delivery(engine, receiver.url)
        result, timers = await deliver(temporal_env, engine, vault, task_queue, delivery_id)
    assert (result.status, result.attempts, timers) == (DeliveryStatus.CANCELLED, 1, [])
    with session_scope(engine) as session:
        ws_id = session.get(Delivery, delivery_id).workspace_id
        assert [d.enabled for d in alerts.list_for(session, ws_id)] == [False]
        assert events.list_events(session, ws_id)[0].type == "alert.destination.disabled"


def test_a_pause_is_the_delay_jittered_but_never_shorter_than_retry_after():
    assert pause_before(timedelta(minutes=5), None, 1.0) == timedelta(minutes=5.5)
    assert pause_before(timedelta(minutes=5), None, -1.0) == timedelta(minutes=4.5)
    assert pause_before(timedelta(seconds=5), 120, 0.3) == timedelta(seconds=120)
    assert pause_before(timedelta(0), 10**9, 0) == timedelta(hours=24)  # a Retry-After of years is a day

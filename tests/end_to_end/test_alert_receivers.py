"""Receivers that misbehave, through the real CLI, worker and relay: one that fails and recovers, one
that answers 410 Gone, one that answers after the 15 s allowed; then replay, enable, test, rotate and
remove as a person would use them."""

from __future__ import annotations

import time

import pytest
from standardwebhooks import Webhook

from tests.end_to_end.test_alerts import secret_of
from tests.helpers import NORTHWIND, WS, json_of, ok, until, workspace_with_partners
from tests.receivers import Answer, HttpReceiver, free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def store_backend() -> str:
    """What a receiver does is independent of the store; test_alerts.py runs on both."""
    return "sqlite"


def attempts(log: list[dict], destination: str, event_type: str = "partner.disconnected") -> list[tuple]:
    return sorted((d["attempt"], d["outcome"], d["status_code"]) for d in log
                  if d["destination"] == destination and d["event_type"] == event_type)


def of_type(receiver: HttpReceiver, event_type: str) -> list:
    return [r for r in receiver.received if f'"type":"{event_type}"'.encode() in r.body]


async def test_receivers_that_recover_refuse_for_good_or_answer_too_slowly(cli, worker, sim):
    await workspace_with_partners(cli)
    with HttpReceiver([Answer(503, {"Retry-After": "1"})]) as flaky, HttpReceiver([Answer(410)]) as gone, \
            HttpReceiver([Answer(200, delay_s=17)]) as slow, HttpReceiver() as watcher:
        flaky_secret = secret_of((await ok(cli, "alerts", "add", "flaky", "-w", WS, "--webhook", flaky.url)).out)
        await ok(cli, "alerts", "add", "gone", "-w", WS, "--webhook", gone.url)
        await ok(cli, "alerts", "add", "slow", "-w", WS, "--webhook", slow.url)
        watcher_secret = secret_of((await ok(cli, "alerts", "add", "watcher", "-w", WS, "--webhook", watcher.url,
                                             "--type", "alert.destination.disabled")).out)
        await ok(cli, "alerts", "add", "down", "-w", WS, "--webhook", f"http://127.0.0.1:{free_port()}/hook",
                 "--type", "partner.disconnected")  # nothing listens there
        started = time.monotonic()
        await ok(cli, "partners", "disconnect", "-w", WS, "-p", NORTHWIND)  # one event, to everyone but the watcher
        assert time.monotonic() - started < 10  # nobody waits on a delivery, however slow or down the receivers

        async def settled():
            log = await json_of(cli, "alerts", "deliveries", "-w", WS)
            done = {d["destination"] for d in log if d["delivery_status"] in ("Delivered", "Cancelled")
                    and d["event_type"] == "partner.disconnected"}
            told = [d for d in log if d["destination"] == "watcher" and d["delivery_status"] == "Delivered"]
            return log if {"flaky", "gone", "slow"} <= done and told else None

        log = await until(settled, 90, "every destination's delivery to settle")
        assert attempts(log, "flaky") == [(1, "failed", 503), (2, "delivered", 200)]
        assert attempts(log, "gone") == [(1, "gone", 410)]
        assert attempts(log, "slow") == [(1, "timeout", None), (2, "delivered", 200)]
        assert [(d["event_type"], d["delivery_status"]) for d in log if d["destination"] == "watcher"] == [
            ("alert.destination.disabled", "Delivered")]
        [disabled] = watcher.verified(watcher_secret)
        assert disabled["data"]["destination"]["name"] == "gone" and disabled["data"]["reason"] == "it answered 410 Gone"
        # Everyone but the watcher (and the destination it is about) was told of the disabling too.
        assert attempts(log, "flaky", "alert.destination.disabled") == [(1, "delivered", 200)]
        assert attempts(log, "gone", "alert.destination.disabled") == []
        first, second = of_type(flaky, "partner.disconnected")
        assert second.at - first.at >= 4.5  # the second attempt came 5 s later (±10%), not at once
        slow_first, slow_second = of_type(slow, "partner.disconnected")
        assert slow_second.at - slow_first.at >= 15 + 4.5  # 15 s allowed, then the 5 s retry
        # A receiver that is down loses nothing: its delivery waits for the next attempt (5 min later).
        assert attempts(log, "down")[:2] == [(1, "unreachable", None), (2, "unreachable", None)]
        assert {d["delivery_status"] for d in log if d["destination"] == "down"} == {"Pending"}
        listed = {d["name"]: d["status"] for d in await json_of(cli, "alerts", "list", "-w", WS)}
        assert listed == {"flaky": "enabled", "gone": "disabled: it answered 410 Gone", "slow": "enabled",
                          "watcher": "enabled", "down": "enabled"}

        # Replaying to a disabled destination is refused by name; once enabled, it goes.
        gone_delivery = next(d["delivery"] for d in log if d["destination"] == "gone")
        refused = await cli("alerts", "replay", gone_delivery, "-w", WS)
        assert refused.code != 0 and "destination 'gone' is disabled (it answered 410 Gone)" in refused.err
        doctor = await cli("doctor")
        assert doctor.code == 1 and "FAIL  alerts    disabled destination(s): gone: it answered 410 Gone" in doctor.out
        await ok(cli, "alerts", "enable", "gone", "-w", WS)
        replayed = (await ok(cli, "alerts", "replay", gone_delivery, "-w", WS)).out
        copy = replayed.split(" as delivery ")[1].split()[0]

        async def replay_delivered():
            found = await json_of(cli, "alerts", "deliveries", "-w", WS, "--delivery", copy)
            return found if found and found[0]["delivery_status"] == "Delivered" else None

        [again] = await until(replay_delivered, 30, "the replay")
        assert (again["replay_of"], again["event"]) == (gone_delivery, next(
            d["event"] for d in log if d["destination"] == "gone"))
        assert [r.headers["webhook-id"] for r in gone.received] == [again["event"]] * 2

        # A test goes at once; a rotated secret signs beside the old one.
        new_secret = secret_of((await ok(cli, "alerts", "rotate-secret", "flaky", "-w", WS)).out)
        tested = await ok(cli, "alerts", "test", "flaky", "-w", WS)
        assert "flaky: delivered (200)" in tested.out
        last = flaky.received[-1]
        assert Webhook(flaky_secret).verify(last.body, last.headers)["type"] == "alert.test"
        assert Webhook(new_secret).verify(last.body, last.headers)["type"] == "alert.test"

        await ok(cli, "alerts", "remove", "slow", "-w", WS)
        assert [d["name"] for d in await json_of(cli, "alerts", "list", "-w", WS)] == ["flaky", "gone", "watcher", "down"]
        assert attempts(await json_of(cli, "alerts", "deliveries", "-w", WS), "slow")  # its log stays
        bad = await cli("alerts", "add", "x", "-w", WS, "--webhook", flaky.url, "--slack", stdin=flaky.url)
        assert bad.code == 2 and "exactly one of --webhook" in bad.err

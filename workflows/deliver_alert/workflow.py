"""DeliverAlert: one event to one destination, durably. Attempts immediately, then after 5 s, 5 min,
30 min, 2 h, 5 h, 10 h and 10 h (each pause jittered, never shorter than the receiver's Retry-After),
and stops early when delivered or when its destination is disabled. After the last failure the
delivery is exhausted, which is an event of its own. Started by the outbox relay, never by a check:
a check never waits on a delivery."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.alerts import AlertActivities
    from temporal_common.retry import ALERT_ATTEMPT_TIMEOUT, STORE_RETRY
    from workflows.deliver_alert.payloads import (
        WORKFLOW, AttemptInput, AttemptResult, DeliverInput, DeliveryResult, DeliveryStatus,
    )

RETRY_DELAYS = (timedelta(0), timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                timedelta(hours=5), timedelta(hours=10), timedelta(hours=10))
JITTER = 0.1  # each pause is its delay ±10%, so that a receiver back up is not hit by every retry at once
LONGEST_RETRY_AFTER = timedelta(hours=24)


def pause_before(delay: timedelta, retry_after_s: float | None, draw: float) -> timedelta:
    """The delay, jittered by `draw` (a number in [-1, 1]), but never shorter than Retry-After."""
    jittered = delay * (1 + JITTER * draw)
    asked = min(timedelta(seconds=retry_after_s or 0), LONGEST_RETRY_AFTER)
    return max(jittered, asked)


@workflow.defn(name=WORKFLOW)
class DeliverAlert:
    def __init__(self) -> None:
        self._attempts = 0

    @workflow.run
    async def run(self, input: DeliverInput) -> DeliveryResult:
        result = AttemptResult(status=DeliveryStatus.PENDING)
        for number, delay in enumerate(RETRY_DELAYS, start=1):
            pause = pause_before(delay, result.retry_after_s, workflow.random().uniform(-1, 1))
            if pause:
                await workflow.sleep(pause)
            self._attempts = number
            result = await workflow.execute_activity(
                AlertActivities.attempt_delivery, AttemptInput(delivery_id=input.delivery_id, number=number),
                start_to_close_timeout=ALERT_ATTEMPT_TIMEOUT, retry_policy=STORE_RETRY)
            if result.status != DeliveryStatus.PENDING:
                return DeliveryResult(delivery_id=input.delivery_id, status=result.status, attempts=number)
        exhausted = await workflow.execute_activity(
            AlertActivities.exhaust_delivery, input, start_to_close_timeout=ALERT_ATTEMPT_TIMEOUT,
            retry_policy=STORE_RETRY)
        return DeliveryResult(delivery_id=input.delivery_id, status=exhausted.status, attempts=self._attempts)

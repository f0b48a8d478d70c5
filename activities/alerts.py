"""The delivery workflow's steps: one attempt (read and open in one transaction, send outside any
transaction, log in another), and the end of a delivery whose attempts are spent. Synchronous: they
run in the worker's thread pool."""

from __future__ import annotations

import structlog
from sqlalchemy.engine import Engine
from temporalio import activity

from alerting.senders import TIMEOUT_S, send
from models import alerts
from models.db import session_scope
from models.vault import Vault
from temporal_common import metrics
from workflows.deliver_alert.payloads import AttemptInput, AttemptResult, DeliverInput

log = structlog.get_logger(__name__)


class AlertActivities:
    def __init__(self, engine: Engine, vault: Vault, timeout_s: float = TIMEOUT_S) -> None:
        self.engine = engine
        self.vault = vault
        self.timeout_s = timeout_s

    @activity.defn(name="attempt_delivery")
    def attempt_delivery(self, input: AttemptInput) -> AttemptResult:
        with session_scope(self.engine) as session:
            plan = alerts.plan_attempt(session, self.vault, input.delivery_id, input.number)
        if plan.done:
            # Made already (this activity was retried after its reply was lost), or nothing left to do.
            previous = plan.previous
            return AttemptResult(status=plan.done, outcome=previous.outcome if previous else None,
                                 retry_after_s=previous.retry_after_s if previous else None)
        attempt = send(plan.destination, plan.event, self.timeout_s)
        with session_scope(self.engine) as session:
            status = alerts.record_attempt(session, input.delivery_id, input.number, attempt)
        metrics.count(metrics.ALERT_ATTEMPTS, kind=plan.destination.kind, outcome=attempt.outcome)
        log.info("alert.attempt", delivery_id=input.delivery_id, destination_id=plan.destination.id,
                 event_id=plan.event.id, number=input.number, outcome=attempt.outcome, status_code=attempt.status_code,
                 duration_ms=attempt.duration_ms, detail=attempt.detail, status=status)
        return AttemptResult(status=status, outcome=attempt.outcome, retry_after_s=attempt.retry_after_s)

    @activity.defn(name="exhaust_delivery")
    def exhaust_delivery(self, input: DeliverInput) -> AttemptResult:
        with session_scope(self.engine) as session:
            status = alerts.exhaust(session, input.delivery_id)
        log.warning("alert.exhausted", delivery_id=input.delivery_id)
        return AttemptResult(status=status)

"""The worker's Prometheus endpoint: the Temporal SDK's own metrics (task slots, polls, workflow and
activity latencies and failures) and partnerwatch's, served together by the SDK's runtime on one
address (`PARTNERWATCH_METRICS_ADDRESS`). Ours are counted where the thing happens, inside an
activity, through `activity.metric_meter()`, which tags each point with the namespace, the task queue
and the activity type."""

from __future__ import annotations

from temporalio import activity
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

CHECKS = "partnerwatch_checks"
PAGES_READ = "partnerwatch_pages_read"
SIGN_INS = "partnerwatch_sign_ins"
FAULTS = "partnerwatch_faults"
ALERT_ATTEMPTS = "partnerwatch_alert_attempts"

_DESCRIPTIONS = {
    CHECKS: "Checks finished, by task kind and status",
    PAGES_READ: "Members pages read and stored",
    SIGN_INS: "Sign-ins typed into the site (a reused session is none), by outcome",
    FAULTS: "Activity failures by fault code, passing and lasting",
    ALERT_ATTEMPTS: "Attempts to deliver an alert, by destination kind and outcome",
}


def count(name: str, amount: int = 1, **labels: str) -> None:
    """Adds to one of our counters; outside an activity (a unit test calling a helper) it does nothing."""
    if not activity.in_activity():
        return
    activity.metric_meter().create_counter(name, _DESCRIPTIONS[name]).add(amount, labels or None)


def prometheus_runtime(bind_address: str) -> Runtime:
    """A runtime whose metrics are served at http://<bind_address>/metrics. One per process: every
    client made with it reports there."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind_address)))

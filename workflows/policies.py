"""Timeouts and retry policies shared by the workflows."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.faults import LASTING_CODES

STORE_TIMEOUT = timedelta(seconds=60)
STORE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30),
                          non_retryable_error_types=["NotFound", "Invalid", "Conflict", "IncompleteSnapshot"])

# A browser attempt has its own page-level retries; these retry whole attempts (after a crash,
# a hang or a run of faults), resuming from the last heartbeat.
BROWSER_TIMEOUT = timedelta(minutes=45)
# Browser activities beat every few seconds (activities/heartbeat.py): 30 s of silence is a dead worker.
BROWSER_HEARTBEAT = timedelta(seconds=30)
BROWSER_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), backoff_coefficient=2.0,
                            maximum_interval=timedelta(minutes=2), maximum_attempts=6,
                            non_retryable_error_types=LASTING_CODES)


def browser_queue() -> str:
    """Browser activities run on the workflow's own queue name plus `-browser`."""
    return f"{workflow.info().task_queue}-browser"

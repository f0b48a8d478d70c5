"""Timeouts and retry policies of the workflows' activities.

No policy lists error types: an activity's lasting faults and store errors leave it non-retryable
already (temporal_common/faults.py)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

STORE_TIMEOUT = timedelta(seconds=60)
STORE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))

# A browser attempt has its own page-level retries; these retry whole attempts (after a crash, a hang
# or a run of faults). A new attempt resumes from the pages the store already holds.
BROWSER_TIMEOUT = timedelta(minutes=45)
# Browser activities beat at a third of this (temporal_common/heartbeat.py): 15 s of silence is a dead
# worker, and its check goes on elsewhere that much sooner.
BROWSER_HEARTBEAT = timedelta(seconds=15)
BROWSER_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), backoff_coefficient=2.0,
                            maximum_interval=timedelta(minutes=2), maximum_attempts=6)
# Connecting is one sign-in and one page; a dead worker is noticed by the heartbeat, not after 5 minutes.
CONNECT_TIMEOUT = timedelta(minutes=5)
# One alert attempt: the receiver has 15 s (alerting/senders.py), the store the rest. A store that is
# down is retried for as long as it takes (STORE_RETRY): a delivery waits, it is not lost.
ALERT_ATTEMPT_TIMEOUT = timedelta(seconds=60)


# An invitation mail is worth a few tries, not a stuck onboarding: past these, the onboarding goes on
# without it (the next reminder mails a new link, and `guests accept` still works).
MAIL_TIMEOUT = timedelta(seconds=60)
MAIL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_attempts=4)


def browser_queue() -> str:
    """Browser activities run on the workflow's own queue name plus `-browser`."""
    return f"{workflow.info().task_queue}-browser"

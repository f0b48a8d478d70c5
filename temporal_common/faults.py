"""The fault vocabulary at the Temporal boundary.

Site faults (pinterest_reader.errors) and store errors (models.errors) both carry a `code` (their
class's name), whether they are `lasting` (a person must act) and whether retrying can help. Leaving
an activity, each becomes an ApplicationError of that type, non-retryable unless retrying can help:
one rule, applied by an interceptor to every activity. In the workflow, `fault_of` turns a failed
activity back into a `Fault` for the task's and the partner's reason: it walks the failure's cause
chain and recognises each link by its type, never by a class's name, and says which step failed."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import activity
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError, FailureError, TimeoutType
from temporalio.exceptions import TimeoutError as TemporalTimeout
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from models.errors import IncompleteSnapshot, StoreError
from models.results import Fault, Reason
from pinterest_reader.errors import LASTING_FAULTS, SiteFault
from temporal_common import metrics

LASTING_CODES = frozenset({cls.code for cls in LASTING_FAULTS} | {IncompleteSnapshot.code})


def to_application_error(error: SiteFault | StoreError) -> ApplicationError:
    message = error.message if isinstance(error, SiteFault) else str(error)
    return ApplicationError(message, type=error.code, non_retryable=not error.retryable)


# What each activity does, in the words a task's reason uses when that step ran out of time.
STEP_WORDS = {
    "read_members_snapshot": "Reading the Members pages",
    "read_partners": "Reading the Partners page",
    "connect_monitor": "Connecting the monitor account (sign-in and role check)",
    "import_snapshot": "Importing the snapshot",
    "import_partners": "Importing the partners",
    "begin_check": "Starting the check",
    "finish_task": "Finishing the task",
    "mail_invitation": "Mailing the invitation",
    "mail_review_notices": "Mailing the review notices",
    "attempt_delivery": "Delivering the alert",
}


def _causes(error: BaseException | None):
    """The error and every cause under it: Temporal's failures chain by `.cause`, Python's by `__cause__`."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.cause if isinstance(error, FailureError) else error.__cause__


def _step(activity_type: str | None) -> str:
    if not activity_type:
        return "The step"
    return STEP_WORDS.get(activity_type, f"The step {activity_type}")


def _timed_out(step: str, kind: TimeoutType | None) -> str:
    if kind == TimeoutType.HEARTBEAT:
        return f"{step} stopped reporting progress (its worker went away or hung); it was tried again until its time ran out."
    if kind == TimeoutType.SCHEDULE_TO_START:
        return f"{step} waited too long for a worker to run it."
    return f"{step} ran out of time before it could finish."


def fault_of(error: BaseException) -> Fault:
    """The plain-words fault behind an activity failure, for a task's and partner's reason."""
    chain = list(_causes(error))
    activity_type = next((e.activity_type for e in chain if isinstance(e, ActivityError)), None)
    for link in chain:
        if isinstance(link, ApplicationError):
            code = link.type or Reason.ERROR
            return Fault(code=code, message=link.message, lasting=code in LASTING_CODES)
        if isinstance(link, TemporalTimeout):
            return Fault(code=Reason.TIMEOUT, message=_timed_out(_step(activity_type), link.type), lasting=False)
    innermost = chain[-1]
    if innermost is error and isinstance(error, ActivityError):
        return Fault(code=Reason.ERROR, message=f"{_step(activity_type)} failed: {error.message}"[:300], lasting=False)
    return Fault(code=type(innermost).__name__, message=str(innermost)[:300], lasting=False)


WORKER_SHUTDOWN = "WorkerShutdown"


def handed_over() -> ApplicationError:
    """The failure of an attempt that its worker gave up while stopping: retried at once, on whichever
    worker polls next (the store holds what the attempt did), not after the retry policy's interval."""
    return ApplicationError("The worker stopped; the attempt goes on on another worker.", type=WORKER_SHUTDOWN,
                            next_retry_delay=timedelta(milliseconds=10))  # zero would read as unset


class _FaultsAsApplicationErrors(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await self.next.execute_activity(input)
        except (asyncio.CancelledError, CancelledError):
            # Past the grace period a stopping worker cancels what still runs: a failure retried at once
            # elsewhere, where a plain cancel would read as the workflow's own.
            if activity.is_worker_shutdown():
                raise handed_over() from None
            raise
        except (SiteFault, StoreError) as error:
            metrics.count(metrics.FAULTS, code=error.code, lasting=str(error.lasting).lower())
            # `from None`: the failure carries the plain-words message and the code, not the chain.
            raise to_application_error(error) from None


class FaultInterceptor(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _FaultsAsApplicationErrors(next)

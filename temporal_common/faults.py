"""The fault vocabulary at the Temporal boundary.

Site faults (pinterest_reader.errors) and store errors (models.errors) both carry a `code` (their
class's name), whether they are `lasting` (a person must act) and whether retrying can help. Leaving
an activity, each becomes an ApplicationError of that type, non-retryable unless retrying can help:
one rule, applied by an interceptor to every activity. In the workflow, `fault_of` turns a failed
activity back into a `Fault` for the task's and the partner's reason."""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from models.errors import IncompleteSnapshot, StoreError
from models.results import Fault, Reason
from pinterest_reader.errors import LASTING_FAULTS, SiteFault
from temporal_common import metrics

LASTING_CODES = frozenset({cls.code for cls in LASTING_FAULTS} | {IncompleteSnapshot.code})


def to_application_error(error: SiteFault | StoreError) -> ApplicationError:
    message = error.message if isinstance(error, SiteFault) else str(error)
    return ApplicationError(message, type=error.code, non_retryable=not error.retryable)


def fault_of(error: BaseException) -> Fault:
    """The plain-words fault behind an activity failure, for a task's and partner's reason."""
    cause = error.cause if isinstance(error, ActivityError) else error
    if isinstance(cause, ApplicationError):
        code = cause.type or Reason.ERROR
        return Fault(code=code, message=cause.message, lasting=code in LASTING_CODES)
    if cause is not None and type(cause).__name__ == "TimeoutError":
        return Fault(code=Reason.TIMEOUT, message="The check ran out of time while the site kept failing.", lasting=False)
    return Fault(code=type(cause).__name__ if cause else Reason.ERROR, message=str(cause or error)[:300], lasting=False)


class _FaultsAsApplicationErrors(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await self.next.execute_activity(input)
        except (SiteFault, StoreError) as error:
            metrics.count(metrics.FAULTS, code=error.code, lasting=str(error.lasting).lower())
            # `from None`: the failure carries the plain-words message and the code, not the chain.
            raise to_application_error(error) from None


class FaultInterceptor(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _FaultsAsApplicationErrors(next)

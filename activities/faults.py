"""Turning site faults into Temporal errors: lasting ones are non-retryable and carry a code."""

from __future__ import annotations

from temporalio.exceptions import ActivityError, ApplicationError

from models.payloads import Fault
from pinterest_reader.errors import LASTING_FAULTS, SiteFault

LASTING_CODES = [cls.code for cls in LASTING_FAULTS] + ["MissingCredentials", "IncompleteSnapshot"]


def to_application_error(fault: SiteFault) -> ApplicationError:
    return ApplicationError(fault.message, type=fault.code, non_retryable=fault.lasting)


def fault_of(error: BaseException) -> Fault:
    """The plain-words fault behind an activity failure, for a task's and partner's reason."""
    cause = error.cause if isinstance(error, ActivityError) else error
    if isinstance(cause, ApplicationError):
        code = cause.type or "Error"
        return Fault(code=code, message=cause.message, lasting=code in LASTING_CODES)
    if cause is not None and type(cause).__name__ == "TimeoutError":
        return Fault(code="Timeout", message="The check ran out of time while the site kept failing.", lasting=False)
    return Fault(code=type(cause).__name__ if cause else "Error", message=str(cause or error)[:300], lasting=False)

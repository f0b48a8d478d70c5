"""What can go wrong on the site, split by what to do about it.

Passing faults are retried with backoff; lasting faults need a person and are never retried.
Messages are plain words for the partner's status and never carry a secret."""

from __future__ import annotations


class SiteFault(Exception):
    code: str = "SiteFault"
    lasting: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PassingFault(SiteFault):
    code = "PassingFault"


class SiteUnavailable(PassingFault):
    code = "SiteUnavailable"

    def __init__(self, message: str, retry_after_s: float | None = None, throttled: bool = False) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.throttled = throttled  # a 429: the site asks for fewer requests at once


class SessionExpired(PassingFault):
    code = "SessionExpired"


class ListChanged(PassingFault):
    """The Members list moved while it was read (pages shifted, or fewer pages than before)."""

    code = "ListChanged"


class LastingFault(SiteFault):
    code = "LastingFault"
    lasting = True


class BadCredentials(LastingFault):
    code = "BadCredentials"


class AccountLocked(LastingFault):
    code = "AccountLocked"


class VerificationFailed(LastingFault):
    code = "VerificationFailed"


class UnderpermissionedAccount(LastingFault):
    code = "UnderpermissionedAccount"


class InvalidBusinessId(LastingFault):
    code = "InvalidBusinessId"


class SiteChanged(LastingFault):
    code = "SiteChanged"


LASTING_FAULTS: tuple[type[LastingFault], ...] = (
    BadCredentials, AccountLocked, VerificationFailed, UnderpermissionedAccount, InvalidBusinessId, SiteChanged,
)

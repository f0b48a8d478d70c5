"""What can go wrong on the site, split by what to do about it.

Passing faults are retried with backoff; lasting faults need a person and are never retried.
A fault's code is its class's name. Messages are plain words for the partner's status and never
carry a secret."""

from __future__ import annotations


class SiteFault(Exception):
    code = "SiteFault"
    lasting = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = cls.__name__

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def retryable(self) -> bool:
        return not self.lasting


class PassingFault(SiteFault):
    """Retried with backoff, then by whole attempts."""


class SiteUnavailable(PassingFault):
    def __init__(self, message: str, retry_after_s: float | None = None, throttled: bool = False) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.throttled = throttled  # a 429: the site asks for fewer requests at once


class SessionExpired(PassingFault):
    pass


class ListChanged(PassingFault):
    """The Members list moved while it was read (pages shifted, or fewer pages than before)."""


class LastingFault(SiteFault):
    """Needs a person: never retried."""

    lasting = True


class BadCredentials(LastingFault):
    pass


class AccountLocked(LastingFault):
    pass


class VerificationFailed(LastingFault):
    pass


class UnderpermissionedAccount(LastingFault):
    pass


class InvalidBusinessId(LastingFault):
    pass


class SiteChanged(LastingFault):
    pass


LASTING_FAULTS: tuple[type[LastingFault], ...] = (
    BadCredentials, AccountLocked, VerificationFailed, UnderpermissionedAccount, InvalidBusinessId, SiteChanged,
)
# A rejected sign-in: the account is never tried again until its credentials are updated.
SIGN_IN_REJECTIONS: tuple[type[LastingFault], ...] = (BadCredentials, AccountLocked, VerificationFailed)

"""RFC 6238 codes as the contract fixes them (SHA-1, 6 digits, 30 s steps, base32 secrets).

The secret is checked here, by the project's own rule, when it is shared: base32, at least 80 bits
(the classic size that sites still issue; the contract's own example is one). The codes come from
`cryptography`'s TOTP, told not to apply its own key-length policy, so that no library release can
change which secrets work."""

from __future__ import annotations

import base64
import binascii
import time
from datetime import datetime

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

MIN_SECRET_BITS = 80
MAX_SECRET_BITS = 1024
STEP_S = 30


class BadTOTPSecret(ValueError):
    """A TOTP secret that can never produce the site's codes; the message says why."""


def normalise(secret: str) -> str:
    """Upper case, without the spaces and dashes people paste in."""
    return "".join(secret.split()).replace("-", "").upper()


def key_of(secret: str) -> bytes:
    text = normalise(secret).rstrip("=")
    if not text:
        raise BadTOTPSecret("the TOTP secret is empty")
    try:
        key = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        raise BadTOTPSecret("the TOTP secret is not base32 (letters A-Z and digits 2-7)") from None
    if not MIN_SECRET_BITS <= len(key) * 8 <= MAX_SECRET_BITS:
        raise BadTOTPSecret(f"the TOTP secret has {len(key) * 8} bits; it needs {MIN_SECRET_BITS} to {MAX_SECRET_BITS}")
    return key


def check_secret(secret: str) -> str:
    """The normalised secret, or BadTOTPSecret saying why it cannot work."""
    key_of(secret)
    return normalise(secret)


def _totp(secret: str) -> TOTP:
    return TOTP(key_of(secret), 6, SHA1(), STEP_S, enforce_key_length=False)


def code_at(secret: str, when: datetime | float) -> str:
    moment = when.timestamp() if isinstance(when, datetime) else when
    return _totp(secret).generate(int(moment)).decode()


def current_code(secret: str) -> str:
    return code_at(secret, time.time())


def verify(secret: str, code: str, window: int = 1, now: float | None = None) -> bool:
    """True if `code` is the code of a step within `window` steps of now (the contract accepts ±1)."""
    moment = time.time() if now is None else now
    try:
        return any(code_at(secret, moment + STEP_S * step) == code.strip() for step in range(-window, window + 1))
    except BadTOTPSecret:
        return False

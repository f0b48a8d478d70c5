"""The site's side of two-step verification: RFC 6238 codes (SHA-1, 6 digits, 30 s), accepting the
previous, current and next step as the contract says. Kept apart from the reader's own TOTP code, so
that the site and the automation check each other."""

from __future__ import annotations

import base64
import time

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP


def verify(secret: str, code: str, window: int = 1) -> bool:
    text = "".join(secret.split()).upper().rstrip("=")
    key = base64.b32decode(text + "=" * (-len(text) % 8))
    totp = TOTP(key, 6, SHA1(), 30, enforce_key_length=False)
    now = time.time()
    for step in range(-window, window + 1):
        try:
            totp.verify(code.strip().encode(), int(now + 30 * step))
            return True
        except InvalidToken:
            continue
    return False

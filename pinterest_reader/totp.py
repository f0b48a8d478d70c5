"""RFC 6238 codes as the contract fixes them (SHA-1, 6 digits, 30 s)."""

from __future__ import annotations

import pyotp


class SiteTOTP(pyotp.TOTP):
    # pyotp asks for 112-bit secrets by default; sites still issue the classic 80-bit ones
    # (the contract's own example is one), and we must sign in with what they issued.
    min_secret_length_bits = 80


def current_code(secret: str) -> str:
    return SiteTOTP(secret.replace(" ", "")).now()


def is_valid_secret(secret: str) -> bool:
    try:
        SiteTOTP(secret.replace(" ", ""))
    except (ValueError, TypeError):
        return False
    return True

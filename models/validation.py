"""Shapes of what people type: business ids, emails and durations."""

from __future__ import annotations

import re
from datetime import timedelta

from models.errors import Invalid

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def business_id(value: str) -> str:
    value = value.strip()
    if not value.isdigit() or not 5 <= len(value) <= 30:
        raise Invalid(f"'{value}' is not a Pinterest business id (a string of digits, like 549755813002)")
    return value


def email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise Invalid(f"'{value}' is not an email address")
    return value


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")


def duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    if not match:
        raise Invalid(f"'{text}' is not a duration like 30s, 15m, 12h or 3d")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match[2]]
    return timedelta(**{unit: float(match[1])})

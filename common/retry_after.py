"""Retry-After (RFC 9110 §10.2.3), read once for the browser and the alert senders alike."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime


def retry_after_s(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait: the header's delta-seconds or its HTTP date (a date past is 0), else None."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # RFC 850 and asctime forms carry no zone: HTTP dates are GMT
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
    return max(0.0, seconds) if math.isfinite(seconds) else None

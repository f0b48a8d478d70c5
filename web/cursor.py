"""Opaque cursors for keyset pages: the sort they belong to and the last row's sort values, as
URL-safe base64 JSON. A cursor is a position, not a permission: every query is still scoped to the
caller's workspace."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime

from web.problems import Problem


def _plain(value):
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _typed(value):
    if isinstance(value, dict) and "dt" in value:
        return datetime.fromisoformat(value["dt"])
    if isinstance(value, dict) and "d" in value:
        return date.fromisoformat(value["d"])
    return value


def encode(sort: str, values: list | None) -> str | None:
    if values is None:
        return None
    text = json.dumps({"s": sort, "v": [_plain(v) for v in values]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(sort: str, cursor: str | None) -> list | None:
    if not cursor:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values = [_typed(v) for v in raw["v"]]
        same_sort = raw["s"] == sort
        if not all(isinstance(v, (str, int, float, date)) for v in values):
            raise ValueError("not a sort value")
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise Problem(400, "bad-cursor", "the cursor is not one this API gave out") from None
    if not same_sort:
        raise Problem(400, "bad-cursor", f"the cursor belongs to another sort than '{sort}'; start again without it")
    return values

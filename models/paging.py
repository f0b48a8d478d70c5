"""Keyset pages of any query: the rows after a given row in a fixed order, however many rows came
before. The last column of an order must be unique, so that no row is skipped or shown twice."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Text, cast, literal, tuple_
from sqlmodel import Session


@dataclass(frozen=True)
class Order:
    columns: tuple  # SQL columns; the last one unique
    descending: bool = False


def page(session: Session, query, order: Order, after: list | None, limit: int) -> tuple[list, list | None]:
    """Up to `limit` rows after the row whose sort values are `after`, and the sort values to pass for
    the next page (None: this was the last)."""
    if after is not None:
        if len(after) != len(order.columns):
            raise ValueError("a cursor for another order")
        key = tuple_(*order.columns)
        bound = tuple_(*(literal(value, type_=column.type) for value, column in zip(after, order.columns)))
        query = query.where(key < bound if order.descending else key > bound)
    ordering = [column.desc() if order.descending else column.asc() for column in order.columns]
    rows = list(session.exec(query.order_by(*ordering).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, [getattr(rows[-1], column.key) for column in order.columns]


def like_anywhere(text: str) -> str:
    """A LIKE pattern (escape `\\`) that finds `text` anywhere, with LIKE's own characters taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def holds_permission(assets, permission: str):
    """True in SQL when a JSON list of grants holds `permission` on some asset. The lists are written by
    json.dumps on both stores, so a grant's text is its key."""
    grant = json.dumps({"permission": permission})[1:-1]
    return cast(assets, Text).like(like_anywhere(grant), escape="\\")

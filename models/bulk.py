"""Bulk inserts and updates for the import: one `executemany` per statement, with values converted
by each column's own bind processor, fetched once, instead of through SQLAlchemy's per-row
parameter machinery, which at 100,000 rows
costs several times what SQLite itself does (bench/import_people.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, Table
from sqlmodel import Session

from models.json_columns import ShapedList

Convert = Callable[[Any], Any]


def _converter(column, dialect) -> Convert | None:
    """The column type's own bind processor (UTC datetimes), fetched once. JSON is serialised here on
    every dialect: psycopg's JSON processor expects SQLAlchemy to wrap the value, which a raw
    executemany skips; a JSON text is cast by PostgreSQL to the column's type."""
    if isinstance(column.type, ShapedList):  # validated as its shape first
        shaped = column.type
        return lambda value: None if value is None else json.dumps(shaped.plain(value))
    if isinstance(column.type, JSON):
        return lambda value: None if value is None else json.dumps(value)
    return column.type.bind_processor(dialect)


def _placeholder(session: Session) -> Callable[[str], str]:
    style = session.get_bind().dialect.paramstyle
    if style == "qmark":
        return lambda _name: "?"
    if style in ("format", "pyformat"):
        return lambda _name: "%s"
    if style == "named":
        return lambda name: f":{name}"
    raise NotImplementedError(f"paramstyle {style}")


def _rows(session: Session, table: Table, columns: list[str], rows: list[dict]) -> list[tuple]:
    dialect = session.get_bind().dialect
    converters = [(_converter(table.c[name], dialect), name) for name in columns]
    return [tuple(v if convert is None else convert(v) for convert, v in ((c, row[n]) for c, n in converters))
            for row in rows]


def insert_many(session: Session, table: Table, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    mark = _placeholder(session)
    sql = (f'INSERT INTO "{table.name}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
           f'VALUES ({", ".join(mark(c) for c in columns)})')
    _execute_many(session, sql, columns, _rows(session, table, columns, rows))


def update_many(session: Session, table: Table, key: str, rows: list[dict]) -> None:
    """UPDATE ... SET <every other key of the rows> WHERE <key> = ?, one row per dict."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != key]
    mark = _placeholder(session)
    sql = (f'UPDATE "{table.name}" SET {", ".join(f"{chr(34)}{c}{chr(34)} = {mark(c)}" for c in columns)} '
           f'WHERE "{key}" = {mark(key)}')
    _execute_many(session, sql, [*columns, key], _rows(session, table, [*columns, key], rows))


def _execute_many(session: Session, sql: str, columns: list[str], values: list[tuple]) -> None:
    connection = session.connection()
    if connection.dialect.paramstyle == "named":
        connection.exec_driver_sql(sql, [dict(zip(columns, v)) for v in values])
    else:
        connection.exec_driver_sql(sql, values)

"""Printing listings as a table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime

from rich.console import Console
from rich.table import Table

console = Console(highlight=False, soft_wrap=True)


def _plain(value):
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def emit(rows: list[dict], columns: list[str], *, as_json: bool = False, as_csv: bool = False, title: str | None = None) -> None:
    if as_json:
        json.dump([{c: _plain(r.get(c)) for c in columns} for r in rows], sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["; ".join(map(str, v)) if isinstance(v := _plain(row.get(c)), list) else ("" if v is None else v) for c in columns])
        return
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column.replace("_", " ").capitalize(), overflow="fold")
    for row in rows:
        table.add_row(*["" if (v := _plain(row.get(c))) is None else (", ".join(map(str, v)) if isinstance(v, list) else str(v)) for c in columns])
    console.print(table)
    if not rows:
        console.print("(none)")


def say(message: str) -> None:
    console.print(message)

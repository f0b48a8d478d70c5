"""Printing listings as a table, JSON, JSON lines or CSV, and one-line messages.

A table is drawn with box characters only on a terminal; piped, it is plain aligned text. The store
keeps times in UTC, and SQLite hands them back without a zone: they are printed as UTC, and JSON
keeps the offset so that machines read them right."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime, timezone

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from models.errors import Invalid
from starter.options import OutputFormat

console = Console(highlight=False, soft_wrap=True)


def output_format(output: OutputFormat, as_json: bool = False, as_csv: bool = False) -> OutputFormat:
    """The format asked for by -o, or by the --json/--csv aliases (which must not contradict it)."""
    aliases = [f for f, on in ((OutputFormat.json, as_json), (OutputFormat.csv, as_csv)) if on]
    if len(aliases) > 1 or (aliases and output not in (OutputFormat.table, aliases[0])):
        chosen = ", ".join([f"--output {output.value}"] * (output is not OutputFormat.table) + [f"--{a.value}" for a in aliases])
        raise Invalid(f"choose one output format, not {chosen}")
    return aliases[0] if aliases else output


def _for_json(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _for_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%d %H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(_for_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def emit(rows: list[dict], columns: list[str], fmt: OutputFormat = OutputFormat.table) -> None:
    if fmt is OutputFormat.json:
        json.dump([{c: _for_json(r.get(c)) for c in columns} for r in rows], sys.stdout, ensure_ascii=False,
                  indent=2, default=str)
        sys.stdout.write("\n")
    elif fmt is OutputFormat.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps({c: _for_json(row.get(c)) for c in columns}, ensure_ascii=False, default=str) + "\n")
    elif fmt is OutputFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([_for_text(row.get(c)) for c in columns] for row in rows)
    elif sys.stdout.isatty():
        _rich_table(rows, columns)
    else:
        _plain_table(rows, columns)


def _title(column: str) -> str:
    return column.replace("_", " ").capitalize()


def _rich_table(rows: list[dict], columns: list[str]) -> None:
    table = Table()
    for column in columns:
        table.add_column(_title(column), overflow="fold")
    for row in rows:
        table.add_row(*[_for_text(row.get(c)) for c in columns])
    console.print(table)
    if not rows:
        console.print("(none)")


def _plain_table(rows: list[dict], columns: list[str]) -> None:
    """Columns padded with spaces, one line per row: easy to read, grep and cut."""
    cells = [[_title(c).upper() for c in columns]] + [[_for_text(r.get(c)).replace("\n", " ") for c in columns] for r in rows]
    # Widths in terminal cells, so that wide (CJK) and combining characters keep the columns aligned.
    widths = [max(cell_len(line[i]) for line in cells) for i in range(len(columns))]
    for line in cells:
        sys.stdout.write("  ".join(v + " " * (w - cell_len(v)) for v, w in zip(line, widths)).rstrip() + "\n")
    if not rows:
        sys.stdout.write("(none)\n")


def say(message: str) -> None:
    if sys.stdout.isatty():
        console.print(message, markup=False)
    else:
        sys.stdout.write(message + "\n")

"""The options many commands share, declared once so that their names, metavars and help agree."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


Workspace = Annotated[str | None, typer.Option(
    "--workspace", "-w", metavar="WORKSPACE", help="Workspace id or name (default: PARTNERWATCH_WORKSPACE)")]
Partner = Annotated[str, typer.Option("--partner", "-p", metavar="BUSINESS_ID", help="The partner's business id")]
PartnerFilter = Annotated[str | None, typer.Option(
    "--partner", "-p", metavar="BUSINESS_ID", help="Only this partner (its business id)")]
Account = Annotated[str, typer.Option("--account", metavar="ID|EMAIL", help="Monitor account id or email")]
PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password (and a TOTP secret on a second line) from stdin")]

Output = Annotated[OutputFormat, typer.Option(
    "--output", "-o", case_sensitive=False, metavar="table|json|jsonl|csv",
    help="Output format; plain text when stdout is not a terminal")]
AsJson = Annotated[bool, typer.Option("--json", help="Same as --output json")]
AsCsv = Annotated[bool, typer.Option("--csv", help="Same as --output csv")]
Limit = Annotated[int, typer.Option("--limit", min=1, metavar="N", help="At most this many rows, newest first")]

Wait = Annotated[bool, typer.Option(
    "--wait/--no-wait", help="Wait for the outcome (the default), or return as soon as the work is started")]
Timeout = Annotated[str | None, typer.Option(
    "--timeout", metavar="DURATION",
    help="With --wait: stop waiting after this long (30s, 15m, 2h) and exit 124; the work goes on")]

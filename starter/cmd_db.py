"""db upgrade|current: the store's schema, by migration (models/migrations/)."""

from __future__ import annotations

import typer

from models import schema
from models.db import engine_for
from starter import context
from starter.output import say

db_app = typer.Typer(help="The store's schema: upgrade it, or see where it stands.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Migrate the store's schema to this release's, in one transaction; rows are kept. Run it once
    per release, before starting workers (a store made before migrations is adopted as it is)."""
    engine = engine_for(context.settings().database_url)
    before, after = schema.upgrade(engine)
    where = schema.where(engine)
    say(f"{where}: already at {after} (head)" if before == after else f"{where}: {before or 'empty'} -> {after} (head)")


@db_app.command("current")
def current() -> None:
    """Print the store's schema revision and whether it is this release's. Exits 7 when it is not."""
    engine = engine_for(context.settings().database_url)
    found = schema.state(engine)
    say(f"{schema.where(engine)}: {found.current or 'none'}" + (" (head)" if found.is_current else f" (this release needs {found.head})"))
    schema.require_current(engine, found)

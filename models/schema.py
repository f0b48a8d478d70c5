"""The store's schema, by Alembic revision (models/migrations/). Only `partnerwatch db upgrade` (and the
demo and the tests, which call it first) changes it; every other process checks that the schema is the
one its code was written for, and refuses in one line otherwise. So an ordinary command runs no DDL,
and a worker of a newer or older release never writes to a schema it does not know."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine, make_url

from models.db import engine_for
from models.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: held while upgrading, so that two hosts upgrading at once take turns on PostgreSQL.
_UPGRADE_LOCK = 7_140_512


class SchemaNotCurrent(StoreError):
    """The store's schema is not this release's: upgrade it (or this release) first."""

    exit_code = 7


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # None: no revision recorded
    head: str
    has_tables: bool  # tables without a revision: a store made before migrations

    @property
    def is_current(self) -> bool:
        return self.current == self.head


def _config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    return _scripts().get_current_head()


def known(revision: str) -> bool:
    return revision in {script.revision for script in _scripts().walk_revisions()}


def where(engine: Engine) -> str:
    """The store's URL without its password, for messages."""
    return make_url(str(engine.url)).render_as_string(hide_password=True)


def state(engine: Engine) -> SchemaState:
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        has_tables = inspect(connection).has_table("workspace")
    return SchemaState(current=current, head=head(), has_tables=has_tables)


def upgrade(engine: Engine, to: str = "head") -> tuple[str | None, str | None]:
    """Brings the schema to `to` in one transaction (where the database has transactional DDL):
    a failed upgrade leaves the store as it was. Returns the revisions before and after."""
    found = state(engine)
    before = found.current
    if before is not None and not known(before):
        require_current(engine, found)  # a store of a newer release: this one must not touch it
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        command.upgrade(_config(connection), to)
    return before, state(engine).current


def refusal(engine: Engine, found: SchemaState) -> str | None:
    """Why a process of this release must not use the store, in one line; None when it may."""
    if found.is_current:
        return None
    at = where(engine)
    if found.current is None and not found.has_tables:
        return f"the store at {at} has no schema yet: run `partnerwatch db upgrade`"
    if found.current is None:
        return f"the store at {at} was made before migrations: run `partnerwatch db upgrade` to adopt it (every row is kept)"
    if not known(found.current):
        return (f"the store at {at} has schema {found.current}, newer than this partnerwatch knows "
                f"(it needs {found.head}): run the newer partnerwatch release on this host")
    return f"the store at {at} has schema {found.current}, behind the {found.head} this partnerwatch needs: run `partnerwatch db upgrade`"


def require_current(engine: Engine, found: SchemaState | None = None) -> None:
    said = refusal(engine, found or state(engine))
    if said:
        raise SchemaNotCurrent(said)


_verified: set[str] = set()


def open_store(url: str) -> Engine:
    """The engine of a store whose schema is current; checked once per process and URL."""
    engine = engine_for(url)
    if url not in _verified:
        require_current(engine)
        _verified.add(url)
    return engine


def upgraded_store(url: str) -> Engine:
    """The engine of a store brought to head first: for the demo's and the benchmarks' fresh stores."""
    engine = engine_for(url)
    upgrade(engine)
    _verified.add(url)
    return engine

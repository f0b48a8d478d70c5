"""Alembic's environment: runs on the connection models.schema hands it (never a URL of its own),
against the tables' metadata. SQLite alters tables in batch mode (copy and move)."""

from alembic import context
from sqlmodel import SQLModel

import models.tables  # noqa: F401 - registers the tables on SQLModel.metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()

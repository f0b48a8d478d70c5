"""Data and the store: SQLModel tables, the functions that read and write them, and the
pydantic payloads that cross workflow and activity boundaries."""

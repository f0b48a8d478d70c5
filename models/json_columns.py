"""JSON columns that hold one shape (an asset grant, a shared asset: common/grants.py): what is written is validated and stored as
that shape's plain JSON, so that no code path can store a grant spelled another way. Read back, a
column gives the plain dicts (the diff, the change log and the digests compare them as JSON)."""

from __future__ import annotations

from pydantic import BaseModel, TypeAdapter
from sqlalchemy import JSON
from sqlalchemy.types import TypeDecorator


class ShapedList(TypeDecorator):
    """A JSON list of one pydantic model: models or dicts in, dicts of exactly its fields out."""

    impl = JSON
    cache_ok = True

    def __init__(self, shape: type[BaseModel], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.shape = shape
        self._adapter = TypeAdapter(list[shape])

    def plain(self, value):
        """The value as stored: validated, then plain JSON (also used by models/bulk.py)."""
        return None if value is None else self._adapter.dump_python(self._adapter.validate_python(value), mode="json")

    def process_bind_param(self, value, dialect):
        return self.plain(value)

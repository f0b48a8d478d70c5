"""An asset grant and a shared asset: one shape each, for the browser that reads them, the store
that keeps them (its JSON columns take nothing else: models/json_columns.py) and every screen that
shows them."""

from __future__ import annotations

from pydantic import BaseModel


class AssetGrant(BaseModel):
    """A person's permission on one asset, as a Members page lists it: `name (id): permission`."""

    asset_id: str
    asset_name: str = ""
    permission: str

    def __str__(self) -> str:
        return f"{self.asset_name} ({self.asset_id}): {self.permission}"


class SharedAsset(BaseModel):
    """An asset two businesses share, as the Partners page lists it: `name (id)`; `direction` says
    which way (`has_access`: the partner reaches the company's asset) once the store has it."""

    asset_id: str
    name: str = ""
    direction: str = ""

    def __str__(self) -> str:
        return f"{self.name} ({self.asset_id})"


def grants_text(grants: list) -> str:
    """Grants as one cell of text, whatever form they come in (stored dicts or models)."""
    return "; ".join(str(AssetGrant.model_validate(g)) for g in grants or [])

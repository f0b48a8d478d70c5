"""What a check saw, in the shape the store takes it: a person of a Members page, a partner of the
Partners page. The browser's own row types are turned into these by the activities, so that the
store never depends on how pages are read."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from common.grants import AssetGrant, SharedAsset


class SeenPerson(BaseModel):
    name: str
    email: str
    role: str
    status: str
    assets: list[AssetGrant]
    last_active: date | None


class SeenPartner(BaseModel):
    name: str
    business_id: str
    relationship: Literal["has_access", "shared_with_you"]
    assets: list[SharedAsset]

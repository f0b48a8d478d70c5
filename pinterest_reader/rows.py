"""The typed rows the pages hold, and the parsing of their cell texts."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel

from common.grants import AssetGrant, SharedAsset
from pinterest_reader.errors import SiteChanged

Role = Literal["Manager", "Employee"]
Status = Literal["Active", "Invited"]
PERMISSIONS = ("Admin", "Analyst", "Campaign", "Audience", "Finance", "Catalogs", "Publisher")
RELATIONSHIPS = {"has access to your assets": "has_access", "shared assets with you": "shared_with_you"}

_GRANT = re.compile(r"^(?P<name>.*) \((?P<asset_id>\d+)\):\s*(?P<permission>\w+)$", re.S)
_SHARED = re.compile(r"^(?P<name>.*) \((?P<asset_id>\d+)\)$", re.S)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class MemberRow(BaseModel):
    name: str
    email: str
    role: Role
    status: Status
    assets: list[AssetGrant]
    last_active: date | None


class PartnerRow(BaseModel):
    name: str
    business_id: str
    relationship: Literal["has_access", "shared_with_you"]
    assets: list[SharedAsset]


class BusinessLink(BaseModel):
    business_id: str
    name: str


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    for choice in allowed:
        if value.strip().lower() == choice.lower():
            return choice
    raise SiteChanged(f"The Members page shows a {what} the contract does not know: {value.strip()[:40]!r}.")


def parse_member(cells: dict[str, str], asset_items: list[str]) -> MemberRow:
    email = cells["email"].strip()
    if "@" not in email:
        raise SiteChanged("The Members page's Email column does not hold email addresses.")
    grants = []
    for item in asset_items:
        match = _GRANT.match(item.strip())
        if not match:
            raise SiteChanged("An asset in the Members page is not written as 'name (id): permission'.")
        grants.append(AssetGrant(asset_id=match["asset_id"], asset_name=match["name"].strip(),
                                 permission=_one_of(match["permission"], PERMISSIONS, "permission")))
    last = cells["last active"].strip()
    if last in ("—", "-", ""):
        last_active = None
    elif _DATE.match(last):
        last_active = date.fromisoformat(last)
    else:
        raise SiteChanged("The Members page's Last active column is not a date.")
    return MemberRow(
        name=cells["name"].strip(), email=email,
        role=_one_of(cells["role"], ("Manager", "Employee"), "role"),
        status=_one_of(cells["status"], ("Active", "Invited"), "status"),
        assets=grants, last_active=last_active,
    )


def parse_partner(cells: dict[str, str], asset_items: list[str]) -> PartnerRow:
    relation = RELATIONSHIPS.get(cells["relationship"].strip().lower())
    business_id = cells["business id"].strip()
    if relation is None or not business_id.isdigit():
        raise SiteChanged("The Partners page's rows do not match the contract.")
    assets = []
    for item in asset_items:
        match = _SHARED.match(item.strip())
        if not match:
            raise SiteChanged("A shared asset on the Partners page is not written as 'name (id)'.")
        assets.append(SharedAsset(asset_id=match["asset_id"], name=match["name"].strip()))
    return PartnerRow(name=cells["partner"].strip(), business_id=business_id, relationship=relation, assets=assets)

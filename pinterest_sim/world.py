"""The world file (contract appendix A) and the live, mutable state built from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

Role = Literal["Manager", "Employee"]
MemberStatus = Literal["Active", "Invited"]
Permission = Literal["Admin", "Analyst", "Campaign", "Audience", "Finance", "Catalogs", "Publisher"]
AssetType = Literal["Ad account", "Profile", "Catalog"]


def _digits(value: str) -> str:
    if not value.isdigit():
        raise ValueError(f"business and asset ids are strings of digits, got {value!r}")
    return value


class Account(BaseModel):
    email: str
    password: str
    totp_secret: str | None = None


class Business(BaseModel):
    business_id: str
    name: str
    _check_id = field_validator("business_id")(_digits)


class Asset(BaseModel):
    asset_id: str
    name: str
    type: AssetType
    owner: str
    _check_ids = field_validator("asset_id", "owner")(_digits)


class MemberAsset(BaseModel):
    asset_id: str
    permission: Permission


class Member(BaseModel):
    business_id: str
    email: str
    name: str
    role: Role
    status: MemberStatus
    last_active: str | None = None
    assets: list[MemberAsset] = Field(default_factory=list)


class Partnership(BaseModel):
    owner: str
    partner: str
    assets: list[str] = Field(default_factory=list)


class World(BaseModel):
    accounts: list[Account] = Field(default_factory=list)
    businesses: list[Business] = Field(default_factory=list)
    assets: list[Asset] = Field(default_factory=list)
    members: list[Member] = Field(default_factory=list)
    partnerships: list[Partnership] = Field(default_factory=list)

    @classmethod
    def load(cls, path: str | Path) -> World:
        return cls.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))


def _key(email: str) -> str:
    return email.strip().lower()


MemberOrder = Literal["folded", "email"]


def _folded(email: str) -> tuple[str, str]:
    """A locale-aware collation's order, roughly: letters and digits first with case and punctuation
    ignored (`ana.b@x` and `anab@x` compare by `anabx`), then the email itself to break ties."""
    key = _key(email)
    return "".join(ch for ch in key.casefold() if ch.isalnum()), key


# The site's own collation of Members (contract: "ordered by email, in the site's own collation").
MEMBER_ORDERS = {"folded": _folded, "email": _key}


class WorldState:
    """Indexes over a World that the control API can change while the site runs."""

    def __init__(self, world: World, member_order: MemberOrder = "folded") -> None:
        self.member_order = member_order
        self.accounts = {_key(a.email): a for a in world.accounts}
        self.businesses = {b.business_id: b for b in world.businesses}
        self.assets = {a.asset_id: a for a in world.assets}
        self.partnerships = list(world.partnerships)
        self.members: dict[str, dict[str, Member]] = {bid: {} for bid in self.businesses}
        for member in world.members:
            self.upsert_member(member)

    def upsert_member(self, member: Member) -> None:
        self.members.setdefault(member.business_id, {})[_key(member.email)] = member

    def remove_member(self, business_id: str, email: str) -> bool:
        return self.members.get(business_id, {}).pop(_key(email), None) is not None

    def account(self, email: str) -> Account | None:
        return self.accounts.get(_key(email))

    def role_in(self, email: str, business_id: str) -> Role | None:
        """The account's role where it is an Active member, else None (not a member)."""
        member = self.members.get(business_id, {}).get(_key(email))
        return member.role if member and member.status == "Active" else None

    def businesses_of(self, email: str) -> list[Business]:
        found = [b for bid, b in self.businesses.items() if self.role_in(email, bid)]
        return sorted(found, key=lambda b: b.name.lower())

    def members_sorted(self, business_id: str) -> list[Member]:
        order = MEMBER_ORDERS[self.member_order]
        return sorted(self.members.get(business_id, {}).values(), key=lambda m: order(m.email))

    def asset_label(self, asset_id: str) -> str:
        asset = self.assets.get(asset_id)
        return f"{asset.name if asset else 'Unknown asset'} ({asset_id})"

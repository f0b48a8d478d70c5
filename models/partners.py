"""Partners of a workspace: discovered from the company's Partners page, then onboarded."""

from __future__ import annotations

from sqlmodel import Session, select

from models import validation
from models.errors import NotFound
from models.results import ImportResult
from models.seen import SeenPartner
from models.statuses import PartnerStatus
from models.tables import Partner, utcnow


def resolve(session: Session, workspace_id: str, business_id: str) -> Partner:
    business_id = validation.business_id(business_id)
    found = session.exec(
        select(Partner).where(Partner.workspace_id == workspace_id, Partner.business_id == business_id)
    ).first()
    if not found:
        raise NotFound(f"no partner with business id {business_id} in this workspace (run `partnerwatch partners sync`)")
    return found


def get(session: Session, partner_id: str) -> Partner:
    found = session.get(Partner, partner_id)
    if not found:
        raise NotFound(f"no partner {partner_id}")
    return found


def list_for(session: Session, workspace_id: str) -> list[Partner]:
    return list(session.exec(select(Partner).where(Partner.workspace_id == workspace_id).order_by(Partner.name)))


def shared_asset_ids(partner: Partner) -> set[str]:
    return {a["asset_id"] for a in partner.shared_assets}


def set_status(session: Session, partner: Partner, status: PartnerStatus, code: str | None = None,
               reason: str | None = None) -> None:
    partner.status, partner.status_reason_code, partner.status_reason = status, code, reason
    partner.updated_at = utcnow()
    session.add(partner)


def import_discovered(session: Session, workspace_id: str, rows: list[SeenPartner]) -> ImportResult:
    """Merge the company's Partners page into the store; one row per partner business."""
    merged: dict[str, dict] = {}
    for row in rows:
        entry = merged.setdefault(row.business_id, {"name": row.name, "relations": set(), "assets": []})
        entry["relations"].add(row.relationship)
        entry["assets"] += [{"asset_id": a.asset_id, "name": a.name, "direction": row.relationship} for a in row.assets]
    existing = {p.business_id: p for p in list_for(session, workspace_id)}
    result = ImportResult(listed=len(merged))
    for business_id, entry in merged.items():
        relationship = "both" if len(entry["relations"]) == 2 else next(iter(entry["relations"]))
        assets = sorted(entry["assets"], key=lambda a: (a["direction"], a["asset_id"]))
        partner = existing.pop(business_id, None)
        if partner is None:
            session.add(Partner(workspace_id=workspace_id, business_id=business_id, name=entry["name"],
                                relationship=relationship, shared_assets=assets))
            result.added += 1
        elif (partner.name, partner.relationship, partner.shared_assets) != (entry["name"], relationship, assets):
            partner.name, partner.relationship, partner.shared_assets = entry["name"], relationship, assets
            partner.updated_at = utcnow()
            session.add(partner)
            result.changed += 1
    for partner in existing.values():
        if partner.shared_assets:
            # Kept with its history; it no longer shares anything, so there is nothing to watch.
            partner.shared_assets, partner.relationship = [], "none"
            partner.updated_at = utcnow()
            session.add(partner)
            result.removed += 1
    return result

"""Workflow and schedule ids: one per partner (or workspace), so that a second start joins or is
refused instead of running twice. Opaque ids only, never names or emails."""

from __future__ import annotations


def onboard_id(partner_id: str) -> str:
    return f"onboard-{partner_id}"


def check_id(partner_id: str) -> str:
    return f"check-{partner_id}"


def scheduled_check_id(partner_id: str) -> str:
    return f"{check_id(partner_id)}-scheduled"


def discover_id(workspace_id: str) -> str:
    return f"discover-{workspace_id}"


def schedule_id(partner_id: str) -> str:
    return f"check-schedule-{partner_id}"


def review_id(campaign_id: str) -> str:
    return f"review-{campaign_id}"

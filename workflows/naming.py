"""Workflow and schedule ids, and the custom search attributes: opaque ids only, never names or emails."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

WORKSPACE = SearchAttributeKey.for_keyword("PartnerwatchWorkspace")
PARTNER = SearchAttributeKey.for_keyword("PartnerwatchPartnerBusinessId")
TASK_STATUS = SearchAttributeKey.for_keyword("PartnerwatchTaskStatus")
ALL_KEYS = (WORKSPACE, PARTNER, TASK_STATUS)

# The steps of an onboarding, as its `state` query and the UI's current details say them.
STEP_STARTING = "Starting"
STEP_INVITE = "Waiting for the partner's admin to accept the invitation"
STEP_SHARE = "Waiting for the partner to share a monitor account"
STEP_SELECT = "Waiting for a company user to select a monitor account"
STEP_CONNECT = "Connecting: signing in as the monitor account"


def onboard_id(partner_id: str) -> str:
    return f"onboard-{partner_id}"


def check_id(partner_id: str) -> str:
    return f"check-{partner_id}"


def discover_id(workspace_id: str) -> str:
    return f"discover-{workspace_id}"


def schedule_id(partner_id: str) -> str:
    return f"check-schedule-{partner_id}"


def search_attributes(workspace_id: str, partner_business_id: str | None = None, status: str | None = None) -> TypedSearchAttributes:
    pairs = [SearchAttributePair(WORKSPACE, workspace_id)]
    if partner_business_id:
        pairs.append(SearchAttributePair(PARTNER, partner_business_id))
    if status:
        pairs.append(SearchAttributePair(TASK_STATUS, status))
    return TypedSearchAttributes(pairs)

"""The custom search attributes: opaque ids and a status only, never names or emails."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

WORKSPACE = SearchAttributeKey.for_keyword("PartnerwatchWorkspace")
PARTNER = SearchAttributeKey.for_keyword("PartnerwatchPartnerBusinessId")
TASK_STATUS = SearchAttributeKey.for_keyword("PartnerwatchTaskStatus")
ALL_KEYS = (WORKSPACE, PARTNER, TASK_STATUS)


def search_attributes(workspace_id: str, partner_business_id: str | None = None, status: str | None = None) -> TypedSearchAttributes:
    pairs = [SearchAttributePair(WORKSPACE, workspace_id)]
    if partner_business_id:
        pairs.append(SearchAttributePair(PARTNER, partner_business_id))
    if status:
        pairs.append(SearchAttributePair(TASK_STATUS, status))
    return TypedSearchAttributes(pairs)

"""Connecting to Temporal (worker, CLI, tests) and registering the custom search attributes."""

from __future__ import annotations

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.runtime import Runtime

from config import Settings
from temporal_common.codec import data_converter
from temporal_common.search_attributes import ALL_KEYS


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """Any Temporal: the dev server, a self-hosted cluster with mTLS, or Temporal Cloud with an API key,
    as settings and Temporal's client configuration say (`Settings.temporal_connect_config`). The
    worker passes a runtime that serves metrics."""
    return await Client.connect(**settings.temporal_connect_config(), data_converter=data_converter(settings.codec_keys()),
                                runtime=runtime)


async def ensure_search_attributes(client: Client) -> list[str]:
    """Registers the search attributes that are missing; returns the names it added."""
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace))
    missing = [key.name for key in ALL_KEYS if key.name not in listed.custom_attributes]
    if missing:
        await client.operator_service.add_search_attributes(AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for name in missing}))
    return missing


def dev_server_flags() -> list[str]:
    """`temporal server start-dev` flags that register the search attributes at start."""
    return [arg for key in ALL_KEYS for arg in ("--search-attribute", f"{key.name}=Keyword")]

"""doctor: one line per part a check needs, and a non-zero exit when any is wrong."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from playwright.async_api import async_playwright
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from models import alerts, schema
from models.db import engine_for, session_scope
from models.vault import Vault
from pinterest_reader.browser import chromium_executable, launch_chromium
from starter import context
from temporal_common.codec import EncryptionCodec
from temporal_common.search_attributes import ALL_KEYS

PART_TIMEOUT_S = 30  # no part may hold the report up longer


class Problem(Exception):
    """What is wrong with a part, and what to do about it, in one line."""


@dataclass
class Finding:
    part: str
    ok: bool
    said: str


async def _temporal(client) -> str:
    listed = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace=client.namespace))
    missing = [key.name for key in ALL_KEYS if key.name not in listed.custom_attributes]
    where = f"{client.service_client.config.target_host}, namespace {client.namespace}"
    if missing:
        raise Problem(f"reachable at {where}, but search attributes are missing ({', '.join(missing)}): "
                      "run `partnerwatch temporal setup`")
    return f"reachable at {where}; search attributes registered"


async def _pollers(client) -> str:
    settings = context.settings()
    wanted = [(settings.task_queue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, "workflows"),
              (settings.task_queue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, "store activities"),
              (settings.browser_task_queue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, "browser activities")]
    seen, idle = [], []
    for queue, kind, what in wanted:
        described = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
            namespace=client.namespace, task_queue=TaskQueue(name=queue), task_queue_type=kind))
        identities = {p.identity for p in described.pollers}
        (seen if identities else idle).append(f"{queue} ({what}): {len(identities)}" if identities else f"{queue} ({what})")
    if idle:
        raise Problem(f"no worker polls {', '.join(idle)}: start `python worker.py` with these settings")
    return "pollers on " + "; ".join(seen)


async def _schema() -> str:
    engine = engine_for(context.settings().database_url)
    found = await asyncio.to_thread(schema.state, engine)
    said = schema.refusal(engine, found)
    if said:
        raise Problem(said)
    return f"{schema.where(engine)} at {found.current} (head)"


async def _keys() -> str:
    settings = context.settings()
    masters, codec_keys = settings.master_keys(), settings.codec_keys()
    codec = EncryptionCodec(codec_keys)
    probe = Payload(metadata={"encoding": b"binary/plain"}, data=b"partnerwatch doctor")
    if (await codec.decode(await codec.encode([probe])))[0] != probe:
        raise Problem("the payload codec's keys do not round-trip a payload")
    engine = engine_for(settings.database_url)

    def open_data_keys() -> int:
        with session_scope(engine) as session:
            return Vault(masters).verify(session)

    opened = await asyncio.to_thread(open_data_keys)
    return (f"master key {masters.active} opens the store's {opened} data key(s); "
            f"codec key {codec_keys.active} round-trips a payload")


async def _alerts() -> str:
    engine = engine_for(context.settings().database_url)

    def look() -> alerts.Health:
        with session_scope(engine) as session:
            return alerts.health(session)

    found = await asyncio.to_thread(look)
    if found.waiting_events:
        raise Problem(f"{found.waiting_events} event(s) have waited over {alerts.RELAY_LATE.seconds // 60} min for the "
                      "outbox relay: is a worker running against this store?")
    if found.disabled:
        raise Problem(f"disabled destination(s): {'; '.join(found.disabled)} (`partnerwatch alerts enable NAME`)")
    return (f"{found.destinations} destination(s) enabled; {found.pending} delivery(ies) pending, "
            f"{found.exhausted_last_week} exhausted in the last 7 days")


async def _chromium() -> str:
    async with async_playwright() as playwright:
        path = chromium_executable(playwright, context.settings().chromium)
        browser = await launch_chromium(playwright, context.settings().chromium)
        try:
            page = await browser.new_page()
            await page.set_content("<title>ok</title>")
            title = await page.title()
            version = browser.version
        finally:
            await browser.close()
    if title != "ok":
        raise Problem(f"{path} launched but did not render a page")
    return f"{path or 'Playwright build'} launches (version {version})"


async def _site() -> str:
    url = context.settings().pinterest_url.rstrip("/") + "/login"
    async with httpx.AsyncClient(timeout=10, follow_redirects=True) as http:
        try:
            answer = await http.get(url)
        except httpx.HTTPError as error:
            raise Problem(f"{url} does not answer ({type(error).__name__}: {error})") from None
    if answer.status_code != 200:
        raise Problem(f"{url} answered {answer.status_code}")
    return f"{url} answers 200"


async def _examine(part: str, probe: Callable[[], Awaitable[str]]) -> Finding:
    try:
        return Finding(part, True, await asyncio.wait_for(probe(), PART_TIMEOUT_S))
    except asyncio.TimeoutError:
        return Finding(part, False, f"no answer within {PART_TIMEOUT_S}s")
    except Problem as problem:
        return Finding(part, False, str(problem))
    except Exception as error:  # any other failure is this part's finding, never the report's end
        said = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return Finding(part, False, f"{type(error).__name__}: {said}"[:300])


async def examine_all() -> list[Finding]:
    findings = [await _examine("schema", _schema), await _examine("keys", _keys), await _examine("alerts", _alerts),
                await _examine("site", _site), await _examine("chromium", _chromium)]
    try:
        client = await asyncio.wait_for(context.temporal(), PART_TIMEOUT_S)
    except Exception as error:
        why = "connection refused" if "ConnectionRefused" in str(error) else f"{type(error).__name__}: {error}"[:200]
        said = f"cannot reach Temporal at {context.settings().temporal_connect_config()['target_host']} ({why})"
        findings[:0] = [Finding("temporal", False, said), Finding("pollers", False, "not examined: no Temporal")]
        return findings
    findings[:0] = [await _examine("temporal", lambda: _temporal(client)), await _examine("pollers", lambda: _pollers(client))]
    return findings


def doctor() -> int:
    """Check that Temporal, the workers, the store's schema, the keys, the alerts (events relayed, no
    destination disabled), Chromium and the site are all there: one line each, exit 1 when any is not."""
    findings = context.run(examine_all())
    for finding in findings:
        print(f"{'ok  ' if finding.ok else 'FAIL'}  {finding.part:<9} {finding.said}", flush=True)
    return 0 if all(f.ok for f in findings) else 1

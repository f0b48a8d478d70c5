"""Canary credentials through a full onboarding and two checks (and a failing third): the password,
the TOTP secret and the codes used appear nowhere in plaintext: not in histories (raw or decoded),
search attributes, memos, logs, the artifacts folder or the database file's bytes."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
from pathlib import Path

import pytest

from pinterest_reader.artifacts import contains_secret
from temporal_common.codec import EncryptionCodec
from totp import current_code
from pinterest_sim.control import running_site
from temporalio.api.common.v1 import Payload
from tests.helpers import DEMO_WORLD, NORTHWIND, WS, ok, store_bytes, workspace_with_partners

# End to end: worker, browser, site and CLI for real (deselect with -m 'not slow').
pytestmark = pytest.mark.slow

CANARY_PASSWORD = f"CanaryPw-{secrets.token_hex(8)}"
CANARY_TOTP = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
MONITOR = "monitor@northwind.example"


@pytest.fixture(scope="module")
def sim_session(tmp_path_factory):
    """The demo world, with canaries as the Northwind monitor account's secrets."""
    world = json.loads(DEMO_WORLD.read_text())
    for account in world["accounts"]:
        if account["email"] == MONITOR:
            account["password"], account["totp_secret"] = CANARY_PASSWORD, CANARY_TOTP
    path = tmp_path_factory.mktemp("canary") / "world.json"
    path.write_text(json.dumps(world))
    with running_site(path) as control:
        yield control


def _payload_blobs(node, found: list[bytes]) -> None:
    """Every payload's data in a history's JSON, decoded from base64."""
    if isinstance(node, dict):
        if "data" in node and "metadata" in node and isinstance(node["data"], str):
            payload = Payload(data=base64.b64decode(node["data"]),
                              metadata={k: base64.b64decode(v) for k, v in node["metadata"].items()})
            found.append(payload.SerializeToString())
        for value in node.values():
            _payload_blobs(value, found)
    elif isinstance(node, list):
        for value in node:
            _payload_blobs(value, found)


async def test_canaries_appear_nowhere(cli, worker, sim, settings, temporal_env, capfd):
    codes: set[str] = set()

    async def sample_codes():
        while True:
            codes.add(current_code(CANARY_TOTP))
            await asyncio.sleep(1)

    sampler = asyncio.create_task(sample_codes())
    try:
        await workspace_with_partners(cli)
        await ok(cli, "partners", "onboard", "-w", WS, "-p", NORTHWIND, "--admin-email", "admin@northwind.example")
        await ok(cli, "guests", "accept", "-w", WS, "-p", NORTHWIND)
        await ok(cli, "monitor", "share", "-w", WS, "-p", NORTHWIND, "--email", MONITOR, "--password-stdin",
                 stdin=f"{CANARY_PASSWORD}\n{CANARY_TOTP}\n")
        await ok(cli, "monitor", "select", "-w", WS, "-p", NORTHWIND, "--account", MONITOR)
        for _ in range(2):
            await ok(cli, "partners", "check", "-w", WS, "-p", NORTHWIND, "--wait")
        # A third check fails after signing in: its artifacts must be clean too.
        sim.put_member({"business_id": NORTHWIND, "email": MONITOR, "name": "Northwind Monitor", "role": "Employee",
                        "status": "Active", "last_active": None, "assets": []})
        failed = await cli("partners", "check", "-w", WS, "-p", NORTHWIND, "--wait")
        assert failed.code == 1 and "UnderpermissionedAccount" in failed.out
    finally:
        sampler.cancel()
    secrets_ = [CANARY_PASSWORD, CANARY_TOTP]
    code_pattern = re.compile(r"(?<![\d.:\-])(" + "|".join(sorted(codes)) + r")(?!\d)")

    def leaks(text: str) -> list[str]:
        return [s for s in secrets_ if s in text] + code_pattern.findall(text)

    # Histories: raw JSON as exported, and every payload decrypted.
    codec = EncryptionCodec(settings.codec_keys())
    histories = 0
    async for execution in temporal_env.client.list_workflows(f'TaskQueue = "{settings.task_queue}"'):
        handle = temporal_env.client.get_workflow_handle(execution.id, run_id=execution.run_id)
        raw = (await handle.fetch_history()).to_json()
        assert not leaks(raw), execution.id
        blobs: list[bytes] = []
        _payload_blobs(json.loads(raw), blobs)
        decoded = await codec.decode([Payload.FromString(b) for b in blobs])
        assert not leaks(" ".join(p.data.decode("utf-8", "replace") for p in decoded)), execution.id
        description = await handle.describe()
        assert not leaks(str(description.search_attributes) + str(await description.memo()))
        histories += 1
    assert histories >= 5

    output = capfd.readouterr()
    assert not leaks(output.out + output.err)

    artifacts = [p for p in Path(settings.artifacts_dir).rglob("*") if p.is_file()]
    assert artifacts, "the failing check left no artifacts"
    for path in artifacts:
        assert not contains_secret(path, secrets_ + sorted(codes)), path

    data = store_bytes(settings.database_url)
    assert not any(s.encode() in data for s in secrets_), "a secret is in the store in plaintext"

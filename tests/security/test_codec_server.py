"""The codec server decodes for the Temporal UI's origin only, on loopback."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from payload_codec import EncryptionCodec
from pinterest_sim.control import free_port

UI = "http://localhost:8233"


@pytest.fixture
def codec_server():
    port = free_port()
    process = subprocess.Popen([sys.executable, str(Path(__file__).parents[2] / "codec_server.py"), "--port", str(port),
                                "--ui-origin", UI], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.options(base + "/decode")
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(10)


async def test_decodes_for_the_ui_origin_only(codec_server):
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'{"partner_id": "pt_1"}')
    [sealed] = await EncryptionCodec().encode([plain])
    assert b"pt_1" not in sealed.data
    body = json_format.MessageToJson(Payloads(payloads=[sealed]))
    answer = httpx.post(codec_server + "/decode", content=body, headers={"Origin": UI, "Content-Type": "application/json"})
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == UI
    decoded = json_format.Parse(answer.text, Payloads()).payloads[0]
    assert decoded.data == plain.data

    other = httpx.post(codec_server + "/decode", content=body, headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = httpx.options(codec_server + "/decode", headers={"Origin": "http://evil.example",
                                                               "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403
    preflight = httpx.options(codec_server + "/decode", headers={"Origin": UI, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and "X-Namespace" in preflight.headers["access-control-allow-headers"]

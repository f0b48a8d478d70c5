"""The codec server decodes for the Temporal UI's origin only, on loopback."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from config import Settings
from devtools.local_services import ROOT
from temporal_common.codec import EncryptionCodec
from pinterest_sim.control import free_port

UI = "http://localhost:8233"


@pytest.fixture
def codec_server():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "temporal_common.codec_server", "--port", str(port),
                                "--ui-origin", UI], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    [sealed] = await EncryptionCodec(Settings().codec_keys()).encode([plain])
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


def _page_server(port: int) -> subprocess.Popen:
    """A blank page on 127.0.0.1:port, standing in for the Temporal UI's origin."""
    return subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                            cwd=Path(__file__).parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def test_a_real_browser_decodes_from_the_ui_under_both_loopback_names(browser, tmp_path):
    """The UI's origins by default (PARTNERWATCH_TEMPORAL_UI_URL under localhost and 127.0.0.1): a page
    opened at either name reads decoded payloads; a page of another origin is refused by the browser."""
    ui_port, other_port, codec_port = free_port(), free_port(), free_port()
    env = {**os.environ, "PARTNERWATCH_TEMPORAL_UI_URL": f"http://localhost:{ui_port}"}
    env.pop("PARTNERWATCH_CODEC_UI_ORIGINS", None)
    servers = [subprocess.Popen([sys.executable, "-m", "temporal_common.codec_server", "--port",
                                 str(codec_port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
               _page_server(ui_port), _page_server(other_port)]
    try:
        for port in (codec_port, ui_port, other_port):
            for _ in range(100):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
        [sealed] = await EncryptionCodec(Settings().codec_keys()).encode([Payload(metadata={"encoding": b"json/plain"}, data=b'"pt_42"')])
        body = json_format.MessageToJson(Payloads(payloads=[sealed]))
        fetch = """async ([url, body]) => {
            try {
              const answer = await fetch(url, {method: 'POST', body,
                headers: {'Content-Type': 'application/json', 'X-Namespace': 'default'}});
              return (await answer.json()).payloads[0].data;
            } catch (error) { return 'refused: ' + error.name; }
        }"""
        page = await browser.new_page()
        try:
            for host in ("localhost", "127.0.0.1"):
                await page.goto(f"http://{host}:{ui_port}/")
                data = await page.evaluate(fetch, [f"http://127.0.0.1:{codec_port}/decode", body])
                assert base64.b64decode(data) == b'"pt_42"', (host, data)
            await page.goto(f"http://127.0.0.1:{other_port}/")
            assert await page.evaluate(fetch, [f"http://127.0.0.1:{codec_port}/decode", body]) == "refused: TypeError"
        finally:
            await page.close()
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)

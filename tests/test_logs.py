"""Logs show operators what they need (fault codes, pass counts) and never a secret, for structlog's
events and the standard library's records (the Temporal SDK's) alike."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

import logs


@pytest.fixture
def json_lines(capfd):
    """Reads the JSON log lines printed since the last read. Logging is configured in the test's own
    phase, where stderr is the one that capfd reads."""
    configured = []

    def read() -> list[dict]:
        if not configured:
            logs.configure("INFO", "json")
            configured.append(True)
            capfd.readouterr()
            return []
        return [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]

    yield read
    logs.configure("WARNING", "console")


def test_fault_codes_and_counts_stay_readable(json_lines):
    json_lines()
    structlog.get_logger("test.read").warning("read.fault", code="SiteChanged", passes=2, lasting=True,
                                              passcode_hint="none", bypass=1)
    [line] = json_lines()
    assert (line["event"], line["code"], line["passes"], line["bypass"], line["level"]) == (
        "read.fault", "SiteChanged", 2, 1, "warning")


def test_secret_fields_are_masked_at_any_depth(json_lines):
    json_lines()
    structlog.get_logger("test.nested").info(
        "x", password="hunter2", outer={"inner": {"totp_secret": "JBSWY3DPEHPK3PXP", "email": "m@x.example"}},
        cookies=[{"name": "sim_session", "value": "abc"}], headers={"Authorization": "Bearer t0k3n", "Set-Cookie": "s=1"})
    [line] = json_lines()
    assert line["password"] == "***" and line["cookies"] == "***"
    assert line["outer"]["inner"] == {"totp_secret": "***", "email": "m@x.example"}
    assert line["headers"] == {"Authorization": "***", "Set-Cookie": "***"}


def test_known_secret_values_are_masked_wherever_they_appear(json_lines):
    json_lines()
    logs.register_secret("Canary-Pa55word-7781", "GEZDGNBVGY3TQOJQCANARY")
    log = structlog.get_logger("test.values")
    log.error("sign-in failed for Canary-Pa55word-7781", detail={"note": ["seed GEZDGNBVGY3TQOJQCANARY"]})
    try:
        raise RuntimeError("boom with Canary-Pa55word-7781 inside")
    except RuntimeError:
        log.exception("crashed")
    text = json.dumps(json_lines())
    assert "Canary-Pa55word-7781" not in text and "GEZDGNBVGY3TQOJQCANARY" not in text
    assert text.count("***") >= 3 and "RuntimeError" in text


def test_standard_library_records_go_through_the_same_chain(json_lines):
    json_lines()
    logs.register_secret("Canary-Stdlib-Secret-55")
    logging.getLogger("temporalio.worker._workflow").warning(
        "Failed activation with %s and cookie=raw-cookie-value", "Canary-Stdlib-Secret-55")
    [line] = json_lines()
    assert line["logger"] == "temporalio.worker._workflow" and line["level"] == "warning"
    assert "Canary-Stdlib-Secret-55" not in line["event"] and "raw-cookie-value" not in line["event"]
    assert line["event"].startswith("Failed activation with ***")

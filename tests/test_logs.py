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


def _fault_sentences() -> list[str]:
    """Every sentence the reader, the pass and the browsing context say, as written in their source:
    the words an operator reads in a task's reason and in the logs."""
    import ast
    from pathlib import Path

    said = []
    for path in ["pinterest_reader/client.py", "pinterest_reader/members_pass.py", "pinterest_reader/errors.py",
                 "activities/browsing.py", "activities/site.py"]:
        for node in ast.walk(ast.parse(Path(path).read_text())):
            text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
            if " " in text and text[:1].isupper() and text.rstrip().endswith((".", ")")):
                said.append(node.value)
    return said


def test_sentences_of_the_fault_vocabulary_read_as_written(json_lines):
    sentences = _fault_sentences()
    assert any("session expired" in s for s in sentences)  # the sentences that the old rule broke are here
    json_lines()
    log = structlog.get_logger("test.words")
    for sentence in sentences:
        log.warning("read.fault", reason=sentence)
    assert [line["reason"] for line in json_lines()] == sentences


@pytest.mark.parametrize("text, masked", [
    ("Cookie: sim_session=Zk3-qL9_aa; theme=dark", "Cookie: sim_session=***; theme=***"),
    ("set-cookie: sim_session=Zk3-qL9_aa; Path=/; HttpOnly; SameSite=Lax",
     "set-cookie: sim_session=***; Path=***; HttpOnly; SameSite=***"),
    ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "Authorization: ***"),
    ("sent with Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig to the hook", "sent with Bearer *** to the hook"),
    ("GET /login?next=/business/&sim_session=Zk3-qL9_aa HTTP/1.1", "GET /login?next=/business/&sim_session=*** HTTP/1.1"),
    ("csrf_token = 9f8e7d6c, then", "csrf_token = ***, then"),
    ("The bearer of this message is the session cookie's owner.",
     "The bearer of this message is the session cookie's owner."),
    ("inside=5 consider=2 passes=3", "inside=5 consider=2 passes=3"),
])
def test_cookie_and_bearer_values_are_masked_in_their_own_forms(json_lines, text, masked):
    json_lines()
    structlog.get_logger("test.forms").info("http", detail=text)
    [line] = json_lines()
    assert line["detail"] == masked

"""The shapes and rules said once in common/: Retry-After in both of its forms, the CSV formula guard,
and the grant columns that take no other shape."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest
from pydantic import ValidationError
from sqlalchemy.exc import StatementError
from sqlmodel import Session

from common.csv_cells import safe_cell
from common.grants import AssetGrant, SharedAsset, grants_text
from common.retry_after import retry_after_s
from models.tables import Partner, Workspace

NOW = datetime(2026, 12, 7, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("header, seconds", [
    ("7", 7.0), (" 120 ", 120.0), ("0", 0.0), ("1.5", 1.5),
    ("Mon, 07 Dec 2026 12:00:30 GMT", 30.0),  # IMF-fixdate
    ("Monday, 07-Dec-26 12:01:00 GMT", 60.0),  # RFC 850, obsolete but allowed
    ("Mon Dec  7 12:00:10 2026", 10.0),  # asctime: no zone, GMT by definition
    ("Mon, 01 Jan 2001 00:00:00 GMT", 0.0),  # past: at once
    (None, None), ("", None), ("soon", None), ("-5", 0.0), ("nan", None), ("inf", None),
])
def test_retry_after_reads_seconds_and_every_http_date_form(header, seconds):
    assert retry_after_s(header, now=NOW) == seconds


def test_the_browser_and_the_senders_read_retry_after_through_the_one_parser():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in ("pinterest_reader/client.py", "alerting/senders.py"):
        text = (root / path).read_text()
        assert "retry_after_s(" in text and "parsedate" not in text and ".isdigit()" not in text, path


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_formula_cell_is_quoted_and_survives_a_csv_round_trip(text):
    out = io.StringIO()
    csv.writer(out).writerow([safe_cell(text), safe_cell("Ada")])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'" + text, "Ada"]


def test_a_grant_says_itself_one_way_everywhere():
    grant = AssetGrant(asset_id="1001", asset_name="Spring ads", permission="Admin")
    assert str(grant) == "Spring ads (1001): Admin"
    assert grants_text([grant.model_dump(), {"asset_id": "7", "permission": "Analyst"}]) == \
        "Spring ads (1001): Admin;  (7): Analyst"
    assert str(SharedAsset(asset_id="1001", name="Spring ads")) == "Spring ads (1001)"


def test_a_grant_column_stores_only_the_grant_shape(engine):
    with Session(engine) as session:
        workspace = Workspace(name="Shapes")
        session.add(workspace)
        session.flush()
        workspace_id = workspace.id
        partner = Partner(workspace_id=workspace_id, business_id="42", name="P", relationship="has_access",
                          shared_assets=[SharedAsset(asset_id="1", name="A"), {"asset_id": "2", "name": "B", "extra": 1}])
        session.add(partner)
        session.commit()
        session.refresh(partner)
        assert partner.shared_assets == [{"asset_id": "1", "name": "A", "direction": ""},
                                         {"asset_id": "2", "name": "B", "direction": ""}]
    with Session(engine) as session, pytest.raises(StatementError) as refused:
        session.add(Partner(workspace_id=workspace_id, business_id="43", name="Q", relationship="has_access",
                            shared_assets=[{"name": "no id"}]))
        session.commit()
    assert isinstance(refused.value.orig, ValidationError) and "asset_id" in str(refused.value.orig)

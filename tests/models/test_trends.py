"""The charts' figures, on both stores: people after each completed check, and changes per week."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from models import tasks, trends
from models.db import session_scope
from models.statuses import TaskStatus
from tests.models.conftest import row, run_check


def _completed(engine, ws_id, partner_id, emails):
    task_id, counts = run_check(engine, ws_id, partner_id, [[row(e) for e in emails]])
    with session_scope(engine) as session:
        tasks.finish(session, tasks.get(session, task_id), TaskStatus.COMPLETED, counts, None)
    return counts


def test_people_after_each_check_and_changes_per_week(store):
    engine, ws_id, partner_id = store
    _completed(engine, ws_id, partner_id, ["a@x.example", "b@x.example", "c@x.example"])
    _completed(engine, ws_id, partner_id, ["a@x.example", "d@x.example"])  # +1 -2
    run_check(engine, ws_id, partner_id, [[row("a@x.example")]])  # imported, its task never finished: a point too

    with session_scope(engine) as session:
        series = trends.people_over_time(session, ws_id)
        assert [count for _, count in series[partner_id]] == [3, 2, 1]
        assert trends.people_over_time(session, ws_id, now=datetime.now(timezone.utc) + timedelta(days=91)) == {}
        weeks = trends.changes_per_week(session, ws_id, weeks=4)
    assert [week for week, _ in weeks] == [trends.week_of(datetime.now(timezone.utc).date()) - timedelta(weeks=n) for n in (3, 2, 1, 0)]
    # The first check is the baseline, not a change; the third check's removal counts too.
    assert weeks[-1][1] == {"added": 1, "changed": 0, "removed": 3}
    assert all(counts == {"added": 0, "changed": 0, "removed": 0} for _, counts in weeks[:-1])

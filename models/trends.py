"""Figures over time for the console's charts: each partner's people after each check, and the
changes of each week. Read from what checks already record (their counts, the change log)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func
from sqlmodel import Session, select

from models.changes import BASELINE
from models.tables import AutomationTask, ChangeLog, PartnerPerson


def people_over_time(session: Session, workspace_id: str, days: int = 90,
                     now: datetime | None = None) -> dict[str, list[tuple[datetime, int]]]:
    """For each partner, how many people it had after each import of the last `days` days (every
    import changed them, whatever became of its task). Worked back from how many it has now, so
    that only those checks are read, however long the history."""
    since = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    current = dict(session.exec(select(PartnerPerson.partner_id, func.count())
                                .where(PartnerPerson.workspace_id == workspace_id, PartnerPerson.removed_at.is_(None))
                                .group_by(PartnerPerson.partner_id)).all())
    rows = session.exec(select(AutomationTask.partner_id, AutomationTask.imported_at, AutomationTask.added,
                               AutomationTask.removed)
                        .where(AutomationTask.workspace_id == workspace_id, AutomationTask.partner_id.is_not(None),
                               AutomationTask.imported_at >= since)
                        .order_by(AutomationTask.imported_at.desc()))
    series: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    after = dict(current)
    for partner_id, at, added, removed in rows:
        count = after.get(partner_id, 0)
        series[partner_id].append((at, count))
        after[partner_id] = count - added + removed  # what it had before this check
    return {partner_id: points[::-1] for partner_id, points in series.items()}


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def changes_per_week(session: Session, workspace_id: str, weeks: int = 12,
                     today: date | None = None) -> list[tuple[date, dict[str, int]]]:
    """The last `weeks` weeks (Monday first), oldest first, each with its added, changed and removed (a
    partner's first check, its baseline, changed nobody)."""
    today = today or datetime.now(timezone.utc).date()  # the change log is in UTC
    first = week_of(today) - timedelta(weeks=weeks - 1)
    day = func.date(ChangeLog.at)
    rows = session.exec(select(day, ChangeLog.change, func.count())
                        .join(AutomationTask, AutomationTask.id == ChangeLog.task_id)
                        .where(AutomationTask.workspace_id == workspace_id, ChangeLog.change != BASELINE,
                               ChangeLog.at >= datetime.combine(first, time.min, timezone.utc))
                        .group_by(day, ChangeLog.change))
    buckets = {first + timedelta(weeks=n): {"added": 0, "changed": 0, "removed": 0} for n in range(weeks)}
    for when, kind, count in rows:
        when = when if isinstance(when, date) else date.fromisoformat(str(when))
        buckets.setdefault(week_of(when), {"added": 0, "changed": 0, "removed": 0})[kind] += count
    return sorted(buckets.items())

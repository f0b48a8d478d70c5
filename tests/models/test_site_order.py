"""The site's order, never the store's, on SQLite and PostgreSQL of every collation: a page read again
is compared with what was stored of it in the order the site showed it, and a person the pass missed is
looked for where they were last seen before anyone records them as removed."""

from __future__ import annotations

import pytest

from models import people, tasks
from models.db import session_scope
from models.tables import PartnerPerson
from sqlmodel import select
from tests.helpers import EVERY_STORE
from tests.models.conftest import import_check, read_check, row

# An order that none of the stores' collations gives (C, en_US.UTF-8, ICU and SQLite's BINARY all put
# `a.b` and `ab` elsewhere): what a site's own collation may show.
AS_SHOWN = ["Zed@x.io", "ab@x.io", "a.b@x.io", "a-c@x.io", "Ab.d@x.io", "0@x.io"]


@pytest.mark.parametrize("store_backend", EVERY_STORE)
def test_a_page_is_compared_in_the_order_the_site_showed_it(store):
    engine, ws, pt = store
    task_id = read_check(engine, ws, pt, [[row(e) for e in AS_SHOWN], [row("z@x.io")]], complete=False)
    with session_scope(engine) as session:
        assert people.page_emails(session, task_id, 1) == [e.lower() for e in AS_SHOWN]
        # A page stored again (a retried attempt's read of it) keeps its new order.
        task = tasks.get(session, task_id)
        people.save_snapshot_page(session, task, 1, 2, [row(e) for e in reversed(AS_SHOWN)])
    with session_scope(engine) as session:
        assert people.page_emails(session, task_id, 1) == [e.lower() for e in reversed(AS_SHOWN)]


def pages_of(emails: list[str], size: int = 25) -> list[list]:
    return [[row(e) for e in emails[i:i + size]] for i in range(0, len(emails), size)]


EVERYONE = [f"p{n:03d}@x.io" for n in range(125)]  # five pages


def absent_after(engine, ws, pt, listed: list[str]) -> tuple[str, dict[str, list[int]]]:
    task_id = read_check(engine, ws, pt, pages_of(listed), complete=False)
    with session_scope(engine) as session:
        task = tasks.get(session, task_id)
        return task_id, people.absent_people(session, task, task.pages_total)


def test_people_the_pass_missed_are_looked_for_on_their_page_and_beside_it(store):
    engine, ws, pt = store
    import_check(engine, read_check(engine, ws, pt, pages_of(EVERYONE)), pt)
    with session_scope(engine) as session:
        seen = dict(session.exec(select(PartnerPerson.email_key, PartnerPerson.seen_page)).all())
    assert (seen["p000@x.io"], seen["p024@x.io"], seen["p025@x.io"], seen["p124@x.io"]) == (1, 1, 2, 5)

    # p074 was on page 3: pages 2-4. p000 was on page 1: pages 1-2 (there is no page 0), and since its
    # leaving moved page 3's first person (p050) onto page 2, p074 is looked for from page 1 on.
    _, absent = absent_after(engine, ws, pt, [e for e in EVERYONE if e != "p074@x.io"])
    assert absent == {"p074@x.io": [2, 3, 4]}
    _, absent = absent_after(engine, ws, pt, [e for e in EVERYONE if e not in ("p074@x.io", "p000@x.io")])
    assert absent == {"p074@x.io": [1, 2, 3, 4], "p000@x.io": [1, 2]}


def test_when_the_list_moved_since_the_last_check_the_pages_its_neighbours_moved_to_are_read_too(store):
    engine, ws, pt = store
    import_check(engine, read_check(engine, ws, pt, pages_of(EVERYONE)), pt)
    # 30 people joined ahead of everyone: page 3's people are now on pages 4 and 5.
    newcomers = [f"a{n:03d}@x.io" for n in range(30)]
    listed = newcomers + [e for e in EVERYONE if e != "p060@x.io"]
    _, absent = absent_after(engine, ws, pt, listed)
    assert absent == {"p060@x.io": [2, 3, 4, 5, 6]}


def test_someone_stored_before_pages_were_kept_is_looked_for_on_every_page(store):
    engine, ws, pt = store
    import_check(engine, read_check(engine, ws, pt, pages_of(EVERYONE)), pt)
    with session_scope(engine) as session:
        person = session.exec(select(PartnerPerson).where(PartnerPerson.email_key == "p060@x.io")).one()
        person.seen_page = None
        session.add(person)
    _, absent = absent_after(engine, ws, pt, [e for e in EVERYONE if e != "p060@x.io"])
    assert absent == {"p060@x.io": [1, 2, 3, 4, 5]}


def test_a_person_found_again_is_not_removed_and_the_pages_read_again_are_counted(store):
    engine, ws, pt = store
    import_check(engine, read_check(engine, ws, pt, pages_of(EVERYONE)), pt)
    listed = [e for e in EVERYONE if e not in ("p060@x.io", "p061@x.io")]
    task_id, absent = absent_after(engine, ws, pt, listed)
    assert set(absent) == {"p060@x.io", "p061@x.io"}
    with session_scope(engine) as session:
        task = tasks.get(session, task_id)
        people.save_found_again(session, task, [(3, row("p060@x.io"))], rereads=3)  # p061 really left
        people.complete_snapshot(session, task)
    _, result = import_check(engine, task_id, pt)
    assert (result.added, result.changed, result.removed) == (0, 0, 1)
    with session_scope(engine) as session:
        assert tasks.get(session, task_id).removal_rereads == 3
        removed = session.exec(select(PartnerPerson.email_key).where(PartnerPerson.removed_at.is_not(None))).all()
        # A person found again is part of no page as the pass read it: no witness compares with it.
        assert people.page_emails(session, task_id, 3) == listed[50:75]
    assert removed == ["p061@x.io"]


@pytest.mark.parametrize("store_backend", EVERY_STORE)
def test_keyset_pages_of_people_show_everyone_once_in_any_collation(store):
    """The console's and the API's pages of people go on from the last row's sort values, compared by
    the store in its own collation, the one its ORDER BY uses: names and emails that only punctuation
    and case tell apart neither repeat nor vanish across pages."""
    from models import paging
    from models.tables import PartnerPerson

    engine, ws, pt = store
    names = ["ab", "a.b", "A-b", "AB", "a_b", "a b", "Ab.", "ab.", "é", "e", "E"]
    emails = [f"{n.replace(' ', '').lower()}{i}@x.io" for i, n in enumerate(names)]
    people_rows = [row(e, name=n) for e, n in zip(emails, names)]
    import_check(engine, read_check(engine, ws, pt, [people_rows]), pt)
    for columns in ((PartnerPerson.name, PartnerPerson.id), (PartnerPerson.email_key, PartnerPerson.id)):
        seen, after = [], None
        with session_scope(engine) as session:
            while True:
                rows, after = paging.page(session, people.people_query(ws, pt), paging.Order(columns), after, 3)
                seen += [r.email for r in rows]
                if after is None:
                    break
        assert sorted(seen) == sorted(emails), columns

"""docs/EVENTS.md says what models/events.py does: regenerated, it is the same; every example validates."""

from pathlib import Path

from devtools.event_docs import EXAMPLES, render
from models import events

DOC = Path(__file__).parent.parent / "docs" / "EVENTS.md"


def test_the_events_document_is_current():
    assert DOC.read_text() == render(), "docs/EVENTS.md is out of date: python -m devtools.event_docs > docs/EVENTS.md"


def test_every_event_type_has_an_example_that_validates():
    assert {e.type for e in EXAMPLES} == set(events.EventType)
    for example in EXAMPLES:
        again = events.EVENT_DATA.validate_python(example.model_dump(mode="json"))
        assert again == example

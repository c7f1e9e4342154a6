"""`pk capture`'s sentence grammar, as one table: what is accepted (direction, person, title,
deadline) and what is refused (and the words of the refusal). Pinned at Wed 2 Dec 2026 10:00 in
Europe/Berlin: "fri" is Fri 4 Dec, "tomorrow" Thu 3 Dec, a bare date ends at 17:00."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from promisekeeper.config import settings_from_dict
from promisekeeper.core.capture import FORMS, Captured, read_sentence
from promisekeeper.errors import BadInput

SETTINGS = settings_from_dict({"timezone": "Europe/Berlin"})
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
FRI = "2026-12-04T17:00:00+01:00"

ACCEPTED = [
    # I'll / I will / will VERB … PERSON … by WHEN: a promise to PERSON, the title imperative.
    (
        "I'll send Dana the Q3 headcount numbers by fri 3pm",
        "to",
        "Dana",
        "Send the Q3 headcount numbers",
        "2026-12-04T15:00:00+01:00",
    ),
    ("I'll send the Q3 numbers to Dana by fri", "to", "Dana", "Send the Q3 numbers", FRI),
    (
        "I will review the deck for Sam by tomorrow",
        "to",
        "Sam",
        "Review the deck",
        "2026-12-03T17:00:00+01:00",
    ),
    (
        "will send Jean-Luc the invoice by dec 10",
        "to",
        "Jean-Luc",
        "Send the invoice",
        "2026-12-10T17:00:00+01:00",
    ),
    # A curly apostrophe, as phones and chat apps type it; a multi-word, non-ASCII name.
    (
        "I’ll send Zoë Müller the floor plan by thu",
        "to",
        "Zoë Müller",
        "Send the floor plan",
        "2026-12-03T17:00:00+01:00",
    ),
    (
        "I will review the deck for O'Brien by next fri",
        "to",
        "O'Brien",
        "Review the deck",
        "2026-12-11T17:00:00+01:00",
    ),
    ("I'll share the agenda with Priya by fri", "to", "Priya", "Share the agenda", FRI),
    ("I'll send the deck to Dana for review by fri", "to", "Dana", "Send the deck for review", FRI),
    (
        "I'll follow up with Dana on the contract by fri",
        "to",
        "Dana",
        "Follow up on the contract",
        FRI,
    ),
    # The name stays when nothing would be left without it, or it is the verb's object.
    ("I'll call Dana by fri", "to", "Dana", "Call Dana", FRI),
    ("I'll get back to Dana by fri", "to", "Dana", "Get back to Dana", FRI),
    ("I'll ask Dana about the venue by fri", "to", "Dana", "Ask Dana about the venue", FRI),
    (
        "I'll talk to Dana and review the deck by fri",
        "to",
        "Dana",
        "Talk to Dana and review the deck",
        FRI,
    ),
    # Capitalised words outside a person's place belong to the title; possessives are not people.
    ("I'll send the Berlin numbers to Dana by fri", "to", "Dana", "Send the Berlin numbers", FRI),
    ("I'll review Dana's draft for Lee by fri", "to", "Lee", "Review Dana's draft", FRI),
    ("I'll send the May figures to Dana by fri", "to", "Dana", "Send the May figures", FRI),
    # Case, spacing and a full stop don't matter; the deadline grammar is --due's.
    (
        "i'll   send Dana the notes by Fri 3PM.",
        "to",
        "Dana",
        "Send the notes",
        "2026-12-04T15:00:00+01:00",
    ),
    (
        "I'll send the deck to Ana by dec 3, 2026",
        "to",
        "Ana",
        "Send the deck",
        "2026-12-03T17:00:00+01:00",
    ),
    (
        "I'll send Dana the notes by in 2 days",
        "to",
        "Dana",
        "Send the notes",
        "2026-12-04T10:00:00+01:00",
    ),
    (
        "I'll send Dana the notes by 2026-12-09",
        "to",
        "Dana",
        "Send the notes",
        "2026-12-09T17:00:00+01:00",
    ),
    # I owe PERSON …: the thing owed, without its article.
    (
        "I owe Lee the budget review by mon",
        "to",
        "Lee",
        "Budget review",
        "2026-12-07T17:00:00+01:00",
    ),
    ("I owe Lee a reply by eod", "to", "Lee", "Reply", "2026-12-02T17:00:00+01:00"),
    (
        "I owe the budget review to Lee by mon",
        "to",
        "Lee",
        "Budget review",
        "2026-12-07T17:00:00+01:00",
    ),
    # PERSON will … (me) …: PERSON's promise to me.
    (
        "Sam will get me the floor plan by tomorrow",
        "from",
        "Sam",
        "Get the floor plan",
        "2026-12-03T17:00:00+01:00",
    ),
    ("Sam will send the notes to me by fri", "from", "Sam", "Send the notes", FRI),
    ("Sam will call me back by fri", "from", "Sam", "Call me back", FRI),
    ("Sam will get back to me by fri", "from", "Sam", "Get back to me", FRI),
    ("Sam will review the draft by fri", "from", "Sam", "Review the draft", FRI),
    (
        "Zoë Müller will send me the Berlin figures by fri noon",
        "from",
        "Zoë Müller",
        "Send the Berlin figures",
        "2026-12-04T12:00:00+01:00",
    ),
    # PERSON owes me …
    ("Sam owes me a reply by fri 3pm", "from", "Sam", "Reply", "2026-12-04T15:00:00+01:00"),
    ("Sam owes the slides to me by mon", "from", "Sam", "Slides", "2026-12-07T17:00:00+01:00"),
]

REFUSED = [
    # Two possible people: never pick one.
    ("I'll send Dana and Lee the notes by fri", "two possible people"),
    ("I'll send Dana, Lee the notes by fri", "two possible people"),
    ("I'll send Dana the notes for Lee by fri", "two possible people (Dana and Lee)"),
    ("I'll send the notes to Dana and the team by fri", "two possible people"),
    ("Dana and Lee will send me the notes by fri", "two possible people"),
    ("Sam will send Dana the notes by fri", "two possible people (Sam and Dana)"),
    ("Sam owes Dana the slides by fri", "two possible people (Sam and Dana)"),
    # Two dates: never pick one.
    ("I'll send Dana the notes by fri or mon", "two dates in 'by fri or mon'"),
    ("I'll send Dana the notes by fri, mon", "two dates"),
    ("I'll send Dana the notes tomorrow by fri", "two dates ('tomorrow' and 'by fri')"),
    ("I'll send Dana the notes at 3pm by fri", "two dates ('3pm'"),
    ("I'll send Dana the dec 3 notes by fri", "two dates ('dec 3'"),
    ("Sam will send me the notes on Monday by fri", "two dates ('Monday'"),
    # No one, no deadline, nothing promised.
    ("I'll send the notes by fri", "no person in 'send the notes'"),
    ("I'll send dana the notes by fri", "no person"),
    ("I'll review Dana's draft by fri", "no person"),
    ("I'll send Dana the notes", "no deadline"),
    ("I'll send Dana the notes by", "no deadline after 'by'"),
    ("by fri", "nothing promised"),
    ("I owe Lee by fri", "say what is owed"),
    ("Sam owes the slides by fri", "'owes' needs 'me'"),
    # Not a promise, or not one of the forms.
    ("I won't send Dana the notes by fri", "'won't' is not a promise"),
    ("I will not send Dana the notes by fri", "'not' is not a promise"),
    ("Will you send me the notes by fri?", "a question is not a promise"),
    ("Please send Dana the notes by fri", "can't read"),
    ("The team will send me the notes by fri", "'The team' is not a name"),
    ("HR will send me the forms by fri", "'HR' is not a name"),
    ("I'll send Dana the notes by fri. Sam will call me by mon", "one promise, one sentence"),
    # The deadline is --due's grammar, with its own words.
    ("I'll send Dana the notes by blorp", "can't read 'blorp' as a date"),
    ("I'll send Dana the notes by 01/02/2027", "ambiguous"),
    ("I'll send Dana the notes by today 9am", "already past"),
    # Text pk never stores.
    ("I'll send Dana the \x1b[31mnotes by fri", "control character"),
    ("", "the sentence is empty"),
]


@pytest.mark.parametrize(("sentence", "direction", "person", "title", "due"), ACCEPTED)
def test_accepted(sentence: str, direction: str, person: str, title: str, due: str) -> None:
    captured = read_sentence(sentence, NOW, SETTINGS)
    assert captured == Captured(
        title=title,
        person=person,
        direction=direction,  # type: ignore[arg-type]
        due=datetime.fromisoformat(due),
        due_text=captured.due_text,
    )
    assert captured.due.isoformat() == due


@pytest.mark.parametrize(("sentence", "fragment"), REFUSED)
def test_refused(sentence: str, fragment: str) -> None:
    with pytest.raises(BadInput) as refused:
        read_sentence(sentence, NOW, SETTINGS)
    message = str(refused.value)
    assert fragment in message
    assert "\n" not in message


def test_the_table_is_large() -> None:
    # The issue asks for at least 40 sentences; keep the table honest as it is edited.
    assert len(ACCEPTED) + len(REFUSED) >= 40


def test_unreadable_sentences_list_every_form_with_an_example() -> None:
    with pytest.raises(BadInput) as refused:
        read_sentence("Please send Dana the notes by fri", NOW, SETTINGS)
    message = str(refused.value)
    assert message.endswith(FORMS)
    for example in (
        "I'll send the notes to Dana by fri",
        "Sam will get me the floor plan by tomorrow",
        "I owe Lee the budget review by mon",
        "Sam owes me the slides by fri 3pm",
    ):
        assert example in message
        # Each example in the message is itself accepted: the help never lies.
        read_sentence(example, NOW, SETTINGS)


def test_due_text_is_the_deadline_as_written() -> None:
    captured = read_sentence("I'll send Dana the notes by Fri 3pm.", NOW, SETTINGS)
    assert captured.due_text == "Fri 3pm"


def test_a_past_deadline_is_allowed_when_asked() -> None:
    captured = read_sentence(
        "I'll send Dana the notes by today 9am", NOW, SETTINGS, allow_past=True
    )
    assert captured.due.isoformat() == "2026-12-02T09:00:00+01:00"


def test_the_deadline_follows_the_last_by() -> None:
    # "stop by" is part of the promise; only the final "by" starts the deadline.
    captured = read_sentence("I'll stop by the office for Dana by fri", NOW, SETTINGS)
    assert (captured.title, captured.person, captured.due.isoformat()) == (
        "Stop by the office",
        "Dana",
        FRI,
    )

"""`pk capture`: read a promise from the sentence people write in chat.

Four forms, nothing else (FORMS below is the message that lists them):

    I'll / I will / will VERB … [(to|for|with) PERSON] … by WHEN    a promise to PERSON
    PERSON will VERB … [me] … by WHEN                                PERSON's promise to me
    I owe PERSON … by WHEN  /  I owe … to PERSON by WHEN             a promise to PERSON
    PERSON owes me … by WHEN  /  PERSON owes … to me by WHEN          PERSON's promise to me

WHEN is everything after the last word "by" and is read by `dates.parse_deadline`, the grammar
of `--due`, so the two never disagree.

Who: the person stands in one of the places a person stands in these sentences — right after the
verb ("send Dana the notes"), after to/for/with ("send the notes to Dana"), or as the subject
("Dana will …"). A name is a run of one to three capitalised words ("Dana", "Zoë Müller",
"Mary O'Brien", "Jean-Luc"); all-capital words (HR, KPI), possessives (Dana's), pronouns, weekdays
and months are not names. Capitalised words elsewhere ("the Berlin numbers") are part of the title.

Never guess: two people in those places ("send Dana the notes for Lee", "Dana and Lee"), a second
date anywhere before "by" ("tomorrow", "3pm", "dec 3") or two dates after it ("fri or mon"), and
anything the four forms don't cover are refused with `BadInput`.

Titles use the sentence's own words, as an imperative for the "will" forms and as the thing owed
for the "owe" forms:

    I'll send Dana the Q3 numbers by fri          → to Dana,  "Send the Q3 numbers"
    I'll send the Q3 numbers to Dana by fri       → to Dana,  "Send the Q3 numbers"
    I'll call Dana by fri                         → to Dana,  "Call Dana" (nothing left without her)
    I'll get back to Dana by fri                  → to Dana,  "Get back to Dana"
    Sam will get me the floor plan by tomorrow    → from Sam, "Get the floor plan"
    Sam will call me back by fri                  → from Sam, "Call me back"
    I owe Lee the budget review by mon            → to Lee,   "Budget review"
    Sam owes me a reply by fri                    → from Sam, "Reply"

The person is dropped from the title when the rest still says what is to be done; it stays when
only the verb (and particles such as "back", "up") would remain, or when what follows the name is a
preposition ("ask Dana about the budget" keeps "Dana").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ..config import Settings
from ..dates import parse_deadline
from ..errors import BadInput
from ..model import Direction, text_problem

__all__ = ["FORMS", "Captured", "read_sentence"]

FORMS = (
    "write one of: I'll VERB … to PERSON by WHEN (I'll send the notes to Dana by fri); "
    "PERSON will VERB … by WHEN (Sam will get me the floor plan by tomorrow); "
    "I owe PERSON … by WHEN (I owe Lee the budget review by mon); "
    "PERSON owes me … by WHEN (Sam owes me the slides by fri 3pm)"
)


@dataclass(frozen=True)
class Captured:
    """What a sentence says: `direction` "to" is my promise to `person`, "from" is theirs to me.
    `due_text` is the WHEN part as written, for showing back."""

    title: str
    person: str
    direction: Direction
    due: datetime
    due_text: str


# --- the words ----------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_APOSTROPHES = "'’"
# A word of letters (any script) with inner apostrophes or hyphens: O'Brien, Jean-Luc, Zoë.
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_WEEKDAYS = _words(
    "monday tuesday wednesday thursday friday saturday sunday "
    "mon tue tues wed weds thu thur thurs fri"
)  # "sat" and "sun" are ordinary words too often to count as dates in a title.
_MONTHS = _words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
# Capitalised words that are never a person.
_NOT_NAMES = frozenset(
    _words(
        "i me my mine we us our you your he him his she her they them their it its this that these "
        "those the a an someone somebody everyone everybody nobody team all both each "
        "saturday sunday sat sun today tomorrow tonight"
    )
    + _WEEKDAYS
    + _MONTHS
)
_LIST_WORDS = frozenset({"and", "or", "&", "plus", "+"})
_SLOT_WORDS = frozenset({"to", "for", "with"})
# After a person straight after the verb, these mean the person is the object ("ask Dana about
# the budget"), not the receiver of a thing ("send Dana the notes").
_PREPOSITIONS = frozenset(
    _words(
        "about on to with for in at into over through from of re regarding back up out off down "
        "around if whether when that"
    )
)
_PARTICLES = frozenset(_words("back up in out over on off down around through"))
# After "Dana and …", words that start a second party rather than a second action.
_SECOND_PARTY = frozenset(_words("me i the my our his her their your team everyone"))
_ARTICLES = frozenset({"the", "a", "an"})
_NEGATIONS = frozenset({"not", "never", "no"})

# Anything before "by" that reads as a date or a time makes a second deadline.
_DATE_WORDS = frozenset(
    (*_words("today tomorrow tonight yesterday eod eow eom eoy noon midnight"), *_WEEKDAYS)
)
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_PATTERNS = re.compile(
    r"(?<![\w:])(?:"
    r"\d{1,2}(?::\d{2})?\s?(?:am|pm)"  # 3pm, 3:30 pm
    r"|\d{1,2}:\d{2}"  # 15:00
    r"|\d{4}-\d{2}-\d{2}"  # 2026-12-04
    r"|\d{1,4}[/.]\d{1,2}(?:[/.]\d{1,4})?"  # 4/12, 4.12.
    rf"|(?:{_MONTH_ALT})\s+\d{{1,2}}(?:st|nd|rd|th)?"  # dec 4
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_ALT})"  # 4 dec
    r"|in\s+\d+\s*(?:work\s*days?|workdays?|weeks?|days?|hours?|hrs?|minutes?|mins?|[wdhm])"
    r"|(?:next|this)\s+(?:week|month|year)"
    r"|end\s+of\s+(?:the\s+)?(?:day|week|month|year)"
    r")(?![\w:])",
    re.IGNORECASE,
)
_BY = re.compile(r"\bby\b", re.IGNORECASE)
_I_WILL = re.compile(r"(?:i[’']ll|i\s+will|will)\s+(?P<rest>.*)", re.IGNORECASE | re.DOTALL)
_I_OWE = re.compile(r"i\s+owe\s+(?P<rest>.*)", re.IGNORECASE | re.DOTALL)
_THEY = re.compile(
    r"(?P<subject>.+?)\s+(?P<verb>will|owes|won[’']t|wo\s?n't)\s+(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_SENTENCE_BREAK = re.compile(r"[.!?;]\s")


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower()


@dataclass(frozen=True)
class _Slot:
    """A place a person stands: `start`/`end` cover what to drop from the title (the name, and
    the preposition before it); `name` is the person, or "me"."""

    name: str
    start: int
    end: int
    after_verb: bool
    next_index: int  # the token index after the name


# --- public API ---------------------------------------------------------------------------------


def read_sentence(
    text: str, now: datetime, settings: Settings, *, allow_past: bool = False
) -> Captured:
    """The promise `text` states, read by the four forms in FORMS; refuses (BadInput) anything it
    cannot read completely and anything that names two people or two dates. The deadline goes
    through `parse_deadline` (past deadlines refused unless `allow_past`)."""
    problem = text_problem(text, "sentence")
    if problem:
        raise BadInput(problem)
    sentence = " ".join(text.split()).rstrip(".!")
    if _SENTENCE_BREAK.search(sentence):
        raise BadInput(f"one promise, one sentence, please; {FORMS}")
    if sentence.endswith("?"):
        raise BadInput(f"a question is not a promise; {FORMS}")
    body, when = _split_deadline(sentence)
    if second := _DATE_PATTERNS.search(body) or _date_word(body):
        shown = second if isinstance(second, str) else second.group()
        raise BadInput(f"two dates ('{shown}' and 'by {when}'); keep one, after 'by'")
    direction, person, title = _read_body(body)
    due = parse_deadline(when, now, settings, allow_past=allow_past)
    problem = text_problem(title, "title") or text_problem(person, "name")
    if problem:
        raise BadInput(problem)
    return Captured(title=title, person=person, direction=direction, due=due, due_text=when)


# --- reading ------------------------------------------------------------------------------------


def _split_deadline(sentence: str) -> tuple[str, str]:
    """(everything before the last "by", what follows it)."""
    found = list(_BY.finditer(sentence))
    if not found:
        raise BadInput(f"no deadline: end the sentence with 'by WHEN'; {FORMS}")
    last = found[-1]
    body, when = sentence[: last.start()].strip(), sentence[last.end() :].strip()
    if not when:
        raise BadInput(f"no deadline after 'by'; {FORMS}")
    if not body:
        raise BadInput(f"nothing promised before 'by'; {FORMS}")
    # "by fri or mon", "by fri, mon": the deadline grammar would refuse these anyway, but saying
    # why beats "can't read".
    if re.search(r"\s(?:or|and)\s|,|&", when, re.IGNORECASE) and not _is_date(when):
        raise BadInput(f"two dates in 'by {when}'; give one deadline")
    return body, when


def _is_date(text: str) -> bool:
    # "dec 3, 2026" has a comma and "2026/12/03"-like text a slash; only a full date match counts.
    return bool(re.fullmatch(r"[a-z]+\s+\d{1,2},\s+\d{4}", text, re.IGNORECASE))


def _date_word(body: str) -> str | None:
    for token in _tokens(body):
        if token.low in _DATE_WORDS:
            return token.text
    return None


def _read_body(body: str) -> tuple[Direction, str, str]:
    """(direction, person, title) from the part before "by"."""
    if match := _I_OWE.fullmatch(body):
        return "to", *_mine(match["rest"], owe=True)
    if match := _I_WILL.fullmatch(body):
        return "to", *_mine(match["rest"], owe=False)
    if match := _THEY.fullmatch(body):
        verb = match["verb"].lower()
        if verb != "will" and verb != "owes":
            raise BadInput(f"'{match['verb']}' is not a promise; {FORMS}")
        person = _subject(match["subject"])
        return "from", person, _theirs(match["rest"], person, owe=verb == "owes")
    raise BadInput(f"can't read '{_shown(body)}'; {FORMS}")


def _mine(rest: str, *, owe: bool) -> tuple[str, str]:
    """(person, title) of a promise I make."""
    tokens = _tokens(rest)
    verb = _verb(tokens, rest, owe=owe)
    slots = _slots(rest, tokens, first=0 if owe else 1)
    people = [slot for slot in slots if slot.name != "me"]
    if not people:
        raise BadInput(
            f"no person in '{_shown(rest)}': name who it is for with a capital, "
            f"right after the verb or after to/for; {FORMS}"
        )
    if len(people) > 1:
        names = " and ".join(sorted({slot.name for slot in people}))
        raise BadInput(f"two possible people ({names}); one promise names one person")
    slot = people[0]
    if owe:
        return slot.name, _thing(_without(rest, slot), rest)
    return slot.name, _imperative(rest, tokens, slot, verb)


def _theirs(rest: str, person: str, *, owe: bool) -> str:
    """The title of a promise someone makes to me."""
    tokens = _tokens(rest)
    verb = _verb(tokens, rest, owe=owe)
    slots = _slots(rest, tokens, first=0 if owe else 1)
    others = [slot for slot in slots if slot.name != "me"]
    if others:
        raise BadInput(
            f"two possible people ({person} and {others[0].name}); "
            f"write what {person} owes you: '{person} will send me the notes by fri'"
        )
    mine = [slot for slot in slots if slot.name == "me"]
    if owe:
        if not mine:
            raise BadInput(f"'owes' needs 'me' (Sam owes me the slides by fri); {FORMS}")
        return _thing(_without(rest, mine[0]), rest)
    if not mine:
        return _capital(rest)
    return _imperative(rest, tokens, mine[0], verb)


def _verb(tokens: list[_Token], rest: str, *, owe: bool) -> str:
    if not tokens:
        raise BadInput(f"nothing promised; {FORMS}")
    if owe:
        return ""
    first = tokens[0]
    if first.low in _NEGATIONS:
        raise BadInput(f"'{first.text}' is not a promise; {FORMS}")
    if (
        first.start != 0
        or not first.text.isalpha()
        or _is_name_word(first.text)
        or first.low in _NOT_NAMES
    ):
        raise BadInput(f"can't read a verb at the start of '{_shown(rest)}'; {FORMS}")
    return first.low


def _subject(text: str) -> str:
    """The person at the start of "PERSON will/owes …"."""
    words = text.split()
    if any(word.lower().strip(",") in _LIST_WORDS for word in words) or "," in text:
        raise BadInput(f"two possible people in '{_shown(text)}'; one promise names one person")
    if not 1 <= len(words) <= 3 or not all(_is_name_word(word) for word in words):
        raise BadInput(
            f"'{_shown(text)}' is not a name: start with who promised, capitalised; {FORMS}"
        )
    return " ".join(words)


def _slots(rest: str, tokens: list[_Token], *, first: int) -> list[_Slot]:
    """Every place a person (or "me") stands: token `first` (right after the verb; for "owe" the
    first word) and after each to/for/with."""
    slots: list[_Slot] = []
    starts = [(first, first, True)] + [
        (i + 1, i, False) for i, token in enumerate(tokens) if token.low in _SLOT_WORDS
    ]
    for index, cut_from, after_verb in starts:
        if index >= len(tokens):
            continue
        if tokens[index].low == "me":
            slots.append(
                _Slot("me", tokens[cut_from].start, tokens[index].end, after_verb, index + 1)
            )
            continue
        end = index
        while end < len(tokens) and _is_name_word(tokens[end].text):
            if end > index and rest[tokens[end - 1].end : tokens[end].start].strip():
                break  # "Dana, Lee" is two names, not one
            end += 1
        if end == index:
            continue
        if end - index > 3:
            raise BadInput(f"can't tell who '{_shown(rest)}' is for; {FORMS}")
        name = " ".join(token.text for token in tokens[index:end])
        if end < len(tokens) and _more_people(rest, tokens, end):
            raise BadInput(f"two possible people ('{_shown(rest)}'); one promise names one person")
        slots.append(_Slot(name, tokens[cut_from].start, tokens[end - 1].end, after_verb, end))
    return slots


def _more_people(rest: str, tokens: list[_Token], end: int) -> bool:
    """Whether a list of people continues at token `end`: "Dana and Lee", "Dana, Lee", "Dana and
    the team" (but not "talk to Dana and review the deck")."""
    following = tokens[end]
    comma = "," in rest[tokens[end - 1].end : following.start]
    if following.low in _LIST_WORDS and end + 1 < len(tokens):
        following = tokens[end + 1]
    elif not comma:
        return False
    return _is_name_word(following.text) or following.low in _SECOND_PARTY


def _imperative(rest: str, tokens: list[_Token], slot: _Slot, verb: str) -> str:
    """The title of a "will" sentence: its own words from the verb on, without the person when
    what is left still says what is done."""
    if slot.after_verb:
        following = tokens[slot.next_index] if slot.next_index < len(tokens) else None
        # "call Dana", "ask Dana about X": Dana is the object; "send Dana the notes": the receiver.
        if following is None or following.low in _PREPOSITIONS:
            return _capital(rest)
    else:
        # "send the deck to Dana (for review)" drops her; "talk to Dana and review the deck"
        # would lose its sense without her.
        following = tokens[slot.next_index] if slot.next_index < len(tokens) else None
        if following is not None and following.low not in _PREPOSITIONS:
            return _capital(rest)
    left = _without(rest, slot)
    words = [word.lower() for word in left.split()]
    if words[0] == verb and all(word in _PARTICLES for word in words[1:]):
        return _capital(rest)  # "get back to Dana", "follow up with Dana"
    return _capital(left)


def _thing(text: str, rest: str) -> str:
    """The title of an "owe" sentence: the thing owed, without its article."""
    words = text.split()
    if words and words[0].lower() in _ARTICLES:
        words = words[1:]
    if not words or words[0].lower() in _PREPOSITIONS:
        raise BadInput(f"say what is owed in '{_shown(rest)}'; {FORMS}")
    return _capital(" ".join(words))


def _without(text: str, slot: _Slot) -> str:
    joined = " ".join((text[: slot.start] + " " + text[slot.end :]).split())
    return joined.replace(" ,", ",").strip(" ,")


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group(), m.start(), m.end()) for m in re.finditer(r"[^\s,;:()]+", text)]


def _is_name_word(word: str) -> bool:
    """A capitalised word that can be (part of) a name: Dana, O'Brien, Zoë, Jean-Luc, McKay."""
    if not _WORD.fullmatch(word) or not word[0].isupper():
        return False
    if not any(char.islower() for char in word[1:]):
        return False  # HR, KPI, and the single letter "I"
    if word[-2:].lower() in ("'s", "’s") or word[-1] in _APOSTROPHES:
        return False  # Dana's, James'
    return word.lower() not in _NOT_NAMES


def _capital(text: str) -> str:
    text = text.strip(" ,")
    return text[:1].upper() + text[1:]


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."

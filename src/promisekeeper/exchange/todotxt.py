"""Read a todo.txt file (https://github.com/todotxt/todo.txt) into promises to create.

One task per line, by the format's rules:
    (A) 2026-11-01 Send numbers +budget @office due:2026-11-25 person:Dana
    x 2026-11-20 2026-11-01 Send numbers +budget due:2026-11-25
`x ` starts a done task, followed by its completion date and then its creation date; an open task
may start with a priority `(A)`-`(Z)` and then its creation date. `+project` and `@context` may
stand anywhere in the text, as may `key:value` pairs.

Mapping, line → promise:
  the text without its +projects, @contexts and key:value pairs → title;
  `due:YYYY-MM-DD` → deadline at the end of that working day (the meaning of `--due 2026-11-25`);
  creation date → created at 00:00 in `tz` (now when absent);
  `x` → done at the end of the working day of its completion date (a task done the day it was
  due counts as on time, as it does in todo.txt);
  +project and @context → tags (without the sign); @waiting / @delegated (WAITING_MARKS) →
  a promise to me ("from") instead of a tag;
  `person:NAME` (an add-on key; `_` stands for a space: person:Zoë_Müller) → the person, else
  the `person` argument; the line number → source_id.
Blank lines and lines starting with `#` (comments, which several todo.txt clients write) are
passed over silently. Skipped, with the reason: no `due:`, a `due:` that is not a real
YYYY-MM-DD date, a done task without a completion date (pk can't tell if it was on time), no
person, text pk refuses. The priority is not carried over (pk has none).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo

from ..config import WorkTime
from ..dates import wall_clock
from ..model import Direction, Status
from .drafts import WAITING_MARKS, Draft, ImportPlan, clean_tag, label, text_reason

__all__ = ["read_todotxt"]

_DATE = r"\d{4}-\d{2}-\d{2}"
_DONE = re.compile(rf"x (?:(?P<done>{_DATE}) (?:(?P<created>{_DATE}) )?)?(?:\([A-Z]\) )?")
_OPEN = re.compile(rf"(?:\((?P<priority>[A-Z])\) )?(?:(?P<created>{_DATE}) )?")
# key:value with no spaces and no colon in either side; "http://x" is not one (`//` follows).
_KEY_VALUE = re.compile(r"(?P<key>[^\s:]+):(?P<value>[^\s:/][^\s:]*)")


class _Skip(Exception):
    """One line can't be imported; the message is the reason."""


def read_todotxt(
    text: str, *, person: str | None, now: datetime, tz: tzinfo, work: WorkTime | None = None
) -> ImportPlan:
    """The promises a todo.txt file holds. `person` is used for lines without a `person:` key;
    `work` (the settings' working hours) says when a day ends; times come back in `tz`."""
    work = work or WorkTime()
    plan = ImportPlan()
    for number, raw in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        # Split on "\n" only: str.splitlines would also break at form feeds and U+2028, hiding
        # characters pk refuses inside what looks like a line.
        line = raw.removesuffix("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            try:
                plan.drafts.append(_draft(line, number, person, now, tz, work))
            except OverflowError:
                # A date such as 0001-01-01 that doesn't fit in `tz` once made a time of day.
                raise _Skip("a date on the line is out of range") from None
        except _Skip as skip:
            plan.skipped.append((label(line.strip(), f"line {number}"), str(skip)))
    return plan


def _draft(
    line: str, number: int, person: str | None, now: datetime, tz: tzinfo, work: WorkTime
) -> Draft:
    status: Status = "open"
    done_on = None
    if line.startswith("x "):
        status = "done"
        head = _DONE.match(line)
        assert head is not None  # every part after "x " is optional
        if head["done"] is None:
            raise _Skip("done without a completion date; pk can't tell if it was on time")
        done_on = _day(head["done"], "completion date")
    else:
        head = _OPEN.match(line)
        assert head is not None
    created_on = _day(head["created"], "creation date") if head["created"] else None
    # Split on spaces only: a tab or other control character stays inside its word, so the
    # title, tag or name check below refuses it instead of it vanishing as whitespace.
    words = [word for word in line[head.end() :].split(" ") if word]

    tags: list[str] = []
    direction: Direction = "to"
    due_text = who = None
    title_words = []
    for word in words:
        if len(word) > 1 and word[0] in "+@":
            if problem := text_reason(word[1:], "tag"):
                raise _Skip(problem)
            tag = clean_tag(word[1:])
            if word[0] == "@" and tag.lower() in WAITING_MARKS:
                direction = "from"
            elif tag and tag not in tags:
                tags.append(tag)
        elif match := _KEY_VALUE.fullmatch(word):
            key, value = match["key"].lower(), match["value"]
            if key == "due":
                if due_text is not None and due_text != value:
                    raise _Skip(f"two due dates ({due_text} and {value})")
                due_text = value
            elif key == "person":
                who = value.replace("_", " ")
            # Other add-ons (t:, rec:, pri:, h:) mean nothing to pk.
        else:
            title_words.append(word)

    title = " ".join(title_words)
    if problem := text_reason(title, "title"):
        raise _Skip(problem)
    if due_text is None:
        raise _Skip("no due:YYYY-MM-DD; every promise has a deadline")
    due_day = _day(due_text, "due date")
    who = who or person
    if who is None:
        raise _Skip("no person; add person:NAME to the line or give --person NAME")
    if problem := text_reason(who, "name"):
        raise _Skip(problem)

    return Draft(
        title=title,
        person=who,
        direction=direction,
        due=_end_of_day(due_day, tz, work),
        created=wall_clock(datetime.combine(created_on, time(0)), tz)
        if created_on
        else now.astimezone(tz),
        status=status,
        done_at=_end_of_day(done_on, tz, work) if done_on else None,
        tags=tuple(tags),
        source_id=f"line {number}",
    )


def _day(text: str, what: str) -> date:
    if re.fullmatch(_DATE, text, re.ASCII):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise _Skip(f"{what} {text!r} is not a real YYYY-MM-DD date")


def _end_of_day(day: date, tz: tzinfo, work: WorkTime) -> datetime:
    return wall_clock(datetime.combine(day, work.end_of_day(day)), tz)

"""Natural deadlines in, readable times out.

`parse_deadline("fri 3pm", now, settings)` turns what people type into an aware datetime in the
user's zone; `describe_due` and `relative` turn it back into words.

The grammar is a small, strict set of regular expressions on purpose. A fuzzy parser
(dateutil.parser) reads "call bob about 2 invoices" as the 2nd of this month, and a wrong deadline
stored silently is worse than a refusal the user can fix in a second.

Nothing here reads the clock: `now` is always a parameter. Calendar steps ("tomorrow", "in 3 days",
"in 1 month", "in 3 workdays") are taken on the wall clock of `settings.tz`, so "tomorrow 9am" is
09:00 even across a DST change; hours and minutes are elapsed time. A wall-clock time the clocks
skip is refused, a time they repeat means its first occurrence.

A month and day without a year ("dec 1") is its nearest occurrence, at most six months either side
of today: never a date a year away. Past, it is refused unless the past is allowed.

The package, by concern: `grammar` reads whole phrases (the public `parse_*`), `phrases` holds the
table of words and patterns and reads one piece of a phrase, `words` writes times back as words,
`clock` does wall-clock, DST and working-day arithmetic. Callers import from `promisekeeper.dates`.
dateutil is loaded only by the phrases that count months (`clock.relativedelta`), and the grammar
(its patterns compiled on import) only by the first `parse_*` a command calls: `pk list` writes
times and never reads one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..timewords import duration_words, parse_duration
from .clock import from_iso, to_utc_iso, wall_clock
from .words import describe_due, format_local, off_day_note, relative, span

if TYPE_CHECKING:
    from .grammar import parse_deadline, parse_due_by, parse_since, parse_when

_GRAMMAR = ("parse_deadline", "parse_due_by", "parse_since", "parse_when")


def __getattr__(name: str) -> object:
    """The grammar's readers, imported when first asked for."""
    if name in _GRAMMAR:
        from . import grammar

        value = getattr(grammar, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "describe_due",
    "duration_words",
    "format_local",
    "from_iso",
    "off_day_note",
    "parse_deadline",
    "parse_due_by",
    "parse_duration",
    "parse_since",
    "parse_when",
    "relative",
    "span",
    "to_utc_iso",
    "wall_clock",
]

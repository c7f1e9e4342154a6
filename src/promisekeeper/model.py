"""The records: a Promise and the events in its history. Plain data, no I/O, no clock.

Times are aware datetimes; they are stored as UTC ISO-8601 strings ending in `+00:00`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NamedTuple

Direction = Literal["to", "from"]
Status = Literal["open", "done", "dropped"]
DIRECTIONS: tuple[Direction, ...] = ("to", "from")
STATUSES: tuple[Status, ...] = ("open", "done", "dropped")
# A help-later request: offered times → one booked → kept, or cancelled, or left unanswered.
REQUEST_STATUSES = ("proposed", "booked", "done", "cancelled", "expired")
MAX_TEXT = 500

# Characters that can reorder or hide what a terminal shows (Trojan Source, CVE-2021-42574).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


# A pattern, not a compiled one, and json imported by `json_text` itself: only `--json` and
# exports need them (re caches the compiled pattern).
_JSON_UNSAFE = "[\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]"


def json_text(value: Any) -> str:
    """Indented UTF-8 JSON that is inert on a terminal. JSON escapes C0 controls itself; C1
    controls and bidi overrides would still reach a terminal running `pk list --json` or
    `pk export`, so they get \\u escapes too (the same string to any JSON parser)."""
    import json

    text = json.dumps(value, ensure_ascii=False, indent=2)
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", text)


def inert(text: str) -> str:
    """Stored text made inert for a terminal, a CSV or a calendar: control characters (C0, DEL,
    C1), bidi overrides and lone surrogates become visible `\\xNN` / `\\uNNNN` escapes."""
    if text.isprintable():
        return text
    import unicodedata  # ~1 ms at start-up; only text that is not printable gets here

    out = []
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs") or char in BIDI_CONTROLS:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


# Fixed forever: every derived UID (occurrences of a repeating promise, help slots, alarms) hangs
# off it, so changing it would give every derived item a new identity on the next export or sync.
# Kept as text: `uuid` costs 3-5 ms to import (it loads `platform`) and most commands derive no
# UID; `UID_NAMESPACE` itself is made on first use (see `__getattr__`).
_UID_NAMESPACE_TEXT = "3f0c5a4e-7c1d-5b8e-9a57-2f4d6c1b9e80"


def __getattr__(name: str) -> Any:
    if name == "UID_NAMESPACE":
        import uuid

        value = uuid.UUID(_UID_NAMESPACE_TEXT)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def occurrence_uid(series_id: str, occurrence_due: datetime) -> str:
    """The uuid (and iCalendar UID) of a repeating promise's occurrence: the same series and
    scheduled deadline give the same one on every device, so two devices that create the same
    occurrence end with one, and two exports never duplicate it.

    `occurrence_due` is the deadline the rule gave (the series' `scheduled`), not a renegotiated
    one: moving an occurrence must not change who it is. Here rather than in the iCalendar module
    so that `pk done` (which creates the next occurrence) never imports icalendar.
    """
    import uuid

    namespace = uuid.UUID(_UID_NAMESPACE_TEXT)
    return str(uuid.uuid5(namespace, f"occurrence/{series_id}/{iso(occurrence_due)}"))


def iso(dt: datetime) -> str:
    """UTC ISO-8601 with seconds and an explicit `+00:00`: the one stored form of a time."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime cannot be stored")
    return dt.astimezone(UTC).replace(microsecond=0).isoformat()


def _whole_second(dt: datetime) -> datetime:
    """A time as it is stored: to the second (`iso` drops the microseconds)."""
    return dt.replace(microsecond=0)


def parse_iso(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"time without a zone: {text!r}")
    return value.astimezone(UTC)


def text_problem(text: str, what: str = "title") -> str | None:
    """Why `text` cannot be a title, name, note or reason — or None when it is fine.

    Control characters (escape sequences, C1 controls), bidi overrides and lone surrogates
    (undecodable bytes from argv) are refused so nothing stored can steer a terminal.
    """
    if not text or not text.strip():
        return f"the {what} is empty"
    if len(text) > MAX_TEXT:
        return f"the {what} is {len(text)} characters; {MAX_TEXT} at most"
    import unicodedata  # ~1 ms at start-up: only the commands that take text need it

    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            return f"the {what} is not valid UTF-8"
        if category == "Cc" or char in BIDI_CONTROLS:
            return f"the {what} contains a control character (U+{ord(char):04X})"
    return None


_REQUIRED_TEXT = ("uuid", "title", "person", "direction", "due", "created")
_REQUIRED_KEYS = frozenset(_REQUIRED_TEXT)


def record_problem(data: Any) -> str | None:
    """A cheap structural check of a stored promise (no date parsing): enough to know the file
    is ours before rewriting it. `Promise.from_dict` does the full check when a record is used."""
    if not isinstance(data, dict):
        return "record is not an object"
    # It runs for every record on each write, so it only looks for the keys (one set comparison
    # while they are all there); a field of the wrong type is left as it is (never lost) and
    # reported when the record is read.
    if data.keys() >= _REQUIRED_KEYS:
        return None
    missing = next(key for key in _REQUIRED_TEXT if key not in data)
    return f"missing field {missing!r}"


class Promise(NamedTuple):
    """A commitment with a person and a deadline; immutable (`_replace` makes a changed copy).

    direction "to": I promised `person`; "from": `person` promised me (I am waiting on them).
    A NamedTuple rather than a dataclass: `import dataclasses` loads `inspect` (~7 ms, a fifth
    of `pk list`), and a tuple is also the smallest record for the thousands `pk standup` holds.
    """

    id: int
    uuid: str
    title: str
    person: str
    direction: Direction
    due: datetime
    created: datetime
    team: str | None = None
    tags: tuple[str, ...] = ()
    status: Status = "open"
    done_at: datetime | None = None
    notes: tuple[dict[str, Any], ...] = ()
    history: tuple[dict[str, Any], ...] = ()
    # Links used by help-later requests, recurring series and thank-yous.
    request_id: int | None = None
    series: dict[str, Any] | None = None
    thanked_at: datetime | None = None
    thank_note: str | None = None
    # What keeping it takes, as stated by the user (`--effort 3h`); None when not stated.
    effort_minutes: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def waiting_on(self) -> bool:
        """True when someone else owes this to me."""
        return self.direction == "from"

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and self.due < now

    def on_time_at(self, at: datetime) -> bool:
        """THE definition of "on time", used by `done`, the history, `list`, `stats` and JSON:

        - done at or before the deadline, both compared as stored, to the whole second (done
          half a second after a 17:00:00 deadline is done at 17:00:00: on time);
        - a help slot (`request_id`) is on time whenever it is marked done: the deadline is the
          end of the time agreed with the colleague, the help happened in that slot, and marking
          it done afterwards is bookkeeping. Moving the slot is a renegotiation, counted as such.
        """
        if self.request_id is not None:
            return True
        return _whole_second(at) <= _whole_second(self.due)

    def late_by(self, now: datetime) -> timedelta:
        """How late it is (open) or was (done): zero when done on time (`on_time_at`)."""
        if self.status == "done" and self.done_at:
            if self.on_time_at(self.done_at):
                return timedelta(0)
            return _whole_second(self.done_at) - _whole_second(self.due)
        return max(timedelta(0), now - self.due)

    @property
    def kept_on_time(self) -> bool | None:
        """None unless done; then whether it was done on time (`on_time_at`)."""
        if self.status != "done" or self.done_at is None:
            return None
        return self.on_time_at(self.done_at)

    @property
    def renegotiations(self) -> int:
        return sum(1 for event in self.history if event.get("type") == "moved")

    def text_problem(self) -> str | None:
        """What `pk add`, `note`, `move` or `drop` would refuse in this promise's text (a title
        with a newline, a name with an escape sequence...), or None. `pk import` refuses such a
        record and `pk doctor` reports one, so no way in accepts what typing would not."""
        texts = [(self.title, "title"), (self.person, "name")]
        texts += [(self.team, "team")] if self.team is not None else []
        texts += [(tag, "tag") for tag in self.tags]
        texts += [(note.get("text"), "note") for note in self.notes]
        texts += [(e["reason"], "reason") for e in self.history if e.get("reason") is not None]
        for text, what in texts:
            if not isinstance(text, str):
                return f"the {what} is not text"
            if problem := text_problem(text, what):
                return problem
        return None

    def with_event(self, event_type: str, at: datetime, **details: Any) -> Promise:
        """A copy with one more history event; the history is append-only."""
        event = {"at": iso(at), "type": event_type, **details}
        return self._replace(history=(*self.history, event))

    def to_dict(self) -> dict[str, Any]:
        """The stored form (the id is the TinyDB document key, not a field)."""
        return {
            "uuid": self.uuid,
            "title": self.title,
            "person": self.person,
            "direction": self.direction,
            "team": self.team,
            "tags": list(self.tags),
            "due": iso(self.due),
            "created": iso(self.created),
            "status": self.status,
            "done_at": iso(self.done_at) if self.done_at else None,
            "notes": [dict(n) for n in self.notes],
            "history": [dict(e) for e in self.history],
            "request_id": self.request_id,
            "series": dict(self.series) if self.series else None,
            "thanked_at": iso(self.thanked_at) if self.thanked_at else None,
            "thank_note": self.thank_note,
            "effort_minutes": self.effort_minutes,
        }

    @classmethod
    def from_dict(cls, pid: int, data: dict[str, Any]) -> Promise:
        """Rebuild from the stored form; raises ValueError naming the first bad field."""
        if not isinstance(data, dict):
            raise ValueError("record is not an object")
        get = data.get
        try:
            direction = data["direction"]
            status = get("status", "open")
            if direction not in DIRECTIONS:
                raise ValueError(f"direction {direction!r}")
            if status not in STATUSES:
                raise ValueError(f"status {status!r}")
            for key in ("uuid", "title", "person"):
                if not isinstance(data[key], str):
                    raise ValueError(f"{key} is not text")
            tags = get("tags") or []
            notes = get("notes") or []
            history = get("history") or []
            # Most records have no notes and few tags: the item checks only run for a list that
            # has items (a generator costs more to start than to run over one or two).
            if not isinstance(tags, list) or (tags and not all(isinstance(t, str) for t in tags)):
                raise ValueError("tags")
            if not isinstance(notes, list) or (
                notes and not all(isinstance(n, dict) for n in notes)
            ):
                raise ValueError("notes")
            if not isinstance(history, list) or (
                history and not all(isinstance(e, dict) for e in history)
            ):
                raise ValueError("history")
            request_id = get("request_id")
            if request_id is not None and not isinstance(request_id, int):
                raise ValueError("request_id")
            effort = get("effort_minutes")
            # Not a bool (an int too), not zero or negative: a stated effort takes time.
            if effort is not None and (type(effort) is not int or effort <= 0):
                raise ValueError("effort_minutes")
            done_at = get("done_at")
            thanked_at = get("thanked_at")
            # In the order of the fields.
            values = (
                pid,
                data["uuid"],
                data["title"],
                data["person"],
                direction,
                parse_iso(data["due"]),
                parse_iso(data["created"]),
                get("team"),
                tuple(tags),
                status,
                parse_iso(done_at) if done_at else None,
                tuple(notes),
                tuple(history),
                request_id,
                get("series"),
                parse_iso(thanked_at) if thanked_at else None,
                get("thank_note"),
                effort,
            )
        except KeyError as exc:
            raise ValueError(f"missing field {exc.args[0]!r}") from exc
        except (TypeError, AttributeError) as exc:
            raise ValueError(f"malformed field: {exc}") from exc
        # `_make` takes the values in field order without keyword matching, and refuses (every
        # read) a count that differs: a field added to the class but not here.
        return cls._make(values)


# --- help-later requests (stored as plain records in the `requests` table) ---


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _span_problem(span: Any) -> str | None:
    if not isinstance(span, dict):
        return f"{_shown(span)} is not a {{start, end}} object"
    times = []
    for key in ("start", "end"):
        value = span.get(key)
        try:
            times.append(parse_iso(value) if isinstance(value, str) else None)
        except ValueError:
            times.append(None)
        if times[-1] is None:
            return f"{key} {_shown(value)} is not an ISO time with an offset"
    return "ends before it starts" if times[1] <= times[0] else None


def request_problem(record: Any) -> str | None:
    """Why a stored request cannot be used, or None: the keys and types this module relies on.
    The one check for the store's write path, the views and `pk doctor`, so a record written by
    hand or by an older pk is named as corrupt instead of failing somewhere inside a command."""
    if not isinstance(record, dict):
        return "not an object"
    for key in ("title", "person"):
        if not isinstance(record.get(key), str):
            return f"{key} missing or not text"
    for key in ("team", "reason"):
        if not isinstance(record.get(key), str | None):
            return f"{key} {_shown(record[key])} is not text"
    status = record.get("status")
    if status not in REQUEST_STATUSES:
        return f"status {_shown(status)} is not one of {', '.join(REQUEST_STATUSES)}"
    for key, low in (("need_minutes", 1), ("buffer_minutes", 0)):
        value = record.get(key, low)
        if type(value) is not int or value < low:  # not a bool, which is an int too
            return f"{key} {_shown(value)} is not a whole number of minutes"
    proposed = record.get("proposed")
    if not isinstance(proposed, list):
        return f"proposed {_shown(proposed)} is not a list of times"
    for number, span in enumerate(proposed, 1):
        if problem := _span_problem(span):
            return f"proposed #{number}: {problem}"
    slot = record.get("slot")
    if slot is not None and (problem := _span_problem(slot)):
        return f"slot: {problem}"
    if status == "booked" and slot is None:
        return "booked without a slot"
    promise_id = record.get("promise_id")
    if promise_id is not None and (type(promise_id) is not int or promise_id <= 0):
        return f"promise_id {_shown(promise_id)} is not a promise id"
    if not isinstance(record.get("history", []), list):
        return "history is not a list"
    return None

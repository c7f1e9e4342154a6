"""`pk prompt`: the shell-prompt fast path. Standard library only, and only what Python has loaded
at start-up anyway: this runs on every prompt of every shell that uses it.

`__main__` routes here before the CLI (typer, click, rich, dateutil, tinydb) is imported. It reads
the prompt index (see `prompt_index.py`, whose format this module parses), never the store, and
prints a segment of counts and fixed words — `[pk 2 late · 1 soon · 1 today]` — or nothing.
Whatever goes wrong (no index, a stale or garbled one, a bad option), it prints no traceback and
exits 0: a prompt must never break a shell. The shell-native snippets in `snippets.py` implement
the same rules in bash and zsh; tests hold the three to the same output.
"""

from __future__ import annotations

import os
import sys
from bisect import bisect_left

FORMAT = "pk-prompt-index 2"
# A booked help slot "starts soon" within this. (A promise is "due soon" within the `soon`
# setting, which the index carries: hours, not minutes, because a promise takes work.)
SLOT_SOON_SECONDS = 15 * 60
# `soon` stays the slot count it always was (templates rely on it); `due_soon` is promises.
FIELDS = ("late", "due_soon", "today", "soon", "waiting_late", "next_slot_min")
SEPARATOR = " · "


def db_path(override: str | None = None) -> str:
    """The store's path, by the rules of `paths.db_path` (a test keeps the two in step), without
    importing pathlib."""
    chosen = override or os.environ.get("PK_DB")
    if chosen:
        return os.path.expanduser(chosen)
    if xdg := os.environ.get("XDG_DATA_HOME"):
        base = xdg
    elif sys.platform == "darwin":
        base = os.path.join(os.path.expanduser("~"), "Library", "Application Support")
    elif os.name == "nt" and (appdata := os.environ.get("APPDATA")):
        base = appdata
    else:
        base = os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "promisekeeper", "promises.json")


def _numbers(words: list[str]) -> list[int]:
    # int() alone would take "+1", " 1" or "1_0"; the shells would not, so neither do we.
    if not all(w.isdigit() and w.isascii() and (w == "0" or w[0] != "0") for w in words):
        raise ValueError("not a plain number")
    return [int(w) for w in words]


def _signed(words: list[str]) -> list[int]:
    """Magnitudes of offsets like `3600`, `-18000`, `0` (the sign is the caller's)."""
    return _numbers([w[1:] if w[:1] == "-" and w != "-0" else w for w in words])


class Index:
    """A parsed index; the constructor raises ValueError on anything it did not write."""

    def __init__(self, text: str) -> None:
        lines = text.split("\n")
        if len(lines) != 9 or lines[7] != "end" or lines[8] != "":
            raise ValueError("not an index")
        head = lines[0].split(" ")
        if " ".join(head[:2]) != FORMAT or len(head) != 5:
            raise ValueError("not an index")
        self.stamp = tuple(_numbers(head[2:4]))
        rows = {}
        for key, line in zip(
            ("until", "soon", "offsets", "mine", "waiting", "slots"), lines[1:7], strict=True
        ):
            words = line.split(" ")
            if words[0] != key:
                raise ValueError(f"no {key} line")
            rows[key] = words[1:]
        (self.until,) = _numbers(rows["until"])
        (self.soon,) = _numbers(rows["soon"])
        offsets = rows["offsets"]
        if not offsets or len(offsets) % 2:
            raise ValueError("bad offsets")
        starts = _numbers(offsets[0::2])
        signs = [-1 if o[:1] == "-" else 1 for o in offsets[1::2]]
        values = [s * n for s, n in zip(signs, _signed(offsets[1::2]), strict=True)]
        self.offsets = list(zip(starts, values, strict=True))
        self.mine = _numbers(rows["mine"])
        self.waiting = _numbers(rows["waiting"])
        self.slots = _numbers(rows["slots"])

    def offset_at(self, epoch: int) -> int:
        found = self.offsets[0][1]
        for start, offset in self.offsets:
            if start > epoch:
                break
            found = offset
        return found

    def end_of_day(self, now: int) -> int:
        """The first instant of the next local day (same steps as the shell snippets)."""
        offset = self.offset_at(now)
        midnight = ((now + offset) // 86400 + 1) * 86400
        end = midnight - offset
        later = self.offset_at(end)
        if later != offset and self.offset_at(midnight - later) == later:
            end = midnight - later
        return end

    def counts(self, now: int) -> dict[str, int | str] | None:
        """The fields at `now`, or None when `now` is outside what this index covers."""
        if not self.offsets[0][0] <= now < self.until:
            return None
        late = bisect_left(self.mine, now)
        soon = bisect_left(self.mine, now + self.soon)  # late or due within the window
        first_slot = bisect_left(self.slots, now)
        return {
            "late": late,
            "due_soon": soon - late,
            # Later today, beyond the soon window (each promise is counted once).
            "today": max(0, bisect_left(self.mine, self.end_of_day(now)) - soon),
            "soon": bisect_left(self.slots, now + SLOT_SOON_SECONDS) - first_slot,
            "waiting_late": bisect_left(self.waiting, now),
            "next_slot_min": (
                -(-(self.slots[first_slot] - now) // 60) if first_slot < len(self.slots) else ""
            ),
        }


def segment(fields: dict[str, int | str]) -> str:
    """`[pk 2 late · 1 soon · 1 today · 1 waiting · slot in 5m]`; empty when there is nothing
    to say."""
    parts = []
    if fields["late"]:
        parts.append(f"{fields['late']} late")
    if fields["due_soon"]:
        parts.append(f"{fields['due_soon']} soon")
    if fields["today"]:
        parts.append(f"{fields['today']} today")
    if fields["waiting_late"]:
        parts.append(f"{fields['waiting_late']} waiting")
    if fields["soon"]:
        minutes = fields["next_slot_min"]
        parts.append("slot now" if minutes == 0 else f"slot in {minutes}m")
    return f"[pk {SEPARATOR.join(parts)}]" if parts else ""


def read_index(db: str) -> Index | None:
    """The index beside `db`, or None when missing, unreadable, garbled or older than the store."""
    try:
        with open(db + ".idx", "rb") as handle:
            text = handle.read(4_000_000).decode("ascii")
        index = Index(text)
        info = os.stat(db)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return index if index.stamp == (info.st_mtime_ns, info.st_size) else None


class ClockError(Exception):
    """A PK_NOW we cannot read: said as such, not blamed on --format."""


def now_epoch(index: Index) -> int:
    """The clock, or `PK_NOW` (ISO 8601) like `config.Settings.now`; a PK_NOW without an offset is
    local time in the zone the index was written for."""
    pinned = os.environ.get("PK_NOW")
    if not pinned:
        import time

        return int(time.time())
    from datetime import UTC, datetime

    try:
        value = datetime.fromisoformat(pinned)
    except ValueError as exc:
        raise ClockError(f"PK_NOW is not an ISO 8601 date-time: {pinned!r}") from exc
    if value.tzinfo is not None:
        return int(value.timestamp())
    wall = int(value.replace(tzinfo=UTC).timestamp())
    return wall - index.offset_at(wall - index.offset_at(wall))


def render(db: str, template: str | None = None) -> str:
    """What `pk prompt` prints for the store at `db`."""
    index = read_index(db)
    if index is None:
        return ""
    fields = index.counts(now_epoch(index))
    if fields is None or not segment(fields):
        return ""
    if template is None:
        return segment(fields)
    return template.format_map(fields)


def parse_args(args: list[str]) -> tuple[str | None, str | None] | None:
    """(db, format) from `[--db PATH] prompt [--format FMT] [--db PATH]`; None for `--help` or
    when this is not a prompt command at all. Raises ValueError for an unknown option."""
    db = template = None
    rest = list(args)
    seen_prompt = False
    while rest:
        word = rest.pop(0)
        if word in ("-h", "--help"):
            return None
        if word == "prompt" and not seen_prompt:
            seen_prompt = True
        elif word in ("--db", "--format", "-f") and rest:
            value = rest.pop(0)
            db, template = (value, template) if word == "--db" else (db, value)
        elif word.startswith("--db="):
            db = word[5:]
        elif word.startswith("--format="):
            template = word[9:]
        elif not seen_prompt:
            return None
        else:
            raise ValueError(f"unknown option {word!r}")
    return (db, template) if seen_prompt else None


def _check_template(template: str) -> None:
    sample = dict.fromkeys(FIELDS, 0)
    template.format_map(sample)


def fast_path(args: list[str]) -> bool:
    """Handle `pk prompt ...` if that is what `args` are; True when handled (the caller exits 0)."""
    try:
        parsed = parse_args(args)
    except ValueError as exc:
        _complain(f"pk prompt: {exc} (see `pk prompt --help`)")
        return True
    if parsed is None:
        return False
    db, template = parsed
    try:
        if template is not None:
            _check_template(template)
        out = render(db_path(db), template)
        if out:
            sys.stdout.write(f"{out}\n")
            sys.stdout.flush()  # now, while a closed pipe can still be ignored
    except ClockError as exc:
        _complain(f"pk prompt: {exc}")
    except (KeyError, IndexError, ValueError) as exc:
        _complain(
            f"pk prompt: bad --format ({type(exc).__name__}: {exc}); fields: {', '.join(FIELDS)}"
        )
    except BaseException:  # a prompt must never show a traceback
        _silence_stdout()
    return True


def _silence_stdout() -> None:
    """After a failed write (the reader left), keep Python's exit-time flush from complaining."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except BaseException:
        pass


def _complain(message: str) -> None:
    try:
        sys.stderr.write(f"{message}\n")
        sys.stderr.flush()
    except BaseException:
        pass

"""The prompt index: a tiny sidecar (`promises.json.idx`) holding only what a shell prompt needs.

A prompt runs on every Enter, so it must not parse the store (10,000 promises are megabytes of
JSON). Every commit writes this file right after the store, under the same lock; `pk prompt`
(`prompt.py`) and the shell-native snippets (`shell.py`) read nothing else. The format is plain
lines of numbers so that bash and zsh can read it with `read` alone:

    pk-prompt-index 2 <store mtime_ns> <store size> <nonce>
    until <epoch>                         after this instant the zone table below runs out
    soon <seconds>                        the `soon` setting: deadlines this close are "soon"
    offsets <t0> <off0> <t1> <off1> ...   UTC offset (seconds) in force from each instant on
    mine <epoch> ...                      deadlines of my open promises, sorted
    waiting <epoch> ...                   deadlines of open promises others owe me, sorted
    slots <epoch> ...                     starts of booked help slots, sorted
    end

The store's stat stamp in the header lets `pk prompt` see with one `os.stat` that the index is
older than the store (then it prints nothing); the shells compare mtimes with `-ot`. The offsets
let a prompt find the end of the user's local day with arithmetic only, no time-zone database.
Nothing but numbers is written, so no stored text can reach a prompt.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, NamedTuple

from ..model import parse_iso
from .files import PROMISES, REQUESTS, atomic_write, locked

FORMAT = "pk-prompt-index 2"  # 2: the `soon` line
DEFAULT_SOON = 4 * 3600  # config's default `soon`, for a store opened without settings
SUFFIX = ".idx"
# The zone table covers this window around the write; any pk command renews it well before it ends.
WINDOW_BEFORE = timedelta(days=2)
WINDOW_AFTER = timedelta(days=400)
RENEW_BEFORE_END = timedelta(days=30)


def index_path(store_path: Path | str) -> Path:
    """Beside the store path as given (not its symlink target): shells find it without readlink."""
    return Path(f"{os.fspath(store_path)}{SUFFIX}")


# A NamedTuple, not a dataclass: created at import by every command, ~0.3 ms against ~1.3 ms.
class PromptIndex(NamedTuple):
    """What the prompt needs, as epoch seconds; `nonce` makes each write's header unique."""

    stamp: tuple[int, int]
    until: int
    offsets: tuple[tuple[int, int], ...]
    nonce: str
    mine: tuple[int, ...] = ()
    waiting: tuple[int, ...] = ()
    slots: tuple[int, ...] = ()
    soon: int = DEFAULT_SOON

    def dumps(self) -> str:
        def line(key: str, values: Iterable[int]) -> str:
            return " ".join([key, *(str(v) for v in values)])

        return "\n".join(
            [
                f"{FORMAT} {self.stamp[0]} {self.stamp[1]} {self.nonce}",
                line("until", [self.until]),
                line("soon", [self.soon]),
                line("offsets", [n for pair in self.offsets for n in pair]),
                line("mine", self.mine),
                line("waiting", self.waiting),
                line("slots", self.slots),
                "end",
                "",
            ]
        )


def _epoch(dt: datetime) -> int:
    return int(dt.timestamp())


def offset_table(tz: tzinfo, start: datetime, end: datetime) -> tuple[tuple[int, int], ...]:
    """The UTC offsets in force between `start` and `end`, as (from_epoch, offset_seconds).

    Sampled daily, then each change is pinned to the second by bisection: zones change at most a
    few times a year, and never twice within a day.
    """

    def offset(epoch: int) -> int:
        # The offset of an instant, not of a wall time (those are ambiguous when clocks go back).
        value = datetime.fromtimestamp(epoch, UTC).astimezone(tz).utcoffset()
        return int(value.total_seconds()) if value is not None else 0

    first = _epoch(start)
    last = _epoch(end)
    table = [(first, offset(first))]
    day = 86400
    t = first
    while t < last:
        nxt = min(t + day, last)
        if offset(nxt) != table[-1][1]:
            lo, hi = t, nxt  # offset(lo) is the old value, offset(hi) the new one
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset(mid) == table[-1][1]:
                    lo = mid
                else:
                    hi = mid
            table.append((hi, offset(hi)))
        t = nxt
    return tuple(table)


def build(
    data: dict[str, Any],
    tz: tzinfo,
    now: datetime,
    stamp: tuple[int, int],
    soon: int = DEFAULT_SOON,
) -> PromptIndex:
    """The index for one state of the store (`data` as loaded), for a prompt shown around `now`;
    `soon` is the window (seconds) in which a deadline is shown as due soon."""
    mine: list[int] = []
    waiting: list[int] = []
    for record in data.get(PROMISES, {}).values():
        if not isinstance(record, dict) or record.get("status", "open") != "open":
            continue
        # try/except, not contextlib.suppress: this runs for every open promise on each write.
        try:
            due = _epoch(parse_iso(record["due"]))
        except (ValueError, TypeError, AttributeError, KeyError):
            continue
        (waiting if record.get("direction") == "from" else mine).append(due)
    slots: list[int] = []
    for record in data.get(REQUESTS, {}).values():
        if not isinstance(record, dict) or record.get("status") != "booked":
            continue
        slot = record.get("slot")
        with contextlib.suppress(ValueError, TypeError, AttributeError, KeyError):
            slots.append(_epoch(parse_iso(slot["start"])))  # type: ignore[index]
    start = now - WINDOW_BEFORE
    end = now + WINDOW_AFTER
    return PromptIndex(
        stamp=stamp,
        until=_epoch(end),
        offsets=offset_table(tz, start, end),
        nonce=os.urandom(4).hex(),
        mine=tuple(sorted(mine)),
        waiting=tuple(sorted(waiting)),
        slots=tuple(sorted(slots)),
        soon=max(0, int(soon)),
    )


def _stamp(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_mtime_ns, info.st_size


def stamp_or_none(path: Path) -> tuple[int, int] | None:
    try:
        return _stamp(path)
    except OSError:
        return None


def write(
    store_path: Path,
    target: Path,
    data: dict[str, Any],
    tz: tzinfo,
    now: datetime,
    key: str = "",
    stamp: tuple[int, int] | None = None,
    soon: int = DEFAULT_SOON,
) -> None:
    """Write the index for `data`, just written to `target`. Call only under the store's lock.

    Never raises: the store is already safely written, and a prompt treats a missing index as
    "show nothing", so the worst outcome of a failure here is a quiet prompt until the next write.
    """
    path = index_path(store_path)
    try:
        index = build(data, tz, now, stamp or _stamp(target), soon)
        # Not durable (no fsync): the index is derived from the store, which is. After a power
        # cut a stale or empty index reads as "not an index" (the prompt shows nothing) and the
        # next pk command rebuilds it; syncing it cost every write two more fsyncs.
        atomic_write(path, index.dumps().encode("ascii"), mode=0o600, durable=False)
        _write_key(path, key)
    except Exception:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _key_path(path: Path) -> Path:
    return path.with_name(path.name + ".key")


def _write_key(path: Path, key: str) -> None:
    """The settings the index was built with, beside it (the prompt itself never reads it)."""
    if key:
        atomic_write(_key_path(path), key.encode("utf-8"), mode=0o600, durable=False)
    else:
        with contextlib.suppress(OSError):
            os.unlink(_key_path(path))


def _read_key(path: Path) -> str:
    try:
        return _key_path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def header_fields(path: Path) -> tuple[tuple[int, int], int] | None:
    """(stamp, until) from an index file, or None when it is missing or not an index."""
    try:
        with open(path, encoding="ascii") as handle:
            head = handle.readline().split()
            until = handle.readline().split()
        if " ".join(head[:2]) != FORMAT or len(head) != 5 or until[:1] != ["until"]:
            return None
        return (int(head[2]), int(head[3])), int(until[1])
    except (OSError, ValueError, IndexError, UnicodeDecodeError):
        return None


def refresh_if_stale(
    store_path: Path,
    target: Path,
    data: dict[str, Any],
    stamp: tuple[int, int] | None,
    tz: tzinfo,
    now: datetime,
    key: str = "",
    soon: int = DEFAULT_SOON,
) -> None:
    """Restore a missing or stale index from a read command ("the next pk command restores it"),
    from the `data` the command loaded anyway; `stamp` is the store's, taken *before* that load
    (taken after, a change in between would be stamped fresh with old data). An index built with
    other settings (`key`: a new time zone or working hours) is stale too.

    The check costs one short read. A rewrite takes the store's lock only if it is
    free right now: a writer holding it will write a fresh index anyway, and a reader must never
    wait. Failures are ignored, as in `write`.
    """
    if stamp is None:
        return  # no store yet: nothing to remind of
    path = index_path(store_path)
    header = header_fields(path)
    try:
        if (
            header is not None
            and header[0] == stamp
            and header[1] - _epoch(now) > RENEW_BEFORE_END.total_seconds()
            and _read_key(path) == key
        ):
            return
        with locked(target, 0):
            # `data` was loaded after `stamp` was taken; if the file changed since, a writer has
            # written (or will write) the fresh index itself.
            if _stamp(target) == stamp:
                write(store_path, target, data, tz, now, key, stamp, soon)
    except Exception:
        return

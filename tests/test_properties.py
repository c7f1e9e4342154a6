"""Property tests: random sequences of changes (with undo) against a small in-memory model, and
random titles that are either stored exactly or refused, and never reach the terminal raw."""

from __future__ import annotations

import json
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promisekeeper.errors import BadInput, Conflict, NotFound
from promisekeeper.model import MAX_TEXT
from promisekeeper.storage.layout import load_file

DAYS = st.integers(min_value=1, max_value=28)
IDS = st.integers(min_value=1, max_value=6)
OPS = st.one_of(
    st.tuples(st.just("add"), DAYS),
    st.tuples(st.just("move"), IDS, DAYS),
    st.tuples(st.just("done"), IDS),
    st.tuples(st.just("drop"), IDS),
    st.tuples(st.just("reopen"), IDS),
    st.tuples(st.just("undo")),
    st.tuples(st.just("redo")),
)
FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def due(day: int) -> tuple[str, str]:
    """A deadline as typed (Berlin, December: UTC+1) and as stored."""
    return f"2026-12-{day:02d}T15:00", f"2026-12-{day:02d}T14:00:00+00:00"


class Model:
    """What the store should hold: id -> (status, due), the id counter, and the undo stack as
    (before, after) snapshots — undo reverts the newest change not undone, redo re-applies the
    latest undone one, and a new change clears what could be redone."""

    def __init__(self) -> None:
        self.promises: dict[int, tuple[str, str]] = {}
        self.next_id = 1
        self.entries: list[tuple[dict, dict]] = []
        self.undone: list[tuple[dict, dict]] = []

    def change(self, new: dict) -> None:
        self.entries.append((dict(self.promises), new))
        self.undone = []
        self.promises = new

    def apply(self, op: tuple) -> tuple[list[str], int]:
        """The command line for `op` and the exit code the model expects; updates the model."""
        kind = op[0]
        if kind == "add":
            typed, stored = due(op[1])
            self.change({**self.promises, self.next_id: ("open", stored)})
            self.next_id += 1
            return ["add", f"p{self.next_id - 1}", "--to", "Dana", "--due", typed], 0
        if kind in ("undo", "redo"):
            source, target = (
                (self.entries, self.undone) if kind == "undo" else (self.undone, self.entries)
            )
            if not source:
                return [kind], Conflict.exit_code
            entry = source.pop()
            target.append(entry)
            self.promises = entry[0] if kind == "undo" else entry[1]
            return [kind], 0
        pid = op[1]
        args = [kind, str(pid)]
        if kind == "move":
            typed, stored = due(op[2])
            args += [typed, "--reason", "renegotiated"]
        if kind == "drop":
            args += ["--reason", "agreed"]
        if pid not in self.promises:
            return args, NotFound.exit_code
        status, current_due = self.promises[pid]
        if kind == "reopen":
            if status == "open":
                return args, Conflict.exit_code
            self.change({**self.promises, pid: ("open", current_due)})
            return args, 0
        if status != "open":
            return args, Conflict.exit_code
        if kind == "move":
            if stored == current_due:
                return args, BadInput.exit_code
            self.change({**self.promises, pid: ("open", stored)})
        else:
            self.change(
                {**self.promises, pid: ("done" if kind == "done" else "dropped", current_due)}
            )
        return args, 0


@settings(max_examples=25, deadline=None, suppress_health_check=FIXTURES)
@given(st.lists(OPS, min_size=1, max_size=14))
def test_any_sequence_of_changes_matches_the_model(pk, ops):
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "promises.json")
        model = Model()
        for op in ops:
            args, code = model.apply(op)
            result = pk("--db", db, *args, code=None)
            assert result.exit_code == code, (op, result.stderr)
            if code:
                assert result.stderr.count("\n") == 1 and result.stderr.startswith("pk: ")
        if not Path(db).exists():
            assert model.promises == {}
            return
        load_file(Path(db))  # a valid store, by the store's own rules
        shown = json.loads(pk("--db", db, "list", "--all", "--json").stdout)
        assert {p["id"]: (p["status"], p["due"]) for p in shown} == model.promises
        assert pk("--db", db, "doctor", code=None).exit_code == 0
        # Ids are never reused, whatever was undone.
        added = pk.json("--db", db, "add", "last", "--to", "Sam", "--due", "fri")
        assert added["id"] == model.next_id


TITLES = st.text(alphabet=st.characters(blacklist_categories=()), max_size=MAX_TEXT + 20)


def raw_controls(text: str) -> set[str]:
    """Characters a terminal would act on: controls (bar the newlines of the layout), surrogates
    and bidi controls."""
    return {
        c
        for c in text
        if c != "\n"
        and (unicodedata.category(c) in ("Cc", "Cs") or unicodedata.bidirectional(c) in BIDI)
    }


BIDI = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}


@settings(max_examples=80, deadline=None, suppress_health_check=FIXTURES)
@given(TITLES)
def test_any_title_is_stored_exactly_or_refused_and_never_shown_raw(pk, title):
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "promises.json")
        result = pk("--db", db, "add", "--to", "Dana", "--due", "fri", "--", title, code=None)
        if result.exit_code:
            assert result.exit_code == BadInput.exit_code
            assert result.stderr.startswith("pk: the title ") and result.stderr.count("\n") == 1
            assert not Path(db).exists()
            return
        # Stored exactly (surrounding whitespace trimmed, the one normalisation).
        assert pk.json("--db", db, "show", "1")["title"] == title.strip()
        for view in (["list"], ["list", "--plain"], ["show", "1"], ["search", "--", "p"]):
            out = pk("--db", db, *view, code=None)
            assert not raw_controls(out.stdout + out.stderr), view
        listed = pk("--db", db, "list", "--json").stdout
        assert not raw_controls(listed.replace("\n", ""))
        assert json.loads(listed)[0]["title"] == title.strip()

"""Bad input at the command line: each case a one-line error, a non-zero exit and no write. And
text already in the store that holds escape sequences or Rich markup is shown inert everywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import SRC

ADD = ["add", "--to", "Dana", "--due", "fri", "--"]  # the title follows `--`, so "-x" is a title
DUE = ["add", "Send numbers", "--to", "Dana", "--due"]

BAD_INPUT = [
    # (id, argv, exit code, words in the one-line error)
    ("empty title", [*ADD, ""], 2, "the title is empty"),
    ("whitespace title", [*ADD, " \t "], 2, "the title is empty"),
    ("title over 500", [*ADD, "x" * 501], 2, "501 characters; 500 at most"),
    ("control char", [*ADD, "bell\x07"], 2, "control character (U+0007)"),
    ("ANSI escape", [*ADD, "\x1b[31mred\x1b[0m"], 2, "control character (U+001B)"),
    ("OSC escape", [*ADD, "\x1b]8;;https://evil.example\x07link"], 2, "(U+001B)"),
    ("OSC title set", [*ADD, "\x1b]0;owned\x1b\\"], 2, "(U+001B)"),
    ("C1 CSI", [*ADD, "\x9b31mred"], 2, "control character (U+009B)"),
    ("C1 NEL", [*ADD, "a\x85b"], 2, "control character (U+0085)"),
    ("bidi override", [*ADD, "invoice \u202egnp.exe"], 2, "(U+202E)"),
    ("bidi isolate", [*ADD, "a\u2066b\u2069"], 2, "(U+2066)"),
    (
        "non-UTF-8 title",
        [b"add", b"caf\xe9", b"--to", b"Dana", b"--due", b"fri"],
        2,
        "not valid UTF-8",
    ),
    (
        "non-UTF-8 name",
        [b"add", b"ok", b"--to", b"D\xffna", b"--due", b"fri"],
        2,
        "not valid UTF-8",
    ),
    ("escape in a name", ["add", "ok", "--to", "\x1b[2J", "--due", "fri"], 2, "name contains"),
    ("escape in a tag", ["add", "ok", "--to", "D", "--due", "fri", "--tag", "\x1b[5m"], 2, "tag"),
    ("escape in a note", ["note", "1", "\x1b]52;c;ZXZpbA==\x07"], 2, "note contains"),
    ("escape in a reason", ["move", "1", "next tue", "--reason", "\x1b[8m"], 2, "reason"),
    ("bidi in an edit", ["edit", "1", "--title", "\u202eabc"], 2, "(U+202E)"),
    ("ambiguous date", [*DUE, "01/02/2025"], 2, "ambiguous"),
    ("impossible date", [*DUE, "feb 30"], 2, "not a real date"),
    ("impossible time", [*DUE, "fri 25:00"], 2, "25:00"),
    ("DST gap", [*DUE, "mar 28 2:30"], 2, "does not exist"),
    ("DST gap ISO", [*DUE, "2027-03-28T02:30"], 2, "does not exist"),
    ("sentence", [*DUE, "call bob about 2 invoices"], 2, "can't read"),
    ("empty date", [*DUE, ""], 2, "date"),
    ("past date", [*DUE, "2026-01-05"], 2, "past"),
    ("negative id", ["done", "--", "-3"], 2, "not a promise id: -3"),
    ("negative id as option", ["done", "-3"], 2, 'after "--"'),
    ("zero id", ["show", "0"], 2, "not a promise id: 0"),
    ("huge id", ["show", "99999999999999999999"], 2, "not a promise id"),
    ("id not a number", ["show", "one"], 2, "Invalid value for 'ID'"),
    ("unknown id", ["done", "7"], 3, "no promise #7"),
    ("unknown id to undo-able move", ["move", "8", "fri", "--reason", "r"], 3, "no promise #8"),
    ("title starting with -", ["add", "-5% forecast", "--to", "Dana", "--due", "fri"], 2, '"--"'),
    (
        "both --to and --from",
        ["add", "x", "--to", "A", "--from", "B", "--due", "fri"],
        2,
        "say who",
    ),
    ("neither --to nor --from", ["add", "x", "--due", "fri"], 2, "say who"),
    ("no deadline", ["add", "x", "--to", "A"], 2, "--due"),
]


@pytest.mark.parametrize(
    "argv, code, words", [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT]
)
def test_bad_input_is_one_line_non_zero_and_writes_nothing(pk, db_path, argv, code, words):
    pk("add", "Send numbers", "--to", "Dana", "--due", "fri")
    files = {p.name: p.read_bytes() for p in db_path.parent.iterdir() if p.is_file()}
    if any(isinstance(a, bytes) for a in argv):
        # Undecodable bytes only exist in a real argv: run the real program.
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        run = subprocess.run(
            [sys.executable.encode(), b"-m", b"promisekeeper", *argv],
            env=env,
            capture_output=True,
            timeout=60,
        )
        exit_code, stdout, stderr = run.returncode, run.stdout.decode(), run.stderr.decode()
    else:
        result = pk(*argv, code=None)
        exit_code, stdout, stderr = result.exit_code, result.stdout, result.stderr
    assert exit_code == code, stderr
    assert stderr.startswith("pk: ") and stderr.endswith("\n") and stderr.count("\n") == 1
    assert words in stderr
    assert "Traceback" not in stderr and stdout == ""
    assert "\x1b" not in stderr and "\u202e" not in stderr and "\x9b" not in stderr
    after = {p.name: p.read_bytes() for p in db_path.parent.iterdir() if p.is_file()}
    assert after == files  # no write: not the store, its backup, journal or index


HOSTILE = {
    "title": "evil \x1b]0;owned\x07 \x1b[2J\x9b31m \u202eexe.pdf [blink]x[/blink] [bold red]y",
    "person": "Sam\x1b[8m",
    "team": "Ops\x07",
    "tags": ["t\x1b[5m"],
}


def written_by_hand(db_path) -> None:
    data = json.loads(db_path.read_text())
    record = data["promises"]["1"]
    record.update(HOSTILE)
    record["notes"] = [{"at": "2026-11-23T09:00:00+00:00", "text": "note \x1b[31m"}]
    record["history"].append({"at": "2026-11-23T09:00:00+00:00", "type": "note", "text": "\x1b[1m"})
    db_path.write_text(json.dumps(data))


VIEWS = [
    ["list"],
    ["list", "--plain"],
    ["list", "--json"],
    ["list", "--all"],
    ["overdue", "--plain"],
    ["show", "1"],
    ["show", "1", "--json"],
    ["search", "evil"],
    ["search", "evil", "--json"],
    ["undo", "--list"],
    ["undo", "--list", "--json"],
    ["edit", "1", "--title", "harmless now"],  # echoes the stored person
    ["undo"],  # describes the hostile title it restores
    ["done", "1"],
    ["standup"],
    ["thanks"],
]


def test_escape_sequences_already_in_the_store_are_shown_inert_in_every_view(pk, db_path):
    pk("add", "Send numbers", "--from", "Dana", "--due", "2026-11-23T10:30")
    written_by_hand(db_path)
    for view in VIEWS:
        result = pk(*view, code=None)
        assert result.exit_code in (0, 2), (view, result.stderr)
        for stream in (result.stdout, result.stderr):
            for char in ("\x1b", "\x07", "\x9b", "\u202e"):
                assert char not in stream, (view, char)
    shown = pk("list", "--all").stdout
    assert "[blink]x[/blink] [bold red]y" in shown  # Rich markup printed literally
    assert "\\x1b]0;owned\\x07" in shown


def test_stored_text_round_trips_exactly_in_json(pk, db_path):
    pk("add", "Send numbers", "--to", "Dana", "--due", "fri")
    written_by_hand(db_path)
    shown = pk.json("show", "1")
    assert shown["title"] == HOSTILE["title"] and shown["person"] == HOSTILE["person"]

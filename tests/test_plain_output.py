"""One-line results and talk (`say`, `hint`, the heads-up) skip Rich when the stream is not a
terminal: the bytes must be exactly what Rich printed there, and Rich must still be used (colour,
NO_COLOR) when it is a terminal by Rich's own rules."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.text import Text
from test_startup_imports import loaded, modules_after

from promisekeeper.cli.common import State, hint, say
from promisekeeper.views.lines import is_terminal, make_console

MESSAGES = [
    "Promised #3 “Send Q3 numbers” → Dana, due Fri 27 Nov 17:00 — in 4 days 7h",
    "",
    "wide 漢字, emoji 🎉, a combining e\u0301 and a joiner 👩‍💻",
    "controls Rich drops: \a\b\x0b\x0c\r, and one it keeps: \x1b[31m",
    "[bold]not markup[/] :smile: http://example.com 42",
    "trailing spaces   ",
    "two\nlines",
    "a tab\there, expanded by cell width: 漢\tx",
    "x" * 400,
]


class FakeStream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        super().isatty()  # ValueError once closed, like a real stream
        return self.tty


@pytest.mark.parametrize("message", MESSAGES)
@pytest.mark.parametrize("stderr", [False, True])
def test_a_line_into_a_pipe_is_what_rich_printed(
    message: str, stderr: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    rich_out = io.StringIO()
    style = "dim" if stderr else "bold"
    make_console(file=rich_out).print(Text(message, style=style), soft_wrap=True)
    pipe = FakeStream(tty=False)
    monkeypatch.setattr("sys.stderr" if stderr else "sys.stdout", pipe)
    (hint if stderr else say)(State(), message, style)
    assert pipe.getvalue() == rich_out.getvalue()


@pytest.mark.parametrize("message", MESSAGES)
@pytest.mark.parametrize("no_color", ["", "1"])
def test_an_unstyled_line_on_a_terminal_is_what_rich_printed(
    message: str, no_color: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rich adds no escape code to text without a style, on any terminal."""
    monkeypatch.setenv("NO_COLOR", no_color)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")
    rich_out = FakeStream(tty=True)
    make_console(file=rich_out).print(Text(message), soft_wrap=True)
    terminal = FakeStream(tty=True)
    monkeypatch.setattr("sys.stdout", terminal)
    say(State(), message)
    assert terminal.getvalue() == rich_out.getvalue()


def test_a_terminal_still_gets_colour_through_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    terminal = FakeStream(tty=False)  # FORCE_COLOR makes it one, as for Rich
    monkeypatch.setattr("sys.stdout", terminal)
    say(State(), "Kept #3 on time.", "green")
    assert terminal.getvalue() == "\x1b[32mKept #3 on time.\x1b[0m\n"


@pytest.mark.parametrize("tty_compatible", [None, "", "0", "1", "yes"])
@pytest.mark.parametrize("force_color", [None, "", "1", "0"])
@pytest.mark.parametrize("tty", [False, True])
def test_terminal_means_what_it_means_to_rich(
    tty_compatible: str | None, force_color: str | None, tty: bool, monkeypatch
) -> None:
    for name, value in (("TTY_COMPATIBLE", tty_compatible), ("FORCE_COLOR", force_color)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    stream = FakeStream(tty)
    assert is_terminal(stream) == Console(file=stream).is_terminal


def test_a_closed_stream_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    stream = FakeStream(tty=True)
    stream.close()
    assert not is_terminal(stream)


def test_no_stdout_at_all_prints_nothing_and_raises_nothing(monkeypatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.setattr("sys.stdout", None)  # pythonw, or a service without one
    say(State(), "Kept #3 on time.")


@pytest.fixture
def two_promises(pk) -> None:
    pk("add", "Q3 numbers", "--to", "Dana", "--due", "fri")
    pk("add", "Floor plan", "--from", "Sam", "--due", "tomorrow")


@pytest.mark.parametrize(
    "args",
    [
        ["add", "Budget", "--to", "Lee", "--due", "fri 3pm"],
        ["done", "1"],
        ["done", "2"],  # Sam delivered: the nudge to say thank you is talk too
        ["drop", "1"],
        ["note", "1", "sent a draft"],
    ],
)
def test_changes_into_a_pipe_never_load_rich(two_promises, args: list[str]) -> None:
    modules = modules_after(args, {})
    assert not [m for m in modules if m == "rich" or m.startswith("rich.")]


def test_a_result_without_a_style_needs_no_rich_on_a_terminal_either(two_promises) -> None:
    assert "rich" not in modules_after(["done", "1"], {"TTY_COMPATIBLE": "1"})
    # The nudge to thank Sam is dim talk: on a terminal, Rich draws it.
    assert "rich" in modules_after(["done", "2"], {"TTY_COMPATIBLE": "1"})


def test_done_on_a_plain_promise_loads_no_report_commands_and_no_slots(two_promises) -> None:
    modules = modules_after(["done", "1"], {})
    assert "promisekeeper.cli.report_cmds" not in modules
    assert "promisekeeper.core.slots" not in modules


@pytest.mark.parametrize(
    "args",
    [
        ["standup"],
        ["standup", "--format", "markdown", "--by", "team"],
        ["standup", "--json"],
        ["stats", "--plain"],
    ],
)
def test_reports_into_a_pipe_load_neither_rich_nor_statistics(two_promises, args) -> None:
    modules = modules_after(args, {})
    heavy = ("rich", "statistics", "fractions", "decimal", "promisekeeper.views.render")
    assert loaded(modules, heavy) == []


def test_standup_on_a_terminal_is_still_drawn_by_rich(two_promises) -> None:
    assert "rich.table" in modules_after(["standup"], {"TTY_COMPATIBLE": "1"})

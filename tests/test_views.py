"""Views that never hide, filters that say what they do, and titles quoted the same way every
time — at the pinned instant (Monday 23 Nov 2026 10:00 Europe/Berlin)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rich.cells import cell_len

from promisekeeper.dates import format_local

TRICKY = 'Dana\'s "big" report'
SHOWN = '\u201cDana\'s "big" report\u201d'


# --- titles in sentences --------------------------------------------------------------------------


def test_titles_in_sentences_are_in_typographic_quotes_never_python_escapes(pk):
    said = [
        pk("add", TRICKY, "--to", "Dana", "--due", "fri").stdout,
        pk("note", "1", "first draft sent").stdout,
        pk("done", "1").stdout,
        pk("add", TRICKY, "--from", "Sam", "--due", "fri").stdout,
        pk("drop", "2").stdout,
        pk("undo", "--list").stdout,
        pk("undo").stdout,
    ]
    for line in said:
        assert SHOWN in line, line
        assert "\\'" not in line and "'Dana" not in line


def test_a_clash_with_the_buffer_says_it_is_the_buffer(pk, isolated):
    (isolated / "config.toml").write_text('timezone = "Europe/Berlin"\n[work]\nbuffer = "15m"\n')
    pk("later", "One", "--for", "Dana", "--need", "30m")
    pk("book", "1", "tomorrow 9am")  # Tue 09:00–09:30
    pk("later", "Two", "--for", "Sam", "--need", "30m")
    refused = pk("book", "2", "tomorrow 9:40am", code=4)
    assert "only 10m apart: inside the 15m buffer you keep between help slots" in refused.stderr
    assert "#1 \u201cOne\u201d with Dana" in refused.stderr
    overlapping = pk("book", "2", "tomorrow 9:15am", code=4)
    assert "buffer" not in overlapping.stderr  # a real overlap is just a clash


# --- views that never hide ------------------------------------------------------------------------

WIDTHS = ["40", "50", "60", "80"]
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def crowded(pk, isolated):
    """Long titles, names and teams, every state: the store that squeezes a narrow terminal."""
    (isolated / "config.toml").write_text(
        'timezone = "Europe/Berlin"\n[work]\nlunch = "12:00-13:00"\n'
    )
    long_title = "Send the complete Q3 headcount numbers with the department breakdown"
    pk("add", long_title, "--to", "Dana Montgomery-Smith", "--team", "Finance and Controlling",
       "--due", "fri 3pm", "--tag", "payroll")  # fmt: skip
    pk("add", "Updated floor plan", "--from", "Samuel Okonkwo-Baptiste", "--due", "tomorrow")
    pk("add", "Late report", "--to", "Lee", "--due", "2026-11-20 09:00", "--past")
    pk("add", "Vendor contract review for the new catering supplier", "--to", "Procurement",
       "--due", "2026-12-04 15:00")  # fmt: skip
    pk("add", "Kept one", "--to", "Lee", "--due", "2026-11-23 09:00", "--past")
    pk("done", "5")
    pk("later", "Walk Dana through the new expense form and the approval chain", "--for",
       "Dana Montgomery-Smith", "--need", "45m")  # fmt: skip
    pk("book", "1", "1")  # promise #6, today 10:00–10:45
    pk("later", "Review", "--for", "Sam", "--need", "30m")
    return {p["id"]: format_local(datetime.fromisoformat(p["due"]), BERLIN, now=NOW)
            for p in pk.json("list", "--all")}  # fmt: skip


def fits(out: str, width: int) -> None:
    for line in out.splitlines():
        assert cell_len(line.rstrip()) <= width, line
    assert "…" not in out  # Rich's mark for a cell it cut


def on_one_line(out: str, ref: str, when: str) -> bool:
    return any(
        ref in line.split()[:2] and when in line for line in out.splitlines() if line.strip()
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_list_and_overdue_keep_every_id_and_whole_due_date_at_any_width(pk, crowded, width):
    env = {"COLUMNS": width}
    listing = pk("list", "--all", "--table", env=env).stdout
    fits(listing, int(width))
    for pid, when in crowded.items():
        assert on_one_line(listing, str(pid), when), (pid, when, listing)
    late = pk("overdue", "--table", env=env).stdout
    fits(late, int(width))
    assert on_one_line(late, "3", crowded[3])


@pytest.mark.parametrize("width", WIDTHS)
def test_standup_keeps_ids_and_times_at_any_width(pk, crowded, width):
    out = pk("standup", "--format", "rich", env={"COLUMNS": width}).stdout
    fits(out, int(width))
    assert on_one_line(out, "#3", f"due {crowded[3]}")  # overdue
    assert on_one_line(out, "#6", f"due {crowded[6]}")  # due today
    assert on_one_line(out, "#5", "(Mon 23 Nov 10:00)")  # done
    assert "10:00–10:45" in out


@pytest.mark.parametrize("width", WIDTHS)
def test_slots_keep_request_ids_and_whole_times_at_any_width(pk, crowded, width):
    out = pk("slots", env={"COLUMNS": width}).stdout
    fits(out, int(width))
    assert on_one_line(out, "#1", "10:00–10:45") or any(
        "10:00–10:45" in line and "#1" in line for line in out.splitlines()
    )
    for offer in ("Mon 23 Nov 13:00–13:30", "Tue 24 Nov 09:00–09:30"):
        assert offer in out


@pytest.mark.parametrize("width", WIDTHS)
def test_stats_and_show_never_squeeze_a_column_away(pk, crowded, width):
    stats = pk("stats", "--by", "person", env={"COLUMNS": width}).stdout
    fits(stats, int(width))
    for label in ("16 Nov", "23 Nov", "total", "Dana Montgomery-Smith", "0 on time"):
        assert label in stats
    shown = pk("show", "1", env={"COLUMNS": width}).stdout
    fits(shown, int(width))
    assert "#1" in shown and crowded[1] in shown


def test_list_into_a_pipe_is_one_line_per_promise_with_its_id(proc, crowded):
    # A real process with stdout a pipe: not a terminal, so no table, whatever the width.
    run = proc("list", env={"COLUMNS": "40"})
    assert run.returncode == 0, run.stderr
    lines = run.stdout.decode().splitlines()
    assert len(lines) == 5  # the open promises: no title, no header
    grep = [line for line in lines if "expense" in line]
    assert grep and grep[0].startswith("#6  ") and crowded[6] in grep[0]
    late = proc("overdue").stdout.decode().splitlines()
    assert late == [line for line in lines if line.startswith("#3  ")]


def test_not_a_terminal_means_plain_lines_and_table_brings_the_table_back(pk, crowded):
    plain = pk("list").stdout  # CliRunner's stdout is not a terminal either
    assert plain == pk("list", "--plain").stdout
    assert "Promises" not in plain.splitlines()[0]
    assert pk("list", "--table").stdout.startswith("Promises\n")
    assert pk("overdue", "--table").stdout.startswith("Overdue\n")
    terminal = {"TTY_COMPATIBLE": "1"}
    assert "Promises" in pk("list", env=terminal).stdout.splitlines()[0]  # a terminal: the table
    assert "choose one of" in pk("list", "--table", "--json", code=2).stderr


# --- list options and search ----------------------------------------------------------------------


@pytest.fixture
def five(pk):
    pk("add", "For Dana", "--to", "Dana", "--team", "Finance", "--tag", "payroll", "--due", "thu")
    pk("add", "Dana owes", "--from", "Dana", "--team", "Ops", "--due", "fri 3pm")
    pk("add", "For Lee", "--to", "Lee", "--team", "Ops", "--tag", "audit", "--due", "fri")
    pk("add", "From Sam", "--from", "Sam", "--tag", "Expense", "--due", "2026-11-24 09:00")
    pk("add", "Also Lee", "--to", "Lee", "--due", "2026-12-01")


def titles(pk, *args: str) -> list[str]:
    return [p["title"] for p in pk.json("list", *args)]


def test_person_shows_promises_to_and_from_them(pk, five):
    assert titles(pk, "--person", "dana") == ["For Dana", "Dana owes"]
    assert titles(pk, "-p", "Dana", "--to", "Lee") == [
        "For Dana",
        "Dana owes",
        "For Lee",
        "Also Lee",
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--tag", "payroll", "--tag", "audit"), ["For Dana", "For Lee"]),
        (("--to", "Dana", "--to", "Lee"), ["For Dana", "For Lee", "Also Lee"]),
        (("--team", "finance", "--team", "ops"), ["For Dana", "Dana owes", "For Lee"]),
        (("--to", "Dana", "--from", "Sam"), ["From Sam", "For Dana"]),
        (("--team", "Ops", "--tag", "audit"), ["For Lee"]),  # different kinds: both
    ],
)
def test_a_repeated_filter_means_either(pk, five, args, expected):
    assert sorted(titles(pk, *args)) == sorted(expected)


def test_due_by_includes_the_whole_day_and_due_before_stays_strict(pk, five):
    # Fri 27 Nov: "Dana owes" at 15:00 and "For Lee" at the end of the working day (17:00).
    assert titles(pk, "--due-by", "fri") == ["From Sam", "For Dana", "Dana owes", "For Lee"]
    assert titles(pk, "--due-before", "fri") == ["From Sam", "For Dana", "Dana owes"]
    assert titles(pk, "--due-by", "fri 3pm") == ["From Sam", "For Dana", "Dana owes"]
    assert titles(pk, "--due-by", "2026-11-24") == ["From Sam"]
    assert titles(pk, "--due-by", "2026-11-24 08:59") == []
    assert "--due-by fri" in pk("list", "--help").stdout


def test_sort_and_limit(pk, five):
    assert titles(pk, "--sort", "person", "--limit", "3") == ["For Dana", "Dana owes", "For Lee"]
    assert titles(pk, "--sort", "created")[0] == "For Dana"
    assert titles(pk, "--limit", "1") == ["From Sam"]
    assert "is not one of" in pk("list", "--sort", "size", code=2).stderr
    assert pk("list", "--limit", "0", code=2).stderr


def test_search_takes_several_words_without_quotes_and_hash_finds_a_tag(pk, five):
    assert [p["title"] for p in pk.json("search", "for", "lee")] == ["For Lee"]
    assert [p["title"] for p in pk.json("search", "#expense")] == ["From Sam"]
    assert [p["title"] for p in pk.json("search", "#EXPENSE", "sam")] == ["From Sam"]
    pk("note", "1", "sent the #expense report draft")
    assert [p["title"] for p in pk.json("search", "#expense")] == ["From Sam"]  # a tag, not text
    assert [p["title"] for p in pk.json("search", "#expens")] == []
    assert "\u201cfor lee\u201d" in pk("search", "for", "lee").stdout


# --- wording --------------------------------------------------------------------------------------


def test_counts_agree_with_their_nouns(pk):
    pk("add", "One", "--to", "Dana", "--due", "2026-11-20 10:00", "--past")
    stats = pk("stats", "--weeks", "1", "--plain").stdout
    assert "last week (by final deadline)" in stats and "1 weeks" not in stats
    assert "last 3 weeks" in pk("stats", "--weeks", "3", "--plain").stdout
    pk("later", "Walk through", "--for", "Dana", "--need", "30m")
    changes = pk("undo", "--list").stdout
    assert "request #1" in changes and "requests #1" not in changes

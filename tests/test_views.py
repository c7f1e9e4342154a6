"""Views that never hide, filters that say what they do, and titles quoted the same way every
time — at the pinned instant (Monday 23 Nov 2026 10:00 Europe/Berlin)."""

from __future__ import annotations

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

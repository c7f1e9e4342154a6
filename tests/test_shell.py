"""`pk init`: the snippets run in real bash and zsh (fish when installed; .ci/run installs it)
and must show exactly what `pk prompt` prints, keep the prompt and hooks, start no process."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from test_prompt import book_slot

from promisekeeper.shell import prompt
from promisekeeper.shell.snippets import snippet
from promisekeeper.storage import prompt_index

INSTANTS = [
    "2026-11-23T10:00:00+01:00",
    "2026-11-23T10:05:30+01:00",
    "2026-11-23T10:10:00+01:00",
    "2026-11-23T11:00:01+01:00",  # the 15:00 deadline is within `soon` (4h)
    "2026-11-23T15:00:01+01:00",
    "2026-11-23T23:59:59+01:00",
    "2026-11-24T00:00:00+01:00",
    "2026-11-28T09:00:00+01:00",
    "2026-11-19T09:00:00+01:00",  # before anything is late
    "2030-01-01T00:00:00+01:00",  # beyond the index's zone table: nothing
]
NATIVE = ["bash", "zsh"]


def epoch(when: str) -> int:
    return int(datetime.fromisoformat(when).timestamp())


def shell_cmd(shell: str, script: str) -> list[str]:
    return (
        ["bash", "--norc", "--noprofile", "-c", script]
        if shell == "bash"
        else [
            "zsh",
            "-f",
            "-c",
            script,
        ]
    )


def run_shell(shell: str, script: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        shell_cmd(shell, script),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


@pytest.fixture
def ledger(pk, db_path: Path) -> Path:
    pk("add", "Late report", "--to", "Dana", "--due", "2026-11-20", "--past")
    pk("add", "Budget", "--to", "Dana", "--due", "3pm")
    pk("add", "Floor plan", "--to", "Sam", "--due", "tomorrow")
    pk("add", "Audit file", "--from", "Sam", "--due", "2026-11-22", "--past")
    book_slot(db_path, "2026-11-23T10:10:00+01:00")
    return db_path


@pytest.fixture
def snippet_file(tmp_path: Path):
    def write(shell: str, **kwargs) -> Path:
        path = tmp_path / f"snippet.{shell}"
        path.write_text(snippet(shell, **kwargs))
        return path

    return write


@pytest.mark.parametrize("shell", NATIVE)
def test_native_segment_equals_pk_prompt(shell: str, ledger: Path, snippet_file) -> None:
    source = snippet_file(shell)
    loop = " ".join(str(epoch(w)) for w in INSTANTS)
    loop_body = 'PK_NOW_EPOCH=$t; __pk_segment; printf "<%s>\\n" "$__pk_seg"'
    out = run_shell(shell, f"source {source}\nfor t in {loop}; do {loop_body}; done")
    expected = []
    for when in INSTANTS:
        os.environ["PK_NOW"] = when
        expected.append(f"<{prompt.render(str(ledger))}>")
    assert out.splitlines() == expected
    assert "[pk 1 late · 1 today · 1 waiting · slot in 5m]" in out  # the table is not all empty
    assert "<[pk 1 late · 1 soon · 1 waiting]>" in out  # 11:00:01: due within `soon`


@pytest.mark.parametrize("shell", NATIVE)
@pytest.mark.parametrize(
    ("when", "due"),
    [
        ("2027-03-28T00:30:00+01:00", "2027-03-28T23:30"),  # spring forward: a 23-hour day
        ("2027-03-28T00:30:00+01:00", "2027-03-29T00:00"),
        ("2026-10-25T00:30:00+02:00", "2026-10-25T23:59"),  # fall back: 25 hours
        ("2026-10-25T00:30:00+02:00", "2026-10-26T00:00"),
    ],
)
def test_native_today_across_dst(
    shell: str, pk, db_path: Path, monkeypatch, snippet_file, when: str, due: str
) -> None:
    monkeypatch.setenv("PK_NOW", when)
    pk("add", "Close the books", "--to", "Dana", "--due", due)
    source = snippet_file(shell)
    out = run_shell(
        shell,
        f'source {source}; __pk_segment; printf "<%s>" "$__pk_seg"',
        env={"PK_NOW_EPOCH": str(epoch(when))},
    )
    assert out == f"<{prompt.render(str(db_path))}>"
    assert out == ("<[pk 1 today]>" if due.endswith("23:30") or due.endswith("23:59") else "<>")


def interactive(shell: str, lines: list[str], env: dict[str, str]) -> list[str]:
    """Feed lines to an interactive shell; return the prompts it printed (one per line read)."""
    if shell == "bash":
        cmd = ["bash", "--norc", "--noprofile", "-i"]
    else:
        cmd = ["zsh", "-f", "-i"]
        lines = ["unsetopt prompt_sp prompt_cr", *lines]
    result = subprocess.run(
        cmd,
        input="\n".join([*lines, "exit"]) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )
    return [line for line in result.stderr.splitlines() if "MARK" in line]


@pytest.mark.parametrize("shell", NATIVE)
def test_prompt_keeps_existing_prompt_and_hooks(shell: str, ledger: Path, snippet_file) -> None:
    source = snippet_file(shell)
    env = {"PK_NOW_EPOCH": str(epoch("2026-11-23T15:00:01+01:00")), "NO_COLOR": "1"}
    if shell == "bash":
        setup = ["PS1='MARK$ '", "PROMPT_COMMAND='echo hook-ran >&2'"]
    else:
        setup = ["PROMPT='MARK%% '", "precmd() { print hook-ran >&2 }"]
    # Sourced twice: the segment must still appear once.
    prompts = interactive(
        shell, [*setup, f'eval "$(cat {source})"', f"source {source}", "true"], env
    )
    assert prompts[-1].startswith("[pk 2 late · 1 waiting] MARK")
    assert prompts[-1].count("[pk") == 1
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-i"] if shell == "bash" else ["zsh", "-f", "-i"],
        input="\n".join([*setup, f"source {source}", "true", "exit"]) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )
    assert result.stderr.count("hook-ran") >= 2  # the user's own hook still runs


@pytest.mark.parametrize("shell", NATIVE)
def test_colour_unless_no_color(shell: str, ledger: Path, snippet_file) -> None:
    source = snippet_file(shell)
    env = {"PK_NOW_EPOCH": str(epoch("2026-11-23T10:00:00+01:00")), "NO_COLOR": ""}
    setup = ["PS1='MARK$ '"] if shell == "bash" else ["PROMPT='MARK%% '"]
    prompts = interactive(shell, [*setup, f"source {source}", "true"], env)
    assert "\x1b[31m[pk 1 late" in prompts[-1]
    env["NO_COLOR"] = "1"
    prompts = interactive(shell, [*setup, f"source {source}", "true"], env)
    assert "\x1b" not in prompts[-1] and "[pk 1 late" in prompts[-1]


@pytest.mark.parametrize("shell", NATIVE)
@pytest.mark.parametrize(
    "damage",
    [
        "mine $(touch pwned) 1",
        "mine `touch pwned`",
        "mine a[$(touch pwned)]",
        "mine 08 09",
        "mine -5",
        "mine 99999999999999999999",
        "offsets x 3600",
        "soon -5",
        "soon 1 2",
        "soon 0600",
        "soon $(touch pwned)",
    ],
)
def test_native_rejects_a_garbled_index_without_running_it(
    shell: str, ledger: Path, snippet_file, tmp_path: Path, damage: str
) -> None:
    index = prompt_index.index_path(ledger)
    key = damage.split()[0]
    index.write_text(re.sub(rf"^{key} .*$", damage, index.read_text(), flags=re.M))
    os.utime(ledger, (1, 1))  # keep the index newer than the store: only the content is wrong
    source = snippet_file(shell)
    out = run_shell(
        shell,
        f'cd {tmp_path}; source {source}; __pk_segment; printf "<%s>" "$__pk_seg"',
        env={"PK_NOW_EPOCH": str(epoch("2026-11-23T10:00:00+01:00"))},
    )
    assert out == "<>"
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("shell", NATIVE)
def test_native_prints_nothing_for_a_stale_or_missing_index(
    shell: str, ledger: Path, snippet_file
) -> None:
    source = snippet_file(shell)
    script = f'source {source}; __pk_segment; printf "<%s>" "$__pk_seg"'
    env = {"PK_NOW_EPOCH": str(epoch("2026-11-23T10:00:00+01:00"))}
    assert run_shell(shell, script, env) != "<>"
    index = prompt_index.index_path(ledger)
    os.utime(index, (1, 1))  # older than the store
    assert run_shell(shell, script, env) == "<>"
    index.unlink()
    assert run_shell(shell, script, env) == "<>"


@pytest.mark.parametrize("shell", NATIVE)
def test_native_prompt_starts_no_process(shell: str, ledger: Path, snippet_file) -> None:
    # With PATH empty, any command the segment tried to run would fail and leave no segment.
    source = snippet_file(shell)
    out = run_shell(
        shell,
        f'source {source}; PATH=; __pk_segment; printf "<%s>" "$__pk_seg"',
        env={"PK_NOW_EPOCH": str(epoch("2026-11-23T10:00:00+01:00"))},
    )
    assert out == "<[pk 1 late · 1 today · 1 waiting · slot in 10m]>"
    text = snippet(shell)
    body = text[text.index("__pk_segment()") : text.index("__pk_count_mine()")]
    assert not re.search(r"\$\((?!\()|`", body)  # no command substitution, only $((arithmetic))


def test_init_command_prints_the_snippets(pk) -> None:
    for shell in ("bash", "zsh", "fish"):
        out = pk("init", shell).stdout
        assert "__pk_segment" in out
        assert "standup" not in out
        assert "standup --format plain" in pk("init", shell, "--standup").stdout
    assert "unknown shell" in pk("init", "tcsh", code=2).stderr


@pytest.mark.parametrize("shell", NATIVE)
def test_standup_once_a_day_at_the_first_shell(
    shell: str, pk, ledger: Path, tmp_path: Path
) -> None:
    text = pk("init", shell, "--standup").stdout
    source = tmp_path / f"standup.{shell}"
    source.write_text(text)
    first = run_shell(shell, f"source {source}")
    assert "Late report" in first  # the standup's own words, not any line that says "late"
    assert run_shell(shell, f"source {source}") == ""
    stamp = Path(f"{ledger}.standup-day")
    stamp.write_text("2000-01-01\n")
    assert run_shell(shell, f"source {source}") == first


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish not installed (.ci/run installs it)")
def test_fish_right_prompt_shows_pk_prompt_and_keeps_the_old_one(
    ledger: Path, pk, tmp_path: Path
) -> None:
    source = tmp_path / "init.fish"
    source.write_text(pk("init", "fish").stdout)
    script = (
        "function fish_right_prompt; echo -n OLD; end\n"
        f"source {source}\nsource {source}\nfish_right_prompt"
    )
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run(
        ["fish", "--no-config", "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.stdout == f"{prompt.render(str(ledger))} OLD"


@pytest.mark.parametrize("shell", NATIVE)
def test_cached_segment_tracks_a_moving_clock(shell: str, ledger: Path, snippet_file) -> None:
    # One shell, the clock stepping forward as prompts happen: the segment is reused between
    # changes, so each change (a slot nearing, a deadline passing, midnight) must show at once.
    start = epoch("2026-11-23T09:54:00+01:00")
    steps = [start + 17 * i for i in range(80)]  # 09:54 → 10:16, across the slot
    steps += [epoch("2026-11-23T11:00:00+01:00") + d for d in (-1, 0, 1, 2)]  # 15:00 nears
    steps += [epoch("2026-11-23T15:00:00+01:00") + d for d in (-1, 0, 1, 2)]
    steps += [epoch("2026-11-24T00:00:00+01:00") + d for d in (-1, 0, 1)]
    source = snippet_file(shell)
    loop_body = 'PK_NOW_EPOCH=$t; __pk_segment; printf "<%s>\\n" "$__pk_seg"'
    out = run_shell(
        shell, f"source {source}\nfor t in {' '.join(map(str, steps))}; do {loop_body}; done"
    )
    expected = []
    for t in steps:
        os.environ["PK_NOW"] = datetime.fromtimestamp(t).astimezone().isoformat()
        expected.append(f"<{prompt.render(str(ledger))}>")
    assert out.splitlines() == expected
    assert len(set(expected)) >= 8

"""The completion scripts in `completions/` are what the current CLI generates, and Tab completes
promise ids and people's names from the store."""

from __future__ import annotations

import json
import os
import pty
import select
import shlex
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from promisekeeper.cli.complete import split_line
from promisekeeper.cli.completion_gen import FILES, ROOT, generate, main


@pytest.mark.parametrize("shell", sorted(FILES))
def test_completion_files_are_current(shell: str) -> None:
    path = ROOT / "completions" / FILES[shell]
    assert path.read_text(encoding="utf-8") == generate(shell), (
        "regenerate with: python -m promisekeeper.cli.completion_gen"
    )


def test_check_mode_reports_nothing_stale() -> None:
    assert main(["--check"]) == 0


def test_hidden_completion_command_prints_the_script(pk) -> None:
    assert pk("completion", "bash").stdout == generate("bash")
    assert "completion" not in pk("--help").stdout.split("Commands:")[1]


@pytest.fixture
def ledger(pk) -> None:
    pk("add", "Budget", "--to", "Dana", "--due", "fri")
    pk("add", "Floor plan", "--from", "Sam", "--due", "fri")
    pk("add", "Old thing", "--to", "Dmitri", "--due", "fri")
    pk("done", "3")


def complete_bash(proc, *words: str) -> list[str]:
    line = " ".join(["pk", *words])
    result = proc(env={"_PK_COMPLETE": "complete_bash", "_PK_COMPLETE_LINE": line})
    assert result.returncode == 0, result.stderr
    return result.stdout.decode().split()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("done", ""), ["1", "2"]),  # open ones only
        (("reopen", ""), ["3"]),  # closed ones only
        (("show", ""), ["1", "2", "3"]),
        (("add", "x", "--to", "D"), ["Dana", "Dmitri"]),
        (("list", "--from", "S"), ["Sam"]),
        (("edit", "1", "--to", ""), ["Dana", "Dmitri", "Sam"]),
        (("mo",), ["move"]),
    ],
)
def test_tab_completes_from_the_store(ledger, proc, words: tuple[str, ...], expected) -> None:
    assert sorted(complete_bash(proc, *words)) == expected


def test_zsh_completion_shows_titles_as_descriptions(ledger, proc) -> None:
    result = proc(env={"_PK_COMPLETE": "complete_zsh", "_PK_COMPLETE_LINE": "pk move "})
    out = result.stdout.decode()
    assert "1\tBudget\n" in out and "2\tFloor plan\n" in out


def test_completion_of_a_broken_store_completes_nothing(db_path, proc) -> None:
    db_path.write_text("not json")
    assert complete_bash(proc, "done", "") == []


# --- in the real shells ---------------------------------------------------------------------------
#
# Each shell runs interactively on a pseudo-terminal with pk's completion file loaded; a line is
# typed, Tab pressed, then Enter. `pk` on PATH is a stand-in that answers completions with the real
# pk and otherwise records the arguments it was run with: what the shell would really have run.

SHELLS = {
    "bash": (["bash", "--norc", "--noprofile", "-i"], ["source {dir}/pk.bash"]),
    "zsh": (["zsh", "-f", "-i"], ["autoload -Uz compinit && compinit -u", "source {dir}/_pk"]),
    "fish": (["fish", "--no-config", "-i"], ["source {dir}/pk.fish"]),
}
NAMES = ["Zoë Müller", "O'Brien", 'Mal"lory', "Back\\slash"]


class Terminal:
    """One interactive shell on a pseudo-terminal."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the shell
            os.execvpe(argv[0], argv, env)
        self.output = b""

    def read_until_quiet(self, quiet: float = 0.4, limit: float = 15.0) -> None:
        """Read until nothing more arrives for `quiet` seconds (the shell is waiting for keys)."""
        end = time.monotonic() + limit
        last = time.monotonic()
        while time.monotonic() < end and time.monotonic() - last < quiet:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:
                    return
                last = time.monotonic()

    def type(self, keys: str, quiet: float = 0.4) -> None:
        os.write(self.fd, keys.encode())
        self.read_until_quiet(quiet)

    def close(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture
def shell_env(tmp_path, pk) -> dict[str, str]:
    for name in NAMES:
        pk("add", "Something", "--to", name, "--due", "fri")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = shlex.quote(sys.executable)
    stand_in = bin_dir / "pk"
    stand_in.write_text(
        "#!/bin/sh\n"
        f'if [ -n "$_PK_COMPLETE" ]; then exec {python} -m promisekeeper "$@"; fi\n'
        f'exec {python} -c \'import json, os, sys; f = os.environ["ARGV_FILE"]; '
        'open(f + ".new", "w").write(json.dumps(sys.argv[1:])); os.replace(f + ".new", f)\' "$@"\n'
    )
    stand_in.chmod(0o755)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT / "src"),
        "ARGV_FILE": str(tmp_path / "argv.json"),
        "HOME": str(tmp_path),
        "TERM": "xterm",
    }


def run_completed(shell: str, env: dict[str, str], lines: list[str]) -> list[list[str] | None]:
    """Type each line, press Tab, then Enter; what pk was run with after each."""
    argv, setup = SHELLS[shell]
    argv_file = Path(env["ARGV_FILE"])
    terminal = Terminal(argv, env)
    ran: list[list[str] | None] = []
    try:
        terminal.read_until_quiet(1.0)
        for command in setup:
            terminal.type(command.format(dir=ROOT / "completions") + "\r", quiet=1.0)
        for line in lines:
            argv_file.unlink(missing_ok=True)
            # Keys wait in the terminal while the shell runs pk for the Tab, so Enter can follow
            # at once: it is read only after the completion is inserted.
            terminal.type(line + "\t\r", quiet=0.1)
            end = time.monotonic() + 15
            while not argv_file.exists() and time.monotonic() < end:
                terminal.read_until_quiet(0.2)
            ran.append(json.loads(argv_file.read_text()) if argv_file.exists() else None)
    finally:
        terminal.close()
    return ran


TYPED = [
    # (typed before Tab, the word pk must receive)
    ("pk list --to Zo", "Zoë Müller"),
    ('pk list --to "Zo', "Zoë Müller"),
    ("pk list --to Zoë\\ M", "Zoë Müller"),
    ("pk list --to O", "O'Brien"),
    ('pk list --to "O', "O'Brien"),
    ("pk list --to Ma", 'Mal"lory'),
    ('pk list --to "Ma', 'Mal"lory'),
    ("pk list --to Ba", "Back\\slash"),
    ("pk list --to 'Ba", "Back\\slash"),
    ("pk list --sort cr", "created"),
    ("pk stats --by p", "person"),
    ("pk export --format i", "ics"),
    ("pk standup -f m", "markdown"),
    ("pk init z", "zsh"),
]


def check_in_shell(shell: str, env: dict[str, str], cases: list[tuple[str, str]]) -> None:
    if not hasattr(os, "fork") or shutil.which(shell) is None:
        pytest.skip(f"needs {shell} on a pseudo-terminal")
    ran = run_completed(shell, env, [typed for typed, _ in cases])
    for (typed, word), argv in zip(cases, ran, strict=True):
        assert argv is not None and argv[-1] == word, (shell, typed, argv)


@pytest.mark.slow  # about 25 s a shell: each Tab starts pk
@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_tab_in_the_real_shell_types_what_you_mean(shell_env, shell) -> None:
    check_in_shell(shell, shell_env, TYPED)


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_tab_in_the_real_shell_quotes_a_name_and_offers_choices(shell_env, shell) -> None:
    # The quick subset of the test above, for every run.
    check_in_shell(shell, shell_env, [TYPED[0], TYPED[4], TYPED[-1]])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pk list --to ", (["list", "--to"], "")),
        ('pk list --to "Zoë ', (["list", "--to"], "Zoë ")),
        ("pk list --to Zoë\\ ", (["list", "--to"], "Zoë ")),
        ("pk list --to O\\'B", (["list", "--to"], "O'B")),
        ("pk", ([], "")),
    ],
)
def test_the_line_is_split_as_the_shell_reads_it(line, expected) -> None:
    assert split_line(line) == expected

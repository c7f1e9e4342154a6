"""The completion scripts in `completions/` are what the current CLI generates, and Tab completes
promise ids and people's names from the store."""

from __future__ import annotations

import pytest

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
    result = proc(
        env={"_PK_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words))}
    )
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
    result = proc(env={"_PK_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "pk move "})
    out = result.stdout.decode()
    assert '"1":"Budget"' in out and '"2":"Floor plan"' in out


def test_completion_of_a_broken_store_completes_nothing(db_path, proc) -> None:
    db_path.write_text("not json")
    assert complete_bash(proc, "done", "") == []

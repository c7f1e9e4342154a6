"""Generate the shell completion scripts in `completions/` from the current CLI.

    python -m promisekeeper.completion_gen            # rewrite completions/pk.bash, _pk, pk.fish
    python -m promisekeeper.completion_gen --check    # exit 1 if any file is out of date

On each Tab the scripts run `pk` with `_PK_COMPLETE` set and the line typed so far, so commands,
options and values from the store (`cli/complete.py`) always match the installed pk. A test
fails when the files differ from what this module generates.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROG = "pk"
COMPLETE_VAR = "_PK_COMPLETE"
FILES = {"bash": "pk.bash", "zsh": "_pk", "fish": "pk.fish"}
ROOT = Path(__file__).resolve().parents[3]


def generate(shell: str) -> str:
    """The completion script for `shell` (bash, zsh or fish)."""
    if shell not in FILES:
        raise ValueError(f"unknown shell {shell!r} (choose: {', '.join(FILES)})")
    # pk's own scripts, not Typer's: they hand pk the raw line so names with spaces and quotes
    # come back whole and quoted by the shell (cli/complete.py says how).
    from .complete import completion_script

    return completion_script(shell, PROG, COMPLETE_VAR) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    stale = []
    for shell, name in FILES.items():
        path = ROOT / "completions" / name
        text = generate(shell)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(str(path))
        if not check:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
    verb = "out of date" if check else "written"
    for path in stale:
        print(f"{verb}: {path}", file=sys.stderr)
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())

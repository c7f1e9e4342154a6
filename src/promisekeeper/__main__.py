"""Entry point for `pk` and `python -m promisekeeper`.

This module stays import-light: the shell-prompt fast path, then the one for plain `pk list` and
`pk overdue` (`cli/fast.py`), are routed here before Typer is imported at all.
"""

from __future__ import annotations

import os
import sys

INTERNAL_ERROR = 70  # EX_SOFTWARE


def _quiet_broken_pipe() -> None:
    """`pk list | head -1`: the reader left; exit quietly, without Python's flush warning."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if "prompt" in args[:4] and not os.environ.get("_PK_COMPLETE"):
        from .shell.prompt import fast_path  # stdlib only: the CLI is never imported for a prompt

        if fast_path(args):
            return
    try:
        from .cli.fast import run_fast  # `pk list`, `pk overdue`: without Typer when they can

        if run_fast(args):
            return
        from .cli import load_app

        load_app(args)(args=args, prog_name="pk")
    except BrokenPipeError:
        _quiet_broken_pipe()
    except KeyboardInterrupt:
        sys.stderr.write("\npk: interrupted\n")
        sys.exit(130)
    except SystemExit as exc:
        if isinstance(exc.__context__, BrokenPipeError):
            _quiet_broken_pipe()  # Click and Rich make a closed pipe exit 1: not an error
        # Flush here so a closed pipe is noticed while we can still handle it.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_broken_pipe()
        raise exc
    except Exception as exc:
        sys.stderr.write(f"pk: internal error: {type(exc).__name__}: {exc} (please report this)\n")
        sys.exit(INTERNAL_ERROR)


def run() -> None:
    """The console script: `main()`, then leave without tearing the interpreter down.

    A short-lived process gains nothing from the cyclic garbage collector while it loads a store
    of thousands of records (it re-scans them repeatedly: ~30% of the load), nor from freeing
    every object one by one at exit (~60 ms on 10,000 promises). Output is flushed first;
    everything the store writes is closed inside its own context managers.
    """
    import gc

    gc.disable()
    code: int | str | None = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        sys.stderr.flush()
        code = 1
    os._exit(code or 0)


if __name__ == "__main__":
    run()

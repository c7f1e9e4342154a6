"""Whole-process timing shared by the benchmarks."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """One whole process: wall time from spawn to reaped, and its output."""

    ms: float
    stdout: str


def run_once(command: list[str], env: dict[str, str]) -> Sample:
    """Run `command` to completion and time it; raise RuntimeError (with its stderr) on failure.
    stdout goes to a pipe, as in `pk list | less` or a script."""
    start = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True)
    elapsed = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"{' '.join(command)} exited {proc.returncode}: {message}")
    return Sample(elapsed, proc.stdout.decode("utf-8", "replace"))


GNU_TIME = "/usr/bin/time"


def peak_rss_kib(command: list[str], env: dict[str, str]) -> tuple[int | None, str]:
    """The peak memory (max RSS, KiB) of one run of `command`, and its stdout; None for the
    memory where GNU time is not installed.

    Measured through GNU time, a small C program, never from this process: Linux carries a
    process's RSS high-water mark across exec, and a child forked (or vforked) from a benchmark
    holding a few stores in memory would report the benchmark's own size, whatever it ran.
    """
    if not os.access(GNU_TIME, os.X_OK):
        return None, run_once(command, env).stdout
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        sample = run_once([GNU_TIME, "-f", "%M", "-o", out.name, *command], env)
        return int(out.read().split()[-1]), sample.stdout


def median_ms(
    command: list[str], env: dict[str, str], runs: int, reset: Path | None = None
) -> float:
    """Median wall time of a whole process in ms. `reset` puts that file back as it was before
    the first run (or removes it, if it did not exist) before each run, so a command that writes
    is timed against the same store every time."""
    original = reset.read_bytes() if reset is not None and reset.exists() else None
    times = []
    for _ in range(runs):
        if reset is not None:
            if original is None:
                reset.unlink(missing_ok=True)
            else:
                # Synced, as the previous pk run would have left it: unsynced pages would
                # otherwise be flushed by the timed run's own fsync and billed to it.
                with open(reset, "wb") as handle:
                    handle.write(original)
                    handle.flush()
                    os.fsync(handle.fileno())
        times.append(run_once(command, env).ms)
    return statistics.median(times)


def compile_sources(src: Path) -> None:
    """Byte-compile pk's sources first, as `pip install` does for an installed package. Where
    PYTHONDONTWRITEBYTECODE is set and nothing compiled them, every timed process would compile
    each module it imports again: a cost no installed pk pays."""
    import compileall

    compileall.compile_dir(str(src), quiet=1)

"""Whole-process timing shared by the benchmarks."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path


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
        start = time.perf_counter()
        subprocess.run(
            command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)

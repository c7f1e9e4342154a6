"""Benchmark the shell prompt on a 10,000-promise store (built with the library, in a temp dir).

(a) `pk prompt` as a whole process against `python -c pass` (the floor any Python process pays);
    target median ratio <= 1.3. Both `python -m promisekeeper prompt` and the `pk` console script.
(b) the shell-native segment: 1,000 prompt renders (`__pk_prompt`, as PROMPT_COMMAND runs it) in
    one bash process, and in one zsh process; target < 1 ms per render.

    python bench/bench_prompt.py [--runs 40] [--open 2000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from promisekeeper.model import Promise
from promisekeeper.shell.snippets import snippet
from promisekeeper.storage.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import compile_sources

ROOT = Path(__file__).resolve().parents[1]

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def build_store(db: Path, total: int, open_count: int) -> None:
    # With a zone and a clock, as a pk command opens it: only then is the prompt index written.
    with Store(db, tz=ZoneInfo("Europe/Berlin"), now=NOW).write("bench") as tx:
        for n in range(total):
            due = NOW + timedelta(hours=(n % 400) - 100)
            is_open = n < open_count
            tx.add_promise(
                Promise(
                    id=0,
                    uuid=str(uuid.uuid4()),
                    title=f"Promise number {n} about the quarterly numbers",
                    person=f"Person {n % 50}",
                    direction="from" if n % 5 == 0 else "to",
                    due=due,
                    created=NOW - timedelta(days=30),
                    team="Finance",
                    status="open" if is_open else "done",
                    done_at=None if is_open else due - timedelta(hours=1),
                )
            )


def time_process(cmd: list[str], env: dict[str, str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def shell_renders(
    shell: str, source: Path, env: dict[str, str], renders: int, fresh: bool = False
) -> float:
    """Seconds per render, timed inside the shell with $EPOCHREALTIME (no process per render).
    `fresh` drops the cached segment before each render, so every one does the binary searches."""
    drop = "__pk_valid=0; " if fresh else ""
    if shell == "bash":
        setup, hook = "PS1='$ '", "__pk_prompt"
        cmd = ["bash", "--norc", "--noprofile", "-c"]
    else:
        setup, hook = "PROMPT='% '; zmodload zsh/datetime", "__pk_precmd"
        cmd = ["zsh", "-f", "-c"]
    script = (
        f"{setup}; source {source}; {hook}; "  # the first render parses the index
        f"s=$EPOCHREALTIME; for ((i = 0; i < {renders}; i++)); do {drop}{hook}; done; "
        "e=$EPOCHREALTIME; "
        'printf "%s %s\\n" "$s" "$e"; printf "%s\\n" "$PS1$PROMPT"'
    )
    out = subprocess.run([*cmd, script], env=env, capture_output=True, text=True, check=True)
    start, end = (float(x) for x in out.stdout.split("\n")[0].split())
    assert "[pk" in out.stdout, out.stdout
    return (end - start) / renders


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--total", type=int, default=10_000)
    parser.add_argument("--open", type=int, default=2_000)
    args = parser.parse_args()
    compile_sources(ROOT / "src")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "promises.json"
        config = Path(tmp) / "config.toml"
        config.write_text('timezone = "Europe/Berlin"\n')
        env = {
            **os.environ,
            "PK_DB": str(db),
            "PK_CONFIG": str(config),
            "PK_NOW": NOW.isoformat(),
            "PK_NOW_EPOCH": str(int(NOW.timestamp())),
            "NO_COLOR": "1",
        }
        os.environ.update({k: env[k] for k in ("PK_CONFIG", "PK_NOW")})
        build_store(db, args.total, args.open)
        index = Path(f"{db}.idx")
        print(
            f"store: {args.total} promises ({args.open} open), {db.stat().st_size / 1e6:.1f} MB; "
            f"prompt index {index.stat().st_size / 1e3:.1f} kB"
        )
        segment = subprocess.run(
            [sys.executable, "-m", "promisekeeper", "prompt"], env=env, capture_output=True
        )
        print(f"segment: {segment.stdout.decode().strip()}")

        base = time_process([sys.executable, "-c", "pass"], env, args.runs)
        module = time_process([sys.executable, "-m", "promisekeeper", "prompt"], env, args.runs)
        print(f"(a) median of {args.runs} runs")
        print(f"    python -c pass                  {base * 1e3:7.1f} ms")
        ratio = module / base
        print(f"    python -m promisekeeper prompt  {module * 1e3:7.1f} ms   ratio {ratio:.2f}")
        script = shutil.which("pk")
        if script:
            console = time_process([script, "prompt"], env, args.runs)
            print(
                f"    pk prompt (console script)      {console * 1e3:7.1f} ms"
                f"   ratio {console / base:.2f}"
            )
        full = time_process([sys.executable, "-m", "promisekeeper", "overdue"], env, 5)
        print(f"    for scale: pk overdue (full CLI) {full * 1e3:6.1f} ms")

        print("(b) shell-native renders, 1,000 in one shell process")
        for shell in ("bash", "zsh"):
            if shutil.which(shell) is None:
                print(f"    {shell}: not installed")
                continue
            source = Path(tmp) / f"init.{shell}"
            source.write_text(snippet(shell))
            per = shell_renders(shell, source, env, 1000)
            fresh = shell_renders(shell, source, env, 1000, fresh=True)
            print(
                f"    {shell:4}  {per * 1e6:7.1f} µs per render "
                f"({fresh * 1e6:.1f} µs when every render recounts)"
            )


if __name__ == "__main__":
    main()

"""Whole-process timings of the hot `pk` commands on stores of 1,000, 10,000 and 50,000 promises,
side by side in one run, beside `python -c pass` and Taskwarrior on the same numbers of tasks.

    python bench/bench_ledger.py [--runs 15] [--quick] [--sizes 1000,10000] [--json out.json]

Targets (issue 13, "Speed and memory"), on medians:
- `pk add`, `pk list`, `pk overdue`, `pk done` each under 100 ms at 10,000 promises, where
  `python -c pass` takes ~10 ms (the floor is printed: on a slower start, the same margin over it,
  so the check is median minus floor under 90 ms, and under 120 ms for standup);
- for those four, 10,000 within 1.15x of 1,000 and 50,000 within 1.5x of 1,000;
- `pk standup` under 130 ms at 10,000;
- peak memory (max RSS of the process) under 40 MiB for every command at 50,000;
- `pk list` / `pk overdue` at 10,000 no slower than Taskwarrior's `task list` /
  `task +OVERDUE count` on the same numbers of pending, completed and deleted tasks.

How every store is built, the same way for each size:
1. the bulk file is written directly (seeded, so the same every run): ~2% open promises created in
   the last six weeks, the rest done (some late) or dropped over the two years before the pinned
   "now", with the history `pk` itself writes (created, moved, note, done, dropped, thanked);
2. then `JOURNAL_WRITES` real `pk add` / `pk done` pairs through the CLI. Their first write is
   also the warm-up that lets pk migrate the file (e.g. move old closed promises to an archive);
   the rest fill the undo journal past its 100 entries, so every size carries a full journal,
   as a store in daily use does. The open count ends as it began.

Timing: `WARMUP` rounds are run and thrown away, then `runs` rounds; each round runs every
command once on every size (and Taskwarrior), interleaved, so slow drift of the machine hits all
sizes alike. `pk add` is timed with a fresh title each round and the `pk done` of the same round
closes that promise, so the store does not drift either. `pk` is started the way the console
script starts it (`promisekeeper.__main__:run`, which disables the cyclic GC), not through
`python -m`, whose runpy costs a user never pays. Medians in ms. Peak RSS comes from
`MEMORY_RUNS` separate runs under GNU time (see `_timing.peak_rss_kib` for why not from the timed
runs). The load average is printed before and after: run it on a quiet machine, quote one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for entry in (str(BENCH), str(ROOT / "src")):  # also when imported by tests/test_bench_smoke.py
    if entry not in sys.path:
        sys.path.insert(0, entry)

from _timing import Sample, compile_sources, peak_rss_kib, run_once  # noqa: E402

from promisekeeper.model import Promise, iso  # noqa: E402
from promisekeeper.storage.layout import dumps  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Berlin, as the tests pin it
PK_NOW = "2026-11-23T10:00:00+01:00"
TZ = "Europe/Berlin"
SIZES = (1_000, 10_000, 50_000)
QUICK_SIZES = (1_000, 10_000)
OPEN_SHARE = 0.02
HISTORY_DAYS = 730
OPEN_WITHIN_DAYS = 42
# Pairs of `pk add` + `pk done`: 2 x 55 = 110 journal entries, past the journal's 100.
JOURNAL_WRITES = 55
WARMUP = 1
MEMORY_RUNS = 3  # peak RSS barely varies between runs
SCHEMA = 1  # the store schema this file writes; a newer pk migrates it on its first write

PK = [sys.executable, "-c", "from promisekeeper.__main__ import run; run()"]
HOT = ("add", "list", "overdue", "done")  # the four with the < 100 ms and ratio targets
COMMANDS = ("add", "list", "overdue", "done", "standup")
ADD_MS, STANDUP_MS, RSS_MIB = 100.0, 130.0, 40.0
# The issue's targets hold where `python -c pass` takes ~10 ms; on a slower start "the same margin
# over it": so each command is checked as (median - floor) against (target - 10 ms).
REFERENCE_FLOOR_MS = 10.0
RATIO_10K, RATIO_50K = 1.15, 1.5

PEOPLE = ["Dana", "Sam", "Lee", "Priya", "Ops desk", "Payroll", "Jordan", "Mika", "Ana", "Tomás"]
TEAMS = ["Finance", "Ops", "HR", "Sales", None, None]
TAGS = ["q4", "audit", "payroll", "onboarding", "infra", "report", "urgent"]
VERBS = ["Send", "Review", "Fix", "Draft", "Check", "Update", "Share", "Book", "Approve"]
THINGS = [
    "the monthly numbers",
    "the expense report",
    "the onboarding checklist",
    "the VPN access request",
    "the budget sheet",
    "the contract draft",
    "the slides for the review",
    "the payroll export",
    "the laptop order",
    "the incident summary",
]
REASONS = ["waiting on the vendor", "the data came late", "holiday week", "scope grew"]
DROP_REASONS = ["no longer needed", "handed to Ops", None, "superseded by the new process"]


# ---------------------------------------------------------------------------- building stores


@dataclass
class Counts:
    """What a built store holds: the numbers Taskwarrior gets too."""

    total: int = 0
    open: int = 0
    overdue: int = 0
    done: int = 0
    late: int = 0
    dropped: int = 0


def _due_at(day: datetime, days: int) -> datetime:
    """A deadline as `pk add --due fri` sets it: 17:00 local (16:00 UTC in winter)."""
    date = (day + timedelta(days=days)).date()
    return datetime(date.year, date.month, date.day, 16, 0, tzinfo=UTC)


def _history(
    rng: random.Random, created: datetime, due: datetime, is_open: bool, now: datetime
) -> tuple[Promise, datetime]:
    """A promise's life as pk records it: created, maybe moved or noted, then closed (unless
    open). Returns the promise (without id/uuid/title) and the time of its last event."""
    direction = "to" if rng.random() < 0.7 else "from"
    tags = tuple(sorted(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2)))))
    promise = Promise(
        id=0,
        uuid="",
        title="",
        person=rng.choice(PEOPLE),
        direction=direction,
        due=due,
        created=created,
        team=rng.choice(TEAMS),
        tags=tags,
    ).with_event("created", created, due=iso(due))
    last = created

    def step(after: datetime, most: timedelta) -> datetime:
        """A moment after `after`, never past the pinned now."""
        return min(after + timedelta(seconds=rng.uniform(60, max(120, most.total_seconds()))), now)

    for _ in range(rng.choices((0, 1, 2), (85, 12, 3))[0]):  # renegotiated deadlines
        last = step(last, (promise.due - last) * 0.8)
        new_due = promise.due + timedelta(days=rng.randint(1, 7))
        promise = promise._replace(due=new_due).with_event(
            "moved",
            last,
            **{"from": iso(promise.due), "to": iso(new_due), "reason": rng.choice(REASONS)},
        )
    if rng.random() < 0.1:
        last = step(last, timedelta(days=2))
        text = f"Asked {rng.choice(PEOPLE)} for the figures"
        promise = promise._replace(notes=({"at": iso(last), "text": text},)).with_event(
            "note", last, text=text
        )
    if is_open:
        return promise, last
    if rng.random() < 0.08:
        last = step(last, promise.due - last + timedelta(days=3))
        reason = rng.choice(DROP_REASONS)
        return promise._replace(status="dropped").with_event("dropped", last, reason=reason), last
    if rng.random() < 0.15:  # late: after the deadline by an hour to a week
        finish = promise.due + timedelta(seconds=rng.uniform(3600, 7 * 86400))
    else:
        finish = promise.due - (promise.due - last) * rng.uniform(0.0, 0.9)
    last = min(max(finish, last + timedelta(minutes=1)), now - timedelta(minutes=1))
    late = max(timedelta(0), last - promise.due)
    promise = promise._replace(status="done", done_at=last).with_event(
        "done", last, on_time=late == timedelta(0), late_seconds=int(late.total_seconds())
    )
    if promise.waiting_on and rng.random() < 0.4:
        last = min(last + timedelta(hours=rng.uniform(0.5, 30)), now)
        promise = promise._replace(thanked_at=last).with_event(
            "thanked", last, person=promise.person, note=None
        )
    return promise, last


def make_promises(count: int, seed: int = 7, now: datetime = NOW) -> list[Promise]:
    """`count` promises, ids in order of creation: round(2%) open (created in the last six weeks,
    due from a week ago to three weeks ahead), the rest closed over the two years before `now`.
    Deterministic for a given seed."""
    rng = random.Random(seed)
    open_count = round(count * OPEN_SHARE)
    starts = [
        (now - timedelta(days=rng.uniform(0, OPEN_WITHIN_DAYS)), True) for _ in range(open_count)
    ]
    starts += [
        (now - timedelta(days=rng.uniform(0.2, HISTORY_DAYS)), False)
        for _ in range(count - open_count)
    ]
    starts.sort(key=lambda start: start[0])
    promises = []
    for pid, (created, is_open) in enumerate(starts, start=1):
        if is_open:
            due = _due_at(now, rng.randint(-7, 21))
            due = max(due, created + timedelta(hours=1))
        else:
            due = _due_at(created, rng.choice((1, 2, 3, 5, 7, 7, 10, 14, 21)))
        promise, _ = _history(rng, created, due, is_open, now)
        promises.append(
            promise._replace(
                id=pid,
                uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                title=f"{rng.choice(VERBS)} {rng.choice(THINGS)}",
            )
        )
    return promises


def count(promises: list[Promise], now: datetime = NOW) -> Counts:
    counts = Counts(total=len(promises))
    for p in promises:
        if p.status == "open":
            counts.open += 1
            counts.overdue += p.due < now
        elif p.status == "done":
            counts.done += 1
            counts.late += bool(p.late_by(now))
        else:
            counts.dropped += 1
    return counts


def write_store(path: Path, promises: list[Promise]) -> None:
    """The store file as pk writes it (TinyDB JSON with our `_meta`), in one go: building
    50,000 promises through the CLI would take hours."""
    data = {
        "_meta": {
            "1": {
                "schema": SCHEMA,
                "generation": 1,
                "next_id": {"promises": max((p.id for p in promises), default=0) + 1},
            }
        },
        "promises": {str(p.id): p.to_dict() for p in promises},
        "requests": {},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dumps(data))  # pk's own layout, which its reads are measured on


def build_store(path: Path, size: int, seed: int = 7) -> Counts:
    """Write the bulk store of `size` promises at `path`; returns what it holds."""
    promises = make_promises(size, seed)
    write_store(path, promises)
    return count(promises)


def environment(tmp: Path) -> dict[str, str]:
    """The process environment for every pk run: the clock pinned, every path in `tmp`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PK_", "TASK"))}
    config = tmp / "config.toml"
    config.write_text(f'timezone = "{TZ}"\n')
    return {
        **env,
        "PYTHONPATH": str(ROOT / "src"),
        "PK_NOW": PK_NOW,
        "PK_CONFIG": str(config),
        "XDG_DATA_HOME": str(tmp / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp / "xdg-config"),
        "XDG_CACHE_HOME": str(tmp / "xdg-cache"),
        "TZ": TZ,
        "COLUMNS": "120",
        "NO_COLOR": "1",
    }


_ID = re.compile(r"#(\d+)")


def add_command(title: str) -> list[str]:
    return [*PK, "add", title, "--to", "Dana", "--due", "fri"]


def added_id(stdout: str) -> int:
    """The new promise's id, from what `pk add` prints."""
    found = _ID.search(stdout)
    if found is None:
        raise RuntimeError(f"no #id in the output of pk add: {stdout!r}")
    return int(found.group(1))


def pk_add(env: dict[str, str], title: str) -> tuple[Sample, int]:
    """`pk add` as a user types it; returns the run and the new promise's id."""
    sample = run_once(add_command(title), env)
    return sample, added_id(sample.stdout)


def fill_journal(env: dict[str, str], pairs: int = JOURNAL_WRITES) -> None:
    """`pairs` real `pk add` + `pk done` runs: the first also lets pk migrate the bulk file."""
    for n in range(pairs):
        _, pid = pk_add(env, f"Journal entry {n}: send the figures")
        run_once([*PK, "done", str(pid)], env)


def prepare(tmp: Path, size: int, base_env: dict[str, str], pairs: int) -> dict[str, Any]:
    """One store, built in its own directory (so every sidecar pk adds stays beside it)."""
    db = tmp / f"store-{size}" / "promises.json"
    counts = build_store(db, size)
    env = {**base_env, "PK_DB": str(db)}
    fill_journal(env, pairs)
    counts.total += pairs
    counts.done += pairs
    return {"size": size, "db": db, "env": env, "counts": counts}


def store_files(db: Path) -> dict[str, int]:
    """Every file pk keeps beside the store (journal, index, archive...), with its size."""
    return {
        entry.name: entry.stat().st_size
        for entry in sorted(db.parent.iterdir(), key=lambda e: e.name)
        if entry.is_file()
    }


# ---------------------------------------------------------------------------- Taskwarrior


def _tw(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def taskwarrior_tasks(promises: list[Promise], shift: timedelta) -> list[dict[str, Any]]:
    """The same promises as Taskwarrior tasks: open → pending, done → completed, dropped →
    deleted; team → project, notes → annotations. Times move by `shift`, because `task` reads
    the real clock where pk reads the pinned one."""
    tasks = []
    for p in promises:
        arrow = "for" if p.direction == "to" else "from"
        last = max(e["at"] for e in p.history)
        task: dict[str, Any] = {
            "uuid": p.uuid,
            "description": f"{p.title} ({arrow} {p.person})",
            "status": {"open": "pending", "done": "completed", "dropped": "deleted"}[p.status],
            "entry": _tw(p.created + shift),
            "modified": _tw(datetime.fromisoformat(last) + shift),
            "due": _tw(p.due + shift),
        }
        if p.status != "open":
            task["end"] = task["modified"]
        if p.team:
            task["project"] = p.team
        if p.tags:
            task["tags"] = list(p.tags)
        if p.notes:
            task["annotations"] = [
                {"entry": _tw(datetime.fromisoformat(n["at"]) + shift), "description": n["text"]}
                for n in p.notes
            ]
        tasks.append(task)
    return tasks


def prepare_taskwarrior(tmp: Path, size: int, pairs: int) -> dict[str, Any] | None:
    """A Taskwarrior data dir with the same tasks as the pk store of `size` (journal pairs
    included, as completed tasks), or None when `task` is not installed."""
    task = shutil.which("task")
    if task is None:
        return None
    home = tmp / "taskwarrior"
    data = home / "data"
    data.mkdir(parents=True)
    rc = home / "taskrc"
    # gc stays on, its default: `task` then keeps completed and deleted tasks in completed.data
    # and reads only pending.data for `list`, its own hot file. That is what users run, and the
    # honest rival to pk's archive. hooks=off: no user hooks in a benchmark.
    rc.write_text(
        f"data.location={data}\nconfirmation=off\nverbose=nothing\njson.array=on\nhooks=off\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TASK")},
        "TASKRC": str(rc),
        "TASKDATA": str(data),
        "TZ": TZ,
    }
    promises = make_promises(size)
    journal = [
        Promise(
            id=0,
            uuid=str(uuid.UUID(int=n + 1, version=4)),
            title=f"Journal entry {n}: send the figures",
            person="Dana",
            direction="to",
            due=_due_at(NOW, 4),
            created=NOW,
            status="done",
            done_at=NOW,
        ).with_event("done", NOW)
        for n in range(pairs)
    ]
    shift = datetime.now(UTC).replace(microsecond=0) - NOW
    source = home / "tasks.json"
    source.write_text(json.dumps(taskwarrior_tasks(promises + journal, shift)))
    run_once([task, "import", str(source)], env)
    run_once([task, "list"], env)  # the first command after an import runs the gc
    pending = run_once([task, "status:pending", "count"], env).stdout.strip()
    completed = run_once([task, "status:completed", "count"], env).stdout.strip()
    deleted = run_once([task, "status:deleted", "count"], env).stdout.strip()
    overdue = run_once([task, "+OVERDUE", "count"], env).stdout.strip()
    version = run_once([task, "--version"], env).stdout.strip()
    return {
        "task": task,
        "env": env,
        "version": version,
        "counts": {
            "pending": pending,
            "completed": completed,
            "deleted": deleted,
            "overdue": overdue,
        },
        "files": {p.name: p.stat().st_size for p in sorted(data.iterdir()) if p.is_file()},
    }


# ---------------------------------------------------------------------------- timing


@dataclass
class Series:
    """Every timed run of one command on one store."""

    ms: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.ms)

    @property
    def peak_mib(self) -> float | None:
        return max(self.rss_kib) / 1024 if self.rss_kib else None


def time_rounds(
    stores: list[dict[str, Any]],
    tw: dict[str, Any] | None,
    env: dict[str, str],
    runs: int,
    progress: Callable[[str], None],
) -> dict[str, Series]:
    """`WARMUP` + `runs` rounds, each running everything once; keys like `pk list @10000`."""
    series: dict[str, Series] = {}

    def record(key: str, sample: Sample, keep: bool) -> None:
        if keep:
            series.setdefault(key, Series()).ms.append(sample.ms)

    for round_no in range(WARMUP + runs):
        keep = round_no >= WARMUP
        record("python -c pass", run_once([sys.executable, "-c", "pass"], env), keep)
        record("pk --version", run_once([*PK, "--version"], env), keep)
        for store in stores:
            size, store_env = store["size"], store["env"]
            for name in ("list", "overdue", "standup"):
                record(f"pk {name} @{size}", run_once([*PK, name], store_env), keep)
            sample, pid = pk_add(store_env, f"Send the bench figures, round {round_no}")
            record(f"pk add @{size}", sample, keep)
            record(f"pk done @{size}", run_once([*PK, "done", str(pid)], store_env), keep)
        if tw is not None:
            record("task list", run_once([tw["task"], "list"], tw["env"]), keep)
            overdue = [tw["task"], "+OVERDUE", "count"]
            record("task +OVERDUE count", run_once(overdue, tw["env"]), keep)
        progress(f"round {round_no + 1}/{WARMUP + runs}{'' if keep else ' (warm-up)'}")
    return series


def measure_memory(
    series: dict[str, Series],
    stores: list[dict[str, Any]],
    tw: dict[str, Any] | None,
    env: dict[str, str],
    repeats: int,
) -> None:
    """Peak RSS of every command, in runs of their own (see `_timing.peak_rss_kib`)."""

    def record(key: str, rss: int | None) -> None:
        if rss is not None:
            series[key].rss_kib.append(rss)

    for _ in range(repeats):
        record("python -c pass", peak_rss_kib([sys.executable, "-c", "pass"], env)[0])
        record("pk --version", peak_rss_kib([*PK, "--version"], env)[0])
        for store in stores:
            size, store_env = store["size"], store["env"]
            for name in ("list", "overdue", "standup"):
                record(f"pk {name} @{size}", peak_rss_kib([*PK, name], store_env)[0])
            rss, stdout = peak_rss_kib(add_command("Send the memory figures"), store_env)
            record(f"pk add @{size}", rss)
            done = [*PK, "done", str(added_id(stdout))]
            record(f"pk done @{size}", peak_rss_kib(done, store_env)[0])
        if tw is not None:
            record("task list", peak_rss_kib([tw["task"], "list"], tw["env"])[0])
            overdue = [tw["task"], "+OVERDUE", "count"]
            record("task +OVERDUE count", peak_rss_kib(overdue, tw["env"])[0])


# ---------------------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(
    series: dict[str, Series], sizes: tuple[int, ...], tw: dict[str, Any] | None
) -> tuple[list[str], list[dict[str, Any]]]:
    """The table and the target checks, as printable lines and as records."""
    floor = series["python -c pass"].median
    lines = [
        f"floor: python -c pass {floor:6.1f} ms ({series['python -c pass'].peak_mib or 0:.1f} MiB)"
        f"   pk --version {series['pk --version'].median:6.1f} ms "
        f"({series['pk --version'].peak_mib or 0:.1f} MiB)",
        "",
    ]
    small = sizes[0]
    ratio_sizes = sizes[1:]
    head = f"{'command':12}" + "".join(f"{f'{s:,}':>10}" for s in sizes)
    head += "".join(f"{f'{s // 1000}k/{small // 1000}k':>9}" for s in ratio_sizes)
    head += f"{f'MiB @{sizes[-1]:,}':>14}"
    lines += [f"medians in ms; peak RSS (of {MEMORY_RUNS} runs) at the largest size", head]
    for name in COMMANDS:
        row = f"pk {name:9}" + "".join(f"{series[f'pk {name} @{s}'].median:10.1f}" for s in sizes)
        for s in ratio_sizes:
            row += f"{series[f'pk {name} @{s}'].median / series[f'pk {name} @{small}'].median:9.2f}"
        row += f"{series[f'pk {name} @{sizes[-1]}'].peak_mib or 0:14.1f}"
        lines.append(row)

    # The ratios above carry this machine's start-up in both terms. Where `python -c pass` takes
    # ~10 ms (the reference), the same work would give these: the ones to improve on.
    lines += ["", f"the same ratios with the floor at {REFERENCE_FLOOR_MS:.0f} ms instead:"]
    for name in COMMANDS:
        base = series[f"pk {name} @{small}"].median - floor + REFERENCE_FLOOR_MS
        ratios = [
            (series[f"pk {name} @{s}"].median - floor + REFERENCE_FLOOR_MS) / base
            for s in ratio_sizes
        ]
        lines.append(f"pk {name:9}" + " " * 10 * len(sizes) + "".join(f"{r:9.2f}" for r in ratios))

    checks: list[dict[str, Any]] = []

    def check(what: str, value: float, limit: float, unit: str) -> None:
        checks.append({"target": what, "value": round(value, 2), "limit": limit, "unit": unit})

    if 10_000 in sizes:
        for name, target in (*((n, ADD_MS) for n in HOT), ("standup", STANDUP_MS)):
            over = series[f"pk {name} @10000"].median - floor
            margin = target - REFERENCE_FLOOR_MS
            check(f"pk {name} @10,000 - floor < {margin:.0f} ms", over, margin, "ms")
    for big, limit in ((10_000, RATIO_10K), (50_000, RATIO_50K)):
        if big in sizes and small == 1_000:
            for name in HOT:
                ratio = series[f"pk {name} @{big}"].median / series[f"pk {name} @1000"].median
                check(f"pk {name} {big // 1000}k/1k <= {limit}x", ratio, limit, "x")
    if 50_000 in sizes:
        peak = max(series[f"pk {name} @50000"].peak_mib or 0 for name in COMMANDS)
        check(f"peak RSS @50,000 < {RSS_MIB:.0f} MiB", peak, RSS_MIB, "MiB")
    if tw is not None and 10_000 in sizes:
        counts = ", ".join(f"{v} {k}" for k, v in tw["counts"].items())
        lines += ["", f"Taskwarrior {tw['version']}, the 10,000 store's tasks ({counts}):"]
        for pk_name, task_name in (("list", "task list"), ("overdue", "task +OVERDUE count")):
            mine, theirs = series[f"pk {pk_name} @10000"], series[task_name]
            ratio = mine.median / theirs.median
            lines.append(
                f"  {task_name:20} {theirs.median:7.1f} ms ({theirs.peak_mib or 0:.1f} MiB)"
                f"   pk {pk_name:8} {mine.median:7.1f} ms   pk/task {ratio:.2f}"
            )
            check(f"pk {pk_name} @10,000 <= {task_name}", ratio, 1.0, "x")
    elif tw is None:
        lines += ["", "Taskwarrior: `task` is not installed; comparison skipped"]

    lines += ["", "targets:"]
    for c in checks:
        c["ok"] = c["value"] <= c["limit"] if "<=" in c["target"] else c["value"] < c["limit"]
        lines.append(f"  {c['target']:42} {c['value']:8.2f} {c['unit']:3}  {verdict(c['ok'])}")
    return lines, checks


def load() -> str:
    """The 1/5/15-minute load average: other work on the machine skews every figure."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, help="timed rounds (default 21; 5 with --quick)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 and 10,000 only")
    parser.add_argument("--sizes", help="comma-separated store sizes, the smallest first")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the raw figures")
    args = parser.parse_args()
    compile_sources(ROOT / "src")
    runs = args.runs or (5 if args.quick else 21)
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else None
    sizes = sizes or (QUICK_SIZES if args.quick else SIZES)

    def progress(message: str) -> None:
        print(f"  … {message}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="pk-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = environment(tmp)
        progress(f"building stores {', '.join(f'{s:,}' for s in sizes)} and Taskwarrior's data")
        # In parallel: each store has its own directory and lock; nothing is timed here.
        with ThreadPoolExecutor(max_workers=len(sizes) + 1) as pool:
            futures = [pool.submit(prepare, tmp, s, env, JOURNAL_WRITES) for s in sizes]
            tw_future = (
                pool.submit(prepare_taskwarrior, tmp, 10_000, JOURNAL_WRITES)
                if 10_000 in sizes
                else None
            )
            stores = [f.result() for f in futures]
            tw = tw_future.result() if tw_future is not None else None
        print(
            f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs;"
            f" {runs} rounds; load average {load()}\n"
        )
        for store in stores:
            c: Counts = store["counts"]
            files = store_files(store["db"])
            print(
                f"store {store['size']:>6,}: {c.open} open ({c.overdue} overdue), {c.done} done "
                f"({c.late} late), {c.dropped} dropped; files "
                + ", ".join(f"{name} {size / 1024:,.0f} KiB" for name, size in files.items())
            )
            store["files"] = files
        if tw is not None:
            print(f"taskwarrior data: {tw['files']}")
        print()
        series = time_rounds(stores, tw, env, runs, progress)
        progress("peak memory, in runs of their own")
        measure_memory(series, stores, tw, env, MEMORY_RUNS)
        for store in stores:
            store["files_after"] = store_files(store["db"])
        lines, checks = report(series, sizes, tw)
        print("\n".join(lines))
        print(f"\nload average at the end: {load()}")
        if args.json:
            raw = {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "runs": runs,
                "memory_runs": MEMORY_RUNS,
                "cpus": os.cpu_count(),
                "warmup_rounds": WARMUP,
                "journal_pairs": JOURNAL_WRITES,
                "sizes": list(sizes),
                "stores": {
                    str(s["size"]): {
                        "counts": asdict(s["counts"]),
                        "files": s["files"],
                        "files_after": s["files_after"],
                    }
                    for s in stores
                },
                "taskwarrior": None
                if tw is None
                else {k: tw[k] for k in ("version", "counts", "files")},
                "series": {
                    key: {
                        "median_ms": round(s.median, 2),
                        "ms": [round(ms, 2) for ms in s.ms],
                        "peak_mib": s.peak_mib,
                        "rss_kib": s.rss_kib,
                    }
                    for key, s in series.items()
                },
                "targets": checks,
            }
            args.json.write_text(json.dumps(raw, indent=2) + "\n")
            print(f"\nraw figures: {args.json}")


if __name__ == "__main__":
    main()

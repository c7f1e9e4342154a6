"""The benchmark's store builder writes a store pk reads: the figures in bench/ mean something
only if every built promise is valid and the open share is what the targets assume."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_ledger.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_ledger", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_a_built_store_of_1000_loads_with_2_percent_open(pk, db_path: Path) -> None:
    bench = load_bench()
    counts = bench.build_store(db_path, 1_000)

    open_ones = pk.json("list")
    everything = pk.json("list", "--all")

    assert counts.open == len(open_ones) == 20
    assert len(everything) == counts.total == 1_000
    statuses = {
        status: sum(p["status"] == status for p in everything) for status in ("done", "dropped")
    }
    assert statuses == {"done": counts.done, "dropped": counts.dropped}
    assert counts.dropped > 0 and counts.late > 0  # closed history is mixed, not all on time
    assert len(pk.json("overdue")) == counts.overdue > 0


def test_the_build_is_deterministic(tmp_path: Path) -> None:
    bench = load_bench()
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    bench.build_store(first, 300)
    bench.build_store(second, 300)
    assert first.read_bytes() == second.read_bytes()

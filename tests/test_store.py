"""The store: round trip, never-reused ids, atomic replace, locking, and files it must not touch."""

from __future__ import annotations

import fcntl
import json
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from promisekeeper.errors import StoreBusy, StoreCorrupt, StoreError
from promisekeeper.model import Promise
from promisekeeper.storage.files import sidecar
from promisekeeper.storage.layout import SCHEMA_VERSION
from promisekeeper.storage.store import PROMISES, Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def make(title: str = "Send numbers", **kw) -> Promise:
    base = dict(
        id=0,
        uuid=f"uuid-{title}",
        title=title,
        person="Dana",
        direction="to",
        due=NOW + timedelta(days=2),
        created=NOW,
    )
    return Promise(**{**base, **kw})


def test_round_trip_keeps_every_field(db_path):
    store = Store(db_path)
    original = make(
        team="Finance",
        tags=("payroll", "q3"),
        notes=({"at": "2026-11-23T09:00:00+00:00", "text": "n"},),
        request_id=4,
        series={"id": "s1", "rule": "week on fri"},
    ).with_event("created", NOW, due="x")
    with store.write("add") as tx:
        saved = tx.add_promise(original)
    assert saved.id == 1
    loaded = store.read().promise(1)
    assert loaded == saved


def test_ids_only_increase_even_after_a_record_is_removed(db_path):
    store = Store(db_path)
    with store.write("add") as tx:
        tx.add_promise(make("a"))
        second = tx.add_promise(make("b"))
    with store.write("undo") as tx:
        tx.remove(PROMISES, second.id)
    with store.write("add") as tx:
        third = tx.add_promise(make("c"))
    assert third.id == 3


def test_nothing_is_written_when_nothing_changed(db_path):
    store = Store(db_path)
    with store.write("noop"):
        pass
    assert not db_path.exists()


def test_an_exception_inside_a_transaction_writes_nothing(db_path):
    store = Store(db_path)
    with store.write("add") as tx:
        tx.add_promise(make("kept"))
    before = db_path.read_bytes()
    with pytest.raises(RuntimeError), store.write("add") as tx:
        tx.add_promise(make("lost"))
        raise RuntimeError("boom")
    assert db_path.read_bytes() == before


def test_write_is_atomic_and_keeps_a_backup_of_the_previous_state(db_path):
    store = Store(db_path)
    with store.write("add") as tx:
        tx.add_promise(make("first"))
    first_state = db_path.read_bytes()
    with store.write("add") as tx:
        tx.add_promise(make("second"))
    assert sidecar(db_path, ".bak").read_bytes() == first_state
    leftovers = [p.name for p in db_path.parent.iterdir() if ".tmp-" in p.name]
    assert leftovers == []
    data = json.loads(db_path.read_text())
    assert data["_meta"]["1"]["generation"] == 2


def test_orphan_temp_files_are_removed_by_the_next_write(db_path):
    store = Store(db_path)
    with store.write("add") as tx:
        tx.add_promise(make("first"))
    orphan = db_path.with_name(f".{db_path.name}.tmp-999-dead")
    orphan.write_text("half a file")
    with store.write("add") as tx:
        tx.add_promise(make("second"))
    assert not orphan.exists()


def test_new_store_file_is_private(db_path):
    with Store(db_path).write("add") as tx:
        tx.add_promise(make())
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_symlinked_store_is_written_through_the_link_keeping_the_mode(tmp_path):
    real = tmp_path / "synced" / "real.json"
    real.parent.mkdir()
    with Store(real).write("add") as tx:
        tx.add_promise(make("first"))
    os.chmod(real, 0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with Store(link).write("add") as tx:
        tx.add_promise(make("second"))
    assert link.is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert len(Store(real).read().promises()) == 2


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x00\x00\x00", "invalid JSON"),
        (b'{"_meta": {"1": {"schema": 1', "invalid JSON"),
        (b"[]", "top level is list"),
        (b'{"_default": {}}', "no _meta"),
        (b'{"_meta": {"1": {"schema": 1}}, "promises": []}', "table 'promises' is list"),
        (b'{"_meta": {"1": {"schema": 1}}, "promises": {"x": {}}}', "non-integer id"),
        (b'{"_meta": {"1": {"schema": 1}}, "promises": {"1": {"title": "t"}}}', "missing field"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_corrupt_file_is_refused_and_never_overwritten(pk, db_path, content, reason):
    db_path.write_bytes(content)
    for args in (["list"], ["add", "x", "--to", "A", "--due", "fri"]):
        result = pk(*args, code=StoreCorrupt.exit_code)
        assert str(db_path) in result.stderr
        assert reason in result.stderr
        assert "pk doctor" in result.stderr
        assert result.stderr.count("\n") == 1
    assert db_path.read_bytes() == content


def test_a_newer_schema_is_refused_untouched(pk, db_path):
    content = json.dumps({"_meta": {"1": {"schema": SCHEMA_VERSION + 1}}}).encode()
    db_path.write_bytes(content)
    result = pk("add", "x", "--to", "A", "--due", "fri", code=StoreCorrupt.exit_code)
    assert "newer pk" in result.stderr
    assert db_path.read_bytes() == content


def test_store_path_that_is_a_directory_is_a_clear_error(pk, db_path):
    db_path.mkdir()
    result = pk("list", code=StoreError.exit_code)
    assert result.stderr == f"pk: {db_path} is a directory, not a store file (use --db FILE)\n"


def test_read_only_store_file_is_refused_not_replaced(pk, db_path):
    pk("add", "x", "--to", "A", "--due", "fri")
    os.chmod(db_path, 0o400)
    before = db_path.read_bytes()
    result = pk("add", "y", "--to", "A", "--due", "fri", code=StoreError.exit_code)
    assert "read-only" in result.stderr
    assert db_path.read_bytes() == before


def test_a_held_lock_makes_writers_give_up_with_exit_75(pk, db_path, monkeypatch):
    monkeypatch.setenv("PK_LOCK_TIMEOUT", "0.2")
    lock = open(sidecar(db_path, ".lock"), "a+b")  # noqa: SIM115
    fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
    try:
        result = pk("add", "x", "--to", "A", "--due", "fri", code=StoreBusy.exit_code)
        assert (
            result.stderr == "pk: the store is busy (locked by another pk); try again in a moment\n"
        )
        # Readers never wait for the lock.
        assert pk("list").stdout.startswith("No open promises")
    finally:
        lock.close()
    assert not db_path.exists()


def test_threads_writing_at_once_lose_nothing(db_path):
    store = Store(db_path)

    def add_one(n: int) -> int:
        with store.write("add") as tx:
            return tx.add_promise(make(f"p{n}")).id

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(add_one, range(40)))
    assert sorted(ids) == list(range(1, 41))
    assert len(store.read().promises()) == 40


def test_eight_processes_adding_at_once_lose_nothing(proc, db_path):
    """The issue's acceptance test: 8 processes x 25 adds into one file, all 200 present."""
    script = (
        "import sys\n"
        "from promisekeeper.__main__ import main\n"
        "for i in range(25):\n"
        "    try:\n"
        "        main(['add', f'w{sys.argv[1]}-{i}', '--to', 'Dana', '--due', 'fri'])\n"
        "    except SystemExit as e:\n"
        "        assert e.code == 0, e.code\n"
    )
    import subprocess
    import sys

    from conftest import SRC

    env = {**os.environ, "PYTHONPATH": str(SRC), "PK_LOCK_TIMEOUT": "60"}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(w)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for w in range(8)
    ]
    for worker in workers:
        _, errors = worker.communicate(timeout=300)
        assert worker.returncode == 0, errors.decode()
    promises = Store(db_path).read().promises()
    assert len(promises) == 200
    assert sorted(p.id for p in promises) == list(range(1, 201))
    assert {p.title for p in promises} == {f"w{w}-{i}" for w in range(8) for i in range(25)}

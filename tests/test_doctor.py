"""`pk doctor`: checks, --repair (a copy beside the file, never over it, with a timestamped backup)
and --restore (the rolling .bak, under the lock)."""

from __future__ import annotations

import fcntl
import json
import os
import time

import pytest

from promisekeeper.errors import Conflict, StoreCorrupt
from promisekeeper.storage import journal
from promisekeeper.storage.files import sidecar

CORRUPT = StoreCorrupt.exit_code
STAMP = "20261123T090000Z"  # PK_NOW, in UTC


def add(pk, title: str = "Send numbers", person: str = "Dana") -> dict:
    return pk.json("add", title, "--to", person, "--due", "fri")


def findings(pk, code: int = 0) -> dict[str, tuple[str, str]]:
    result = pk("doctor", "--json", code=code)
    report = json.loads(result.stdout)
    return {f["check"]: (f["level"], f["message"]) for f in report["findings"]}


def test_a_healthy_store_passes_every_check(pk, db_path):
    add(pk)
    add(pk, "Floor plan", "Sam")
    found = findings(pk)
    for check in ("json", "schema", "records", "ids", "index", "temp files", "lock", "journal"):
        assert found[check][0] == "ok", (check, found[check])
    assert "2 promises" in found["records"][1]
    assert "2 undo entries" in found["journal"][1]
    assert "(1 promise)" in found["backup"][1]
    text = pk("doctor").stdout
    assert text.startswith(f"Store: {db_path}\n")
    assert "PROBLEM" not in text and "warning" not in text


def test_no_store_yet_is_fine(pk, db_path):
    assert "no store yet" in findings(pk)["file"][1]
    assert not db_path.exists()


PROMISE = {
    "uuid": "u1",
    "title": "t",
    "person": "Dana",
    "direction": "to",
    "due": "2026-11-27T16:00:00+00:00",
    "created": "2026-11-23T09:00:00+00:00",
}
PROMISE_JSON = json.dumps(PROMISE)
META = '{"_meta": {"1": {"schema": 1, "generation": 3, "next_id": {"promises": 9}}}'


@pytest.mark.parametrize(
    "content, check, words",
    [
        (b"", "json", "empty"),
        (b"  \n\t", "json", "empty"),
        (b"\x00\x00", "json", "invalid JSON"),
        (META.encode()[:30], "json", "invalid JSON"),
        (b"[]", "schema", "top level is list"),
        (b'{"_meta": {"1": {"schema": 1}}, "promises": []}', "schema", "is list"),
        (b'{"_meta": {"1": {"schema": 1}}, "promises": {"x": {}}}', "schema", "non-integer id"),
        (b'{"_meta": {"1": {"schema": 1}}, "promises": {"1": {"title": "t"}}}', "records", "#1"),
        (
            f'{META}, "promises": {{"1": {PROMISE_JSON}, "1": {PROMISE_JSON}}}}}'.encode(),
            "ids",
            "promise #1",
        ),
    ],
)
def test_each_problem_is_named_and_the_file_left_alone(pk, db_path, content, check, words):
    db_path.write_bytes(content)
    found = findings(pk, code=CORRUPT)
    assert found[check][0] == "problem"
    assert words in found[check][1]
    result = pk("doctor", code=CORRUPT)
    assert "pk doctor --repair" in result.stderr
    assert db_path.read_bytes() == content


def test_repair_salvages_whole_records_from_a_truncated_file(pk, db_path):
    for n in range(5):
        add(pk, f"promise {n}")
    whole = db_path.read_bytes()
    cut = whole.index(b'"5":{')  # promise 5 is cut off half-way
    broken = whole[: cut + 40]
    db_path.write_bytes(broken)

    result = pk("doctor", "--repair")
    repaired = sidecar(db_path, ".repaired")
    backup = db_path.with_name(f"{db_path.name}.broken-{STAMP}")
    assert f"Wrote a repaired copy: {repaired} (kept 4 promises, 0 requests)" in result.stdout
    assert db_path.read_bytes() == broken  # never over the broken file
    assert backup.read_bytes() == broken
    titles = [p["title"] for p in pk.json("--db", str(repaired), "list")]
    assert sorted(titles) == [f"promise {n}" for n in range(4)]
    # The counter survives: the lost #5 is never handed out again.
    assert pk.json("--db", str(repaired), "add", "new", "--to", "A", "--due", "fri")["id"] == 6
    assert f"mv {repaired} {db_path}" in result.stderr


def test_repair_drops_malformed_records_and_renumbers_duplicate_ids(pk, db_path):
    good = json.dumps(PROMISE)
    other = json.dumps({**PROMISE, "uuid": "u2", "title": "second"})
    content = (
        f'{META}, "promises": {{"1": {good}, "1": {other}, "2": {{"title": "x"}}, '
        f'"x": {good}}}, "requests": []}}'
    ).encode()
    db_path.write_bytes(content)
    result = pk("doctor", "--repair")
    assert "left out: promise #2 (missing field 'direction')" in result.stdout
    assert "left out: promise 'x' (not an id)" in result.stdout
    assert "left out: table requests (list, not an object)" in result.stdout
    assert "new id: promise #1 → #9" in result.stdout
    repaired = sidecar(db_path, ".repaired")
    shown = {p["id"]: p["title"] for p in pk.json("--db", str(repaired), "list")}
    assert shown == {1: "t", 9: "second"}
    assert db_path.read_bytes() == content
    findings(pk, code=CORRUPT)  # the original still is as found


def test_repairing_twice_keeps_both_backups(pk, db_path):
    db_path.write_bytes(b"[]")
    pk("doctor", "--repair")
    pk("doctor", "--repair")
    assert db_path.with_name(f"{db_path.name}.broken-{STAMP}").exists()
    assert db_path.with_name(f"{db_path.name}.broken-{STAMP}-2").exists()


def test_repair_of_a_healthy_store_writes_nothing(pk, db_path):
    add(pk)
    before = sorted(p.name for p in db_path.parent.iterdir())
    assert pk("doctor", "--repair").stdout == "Nothing to repair: the store is healthy.\n"
    assert sorted(p.name for p in db_path.parent.iterdir()) == before


def test_a_file_from_a_newer_pk_only_asks_to_upgrade(pk, db_path):
    content = b'{"_meta": {"1": {"schema": 2}}}'
    db_path.write_bytes(content)
    level, message = findings(pk, code=CORRUPT)["schema"]
    assert level == "problem" and "newer pk" in message
    result = pk("doctor", code=CORRUPT)
    assert result.stderr == "Upgrade pk to use this store; it was left untouched.\n"
    assert "--repair" not in result.stdout + result.stderr
    assert db_path.read_bytes() == content


def test_restore_refuses_over_a_file_from_a_newer_pk(pk, db_path):
    add(pk)
    add(pk, "second")
    content = b'{"_meta": {"1": {"schema": 2}}, "future": {}}'
    db_path.write_bytes(content)
    result = pk("doctor", "--restore", code=Conflict.exit_code)
    assert "upgrade pk" in result.stderr
    assert db_path.read_bytes() == content


def test_repair_refuses_a_file_from_a_newer_pk(pk, db_path):
    db_path.write_bytes(b'{"_meta": {"1": {"schema": 2}}}')
    result = pk("doctor", "--repair", code=Conflict.exit_code)
    assert "upgrade pk" in result.stderr
    assert not sidecar(db_path, ".repaired").exists()


def test_orphan_temp_files_are_reported_and_removed_by_repair(pk, db_path):
    add(pk)
    orphans = [
        db_path.with_name(f".{db_path.name}.tmp-123-dead"),
        db_path.with_name(f".{db_path.name}.journal.tmp-123-beef"),
    ]
    for orphan in orphans:
        orphan.write_text("half")
    level, message = findings(pk)["temp files"]
    assert level == "warn" and message.startswith("2 left by an interrupted write")
    assert pk("doctor", "--repair").stdout.startswith("Removed 2 leftover temp files;")
    assert not any(o.exists() for o in orphans)


def test_a_held_lock_is_reported_as_busy_not_stale(pk, db_path):
    add(pk)
    assert findings(pk)["lock"][0] == "ok"
    with open(sidecar(db_path, ".lock"), "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        level, message = findings(pk)["lock"]
    assert level == "warn" and "held by a running pk" in message
    assert findings(pk)["lock"][0] == "ok"  # released with the holder: it cannot go stale


def test_a_damaged_journal_is_a_warning_not_a_store_problem(pk, db_path):
    add(pk)
    journal.journal_path(db_path).write_text("{not json")
    level, message = findings(pk)["journal"]
    assert level == "warn" and "damaged" in message


def test_a_stale_prompt_index_is_reported(pk, db_path):
    add(pk)
    index = db_path.with_name(db_path.name + ".idx")
    if not index.exists():  # a pk without the prompt index: any sidecar index is checked by age
        index.write_text('{"generation": 1}')
    assert findings(pk)["index"][0] == "ok"
    data = json.loads(db_path.read_text())
    data["_meta"]["1"]["generation"] = 7  # changed behind pk's back
    db_path.write_text(json.dumps(data))
    os.utime(db_path, ns=(time.time_ns(), time.time_ns() + 10**9))
    level, message = findings(pk)["index"]
    assert level == "warn" and "stale" in message


def test_restore_puts_the_previous_state_back_and_keeps_the_current_file(pk, db_path):
    add(pk, "first")
    add(pk, "second")
    previous_state = sidecar(db_path, ".bak").read_bytes()
    db_path.write_bytes(b"\x00 broken by a sync tool")
    result = pk("doctor", "--restore")
    kept = db_path.with_name(f"{db_path.name}.before-restore-{STAMP}")
    assert result.stdout == (
        f"Restored 1 promise from {sidecar(db_path, '.bak')}; the file it replaced is kept as "
        f"{kept}.\n"
    )
    assert json.loads(db_path.read_bytes())["promises"] == json.loads(previous_state)["promises"]
    assert kept.read_bytes() == b"\x00 broken by a sync tool"
    assert [p["title"] for p in pk.json("list")] == ["first"]
    # The journal's latest entry (the second add) no longer describes the store: undo refuses.
    pk("undo", code=Conflict.exit_code)
    assert add(pk, "third")["id"] == 3  # ids are never reused, even across a restore


def test_restore_without_a_backup_is_a_clear_error(pk, db_path):
    add(pk)
    result = pk("doctor", "--restore", code=Conflict.exit_code)
    assert result.stderr == f"pk: no backup to restore: {sidecar(db_path, '.bak')} does not exist\n"


def test_restore_refuses_a_broken_backup(pk, db_path):
    add(pk)
    add(pk, "second")
    sidecar(db_path, ".bak").unlink()
    sidecar(db_path, ".bak").write_text("[]")
    before = db_path.read_bytes()
    result = pk("doctor", "--restore", code=Conflict.exit_code)
    assert "backup is not usable" in result.stderr
    assert db_path.read_bytes() == before


def test_doctor_reports_text_pk_add_would_refuse_without_calling_the_store_broken(pk, db_path):
    add(pk)
    add(pk, "Floor plan", "Sam")
    assert findings(pk)["text"][0] == "ok"
    data = json.loads(db_path.read_text())
    data["promises"]["2"]["title"] = "Floor\nplan"  # by hand, or by an older pk's import
    db_path.write_text(json.dumps(data))
    level, message = findings(pk)["text"]  # exit 0: a warning, the store is usable
    assert level == "warn"
    assert "#2: the title contains a control character (U+000A)" in message
    assert "pk edit" in message
    pk("edit", "2", "--title", "Floor plan")
    assert findings(pk)["text"][0] == "ok"

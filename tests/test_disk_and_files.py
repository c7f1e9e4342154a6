"""Full disks, read-only places, directories and symlinks where the store should be.

Tests run as root in CI, where permission bits do not stop a write, so the operating system's
refusals (ENOSPC, EACCES, EROFS) are simulated at the `os` level, on the store's temp files only:
exactly where a real refusal would surface. (tests/test_store.py covers the read-only store file,
a directory as the store and the symlink through the Store API; these extend them.)
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from promisekeeper.errors import StoreError
from promisekeeper.storage.files import sidecar

ADD = ("add", "Send numbers", "--to", "Dana", "--due", "fri")
ADD2 = ("add", "Second", "--to", "Sam", "--due", "fri")


def refuse_temp_files(monkeypatch, error: int, at: str) -> None:
    """Make creating (`at="open"`) or writing (`at="write"`) a store temp file fail with `error`."""
    real_open, real_write = os.open, os.write
    temp_fds: set[int] = set()

    def fake_open(path, flags, *args, **kwargs):
        if ".tmp-" in os.fspath(path):
            if at == "open":
                raise OSError(error, os.strerror(error), os.fspath(path))
            fd = real_open(path, flags, *args, **kwargs)
            temp_fds.add(fd)
            return fd
        return real_open(path, flags, *args, **kwargs)

    def fake_write(fd, data):
        if fd in temp_fds:
            raise OSError(error, os.strerror(error))
        return real_write(fd, data)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "write", fake_write)


def leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if ".tmp-" in p.name]


@pytest.mark.parametrize("at", ["open", "write"])
def test_disk_full_keeps_the_old_store_and_says_nothing_was_saved(pk, db_path, at):
    pk(*ADD)
    before = db_path.read_bytes()
    with pytest.MonkeyPatch.context() as patch:
        refuse_temp_files(patch, errno.ENOSPC, at)
        result = pk(*ADD2, code=StoreError.exit_code)
    assert result.stderr == f"pk: nothing was saved: disk full ({db_path.parent})\n"
    assert result.stdout == ""
    assert db_path.read_bytes() == before
    assert leftovers(db_path.parent) == []
    assert [p["title"] for p in pk.json("list")] == ["Send numbers"]


@pytest.mark.parametrize("error", [errno.EACCES, errno.EPERM, errno.EROFS])
def test_a_directory_that_refuses_writes_is_a_one_line_error(pk, db_path, error):
    pk(*ADD)
    before = db_path.read_bytes()
    with pytest.MonkeyPatch.context() as patch:
        refuse_temp_files(patch, error, "open")
        result = pk(*ADD2, code=StoreError.exit_code)
    assert result.stderr == (
        f"pk: nothing was saved: cannot write to {db_path.parent} (permission denied)\n"
    )
    assert db_path.read_bytes() == before


def test_a_directory_where_even_the_lock_cannot_be_made(pk, tmp_path, monkeypatch):
    """A read-only directory without a lock file yet: the lock is the first thing created."""
    import builtins

    store = tmp_path / "ro" / "promises.json"
    store.parent.mkdir()
    real_open = builtins.open

    def fake_open(path, *args, **kwargs):
        if os.fspath(path).endswith(".lock"):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    result = pk("--db", str(store), *ADD, code=StoreError.exit_code)
    assert (
        result.stderr
        == f"pk: nothing was saved: cannot write to {store.parent} (permission denied)\n"
    )
    assert not store.exists()


def test_directory_permission_bits_would_be_honoured_for_other_users(tmp_path):
    """The bits a non-root user meets: what the simulated EACCES above stands for."""
    directory = tmp_path / "ro"
    directory.mkdir()
    os.chmod(directory, 0o500)
    try:
        mode = stat.S_IMODE(directory.stat().st_mode)
        assert not mode & stat.S_IWUSR and not mode & stat.S_IWGRP and not mode & stat.S_IWOTH
    finally:
        os.chmod(directory, 0o700)


def test_a_read_only_store_can_still_be_read(pk, db_path):
    pk(*ADD)
    os.chmod(db_path, 0o444)
    assert [p["title"] for p in pk.json("list")] == ["Send numbers"]
    result = pk("done", "1", code=StoreError.exit_code)
    assert result.stderr == f"pk: nothing was saved: {db_path} is read-only\n"
    assert pk.json("show", "1")["status"] == "open"


def test_a_read_only_file_behind_a_symlink_is_refused_too(pk, tmp_path, db_path):
    pk(*ADD)
    os.chmod(db_path, 0o400)
    link = tmp_path / "link.json"
    link.symlink_to(db_path)
    result = pk("--db", str(link), *ADD2, code=StoreError.exit_code)
    assert "read-only" in result.stderr
    assert link.is_symlink()


def test_an_unreadable_store_is_a_one_line_error(pk, db_path, monkeypatch):
    pk(*ADD)
    real = Path.open

    def refuse(self, *args, **kwargs):
        if self == db_path:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)  # read_bytes opens through it too
    for args in (("list",), ADD2, ("undo",)):
        result = pk(*args, code=StoreError.exit_code)
        assert result.stderr == f"pk: cannot read {db_path}: permission denied\n"


def test_a_directory_as_the_store_refuses_writes_and_doctor_says_so(pk, db_path):
    db_path.mkdir()
    result = pk(*ADD, code=StoreError.exit_code)
    assert result.stderr == f"pk: {db_path} is a directory, not a store file (use --db FILE)\n"
    assert db_path.is_dir() and list(db_path.iterdir()) == []
    assert "is a directory" in pk("doctor", code=65).stdout


def test_symlinked_store_through_the_cli_keeps_link_mode_and_sidecars(pk, tmp_path):
    real = tmp_path / "synced" / "promises.json"
    real.parent.mkdir()
    link = tmp_path / "promises.json.link"
    link.symlink_to(real)  # dangling until the first write creates the target
    pk("--db", str(link), *ADD)
    assert link.is_symlink() and real.is_file()
    os.chmod(real, 0o640)
    pk("--db", str(link), *ADD2)
    pk("--db", str(link), "done", "1")
    assert link.is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sidecar(real, ".bak").exists()
    assert [p["title"] for p in pk.json("--db", str(real), "list")] == ["Second"]
    assert pk("--db", str(link), "undo").stdout.startswith("Undid done: #1")


def test_a_write_after_a_killed_one_leaves_no_staging_link(pk, db_path):
    """A killed write leaves `.bak` linked to the store itself; the next backup must not leak
    its staging link (renaming a link over a link to the same file does nothing)."""
    pk(*ADD)
    os.link(db_path, sidecar(db_path, ".bak"))
    pk(*ADD2)
    assert leftovers(db_path.parent) == []
    assert len(pk.json("list")) == 2

"""Files beside each other, safe for many `pk` processes: the one place for the lock and the
atomic write. The store, the archive, the journal, the prompt index and the doctor all use these
functions, so there is a single definition of "written safely".

- a writer takes an exclusive lock on `<store>.lock` for the whole command;
- every file is replaced whole: temp file in the same directory, fsync, `os.replace`, fsync of
  the directory, so a kill or a full disk leaves the old file or the new one, never a mix;
- the previous store is kept as `<store>.bak`, a hard link (no copy).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import StoreBusy, StoreError

META = "_meta"
PROMISES = "promises"
REQUESTS = "requests"
TABLES = (PROMISES, REQUESTS)
DEFAULT_LOCK_TIMEOUT = 5.0

Record = dict[str, Any]


# A NamedTuple, not a dataclass: created at import by every command, ~0.3 ms against ~1.3 ms.
class Change(NamedTuple):
    """One record's before and after in a transaction, for the undo journal (None = absent)."""

    table: str
    id: int
    before: Record | None
    after: Record | None


def sidecar(path: Path, suffix: str) -> Path:
    """A file beside the store: `promises.json` → `promises.json.lock`, `.bak`, `.idx`..."""
    return path.with_name(path.name + suffix)


def temp_prefix(path: Path) -> str:
    return f".{path.name}.tmp-"


@contextlib.contextmanager
def locked(target: Path, timeout: float) -> Iterator[None]:
    """Hold the writers' lock of the store `target` (its `.lock` sidecar) for the block."""
    lock_path = sidecar(target, ".lock")
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = open(lock_path, "a+b")  # noqa: SIM115 - held for the whole command
    except OSError as exc:
        raise write_error(exc, target) from exc
    try:
        acquire(handle, timeout)
        yield
    finally:
        handle.close()  # closing releases the lock, also when the process is killed


def read_only(target: Path) -> bool:
    """A file without write permission is the user saying "do not change this" — even to root,
    who `os.access` would let through, and even though `os.replace` could swap it anyway."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) and (not mode & 0o222 or not os.access(target, os.W_OK))


def env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def acquire(handle: Any, timeout: float) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: msvcrt locks a byte range instead
        import msvcrt

        def try_lock() -> bool:
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                return True
            except OSError:
                return False

    else:

        def try_lock() -> bool:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False

    deadline = time.monotonic() + timeout
    pause = 0.002
    while not try_lock():
        if time.monotonic() >= deadline:
            raise StoreBusy("the store is busy (locked by another pk); try again in a moment")
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def write_error(exc: OSError, target: Path) -> StoreError:
    if exc.errno == errno.ENOSPC:
        return StoreError(f"nothing was saved: disk full ({target.parent})")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StoreError(f"nothing was saved: cannot write to {target.parent} (permission denied)")
    return StoreError(f"nothing was saved: {exc.strerror or exc} ({target})")


def atomic_write(
    target: Path, payload: bytes | Iterable[bytes], mode: int | None = None, *, durable: bool = True
) -> None:
    """Write `payload` to `target` so that a crash leaves the old file or the new one, whole.
    `payload` may come in pieces, written as they come: the store's is made while it is written
    so that its bytes are never all in memory at once. `durable=False` skips the fsyncs: for a
    file whose loss after a power cut only costs convenience (the undo journal), never for the
    store."""
    if mode is None:
        try:
            mode = os.stat(target).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o600  # promises are personal
    temp = target.with_name(f"{temp_prefix(target)}{os.getpid()}-{os.urandom(4).hex()}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            for piece in (payload,) if isinstance(payload, bytes) else payload:
                view = memoryview(piece)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            if durable:
                os.fsync(fd)
            os.fchmod(fd, mode) if hasattr(os, "fchmod") else None
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException as exc:
        # Also when making a piece fails: the half-written temp file must not stay.
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise write_error(exc, target) from exc
        raise
    if durable:
        fsync_dir(target.parent)


def fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on every platform.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def keep_backup(target: Path) -> None:
    """Keep the previous state as `.bak` for `pk doctor --restore`.

    The store is only ever replaced, never rewritten, so a hard link to the current file *is* the
    previous state: no copy. Where links are not possible we copy, atomically too.
    """
    if not target.exists():
        return
    backup = sidecar(target, ".bak")
    with contextlib.suppress(OSError):
        if os.path.samefile(target, backup):
            # Already the backup (the last write was killed before its replace). Renaming a link
            # over another link to the same file does nothing, which would leave the staging file.
            return
    staging = target.with_name(f"{temp_prefix(target)}bak-{os.getpid()}-{os.urandom(4).hex()}")
    try:
        os.link(target, staging)
        os.replace(staging, backup)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(staging)
        atomic_write(backup, target.read_bytes())


def remove_orphan_temps(target: Path) -> None:
    """Temp files left by a killed writer. Safe: we hold the lock, so no writer is using them."""
    prefix = temp_prefix(target)
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if entry.name.startswith(prefix):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)

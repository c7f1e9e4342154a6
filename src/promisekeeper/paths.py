"""Where promisekeeper keeps its files. Every location can be overridden from the environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "promisekeeper"
DB_FILENAME = "promises.json"


def _home() -> Path:
    return Path(os.path.expanduser("~"))


def data_dir() -> Path:
    """The platform's per-user data directory for promisekeeper."""
    if xdg := os.environ.get("XDG_DATA_HOME"):
        return Path(xdg) / APP
    if sys.platform == "darwin":
        return _home() / "Library" / "Application Support" / APP
    if os.name == "nt" and (appdata := os.environ.get("APPDATA")):
        return Path(appdata) / APP
    return _home() / ".local" / "share" / APP


def config_dir() -> Path:
    if xdg := os.environ.get("XDG_CONFIG_HOME"):
        return Path(xdg) / APP
    if os.name == "nt" and (appdata := os.environ.get("APPDATA")):
        return Path(appdata) / APP
    return _home() / ".config" / APP


def cache_directory(override: str | os.PathLike[str] | None = None) -> Path:
    """`override`, else `PK_CACHE_DIR`, else `$XDG_CACHE_HOME/promisekeeper`, else
    `~/.cache/promisekeeper`: copies pk can always rebuild (calendars, the parsed config)."""
    if override:
        return Path(override)
    if chosen := os.environ.get("PK_CACHE_DIR"):
        return Path(os.path.expanduser(chosen))
    if xdg := os.environ.get("XDG_CACHE_HOME"):
        return Path(xdg) / APP
    return _home() / ".cache" / APP


def write_cache_file(path: Path, payload: bytes, prefix: str) -> None:
    """Replace a cache file atomically (temp file + rename), private to the user: caches hold
    meeting titles and the config's accounts. A cache that cannot be written only costs speed,
    so a refusal of the disk is swallowed."""
    import contextlib
    import tempfile

    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temp = tempfile.mkstemp(prefix=prefix, dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise


def db_path(override: str | os.PathLike[str] | None = None) -> Path:
    """`--db` beats `PK_DB` beats the data directory."""
    chosen = override or os.environ.get("PK_DB")
    if chosen:
        return Path(os.path.expanduser(os.fspath(chosen)))
    return data_dir() / DB_FILENAME


def config_path() -> Path:
    """`PK_CONFIG` beats the config directory."""
    if chosen := os.environ.get("PK_CONFIG"):
        return Path(os.path.expanduser(chosen))
    return config_dir() / "config.toml"

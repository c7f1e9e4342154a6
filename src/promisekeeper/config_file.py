"""config.toml's text as a table of values, parsed by tomllib once per change of the text.

Every command reads the settings, and `import tomllib` plus the parse cost ~4 ms: an eighth of
`pk list`. So the parse of the last config read is kept in the cache directory as JSON beside
the exact text it came from, and reused only when the file's text is that text, byte for byte
(not a timestamp, which a quick edit or a coarse file system can leave unchanged). A config
with values JSON cannot hold as they are (TOML's dates and times, inf, nan) is never cached. The
cache is disposable: missing, unreadable, broken or unwritable, it only costs the parse.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .paths import cache_directory, write_cache_file

CACHE_NAME = "config-parsed.json"
# The parser is the interpreter's: a new Python could read the same text differently.
_PARSER = f"tomllib {sys.version_info[0]}.{sys.version_info[1]}"


def read_config(path: Path) -> dict[str, Any] | None:
    """The file's table of values, or None when there is no file. ConfigError for a file that
    cannot be read or is not TOML."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    try:
        text = raw.decode()
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    cache = cache_directory() / CACHE_NAME
    if (parsed := _cached(cache, text)) is not None:
        return parsed
    import tomllib

    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    if _plain(parsed):
        _keep(cache, text, parsed)
    return parsed


def _cached(cache: Path, text: str) -> dict[str, Any] | None:
    import json  # `pk list` and every writer load it anyway; tomllib is the heavier of the two

    try:
        record = json.loads(cache.read_bytes())
    except (OSError, ValueError):
        return None
    if (
        isinstance(record, dict)
        and record.get("parser") == _PARSER
        and record.get("text") == text
        and isinstance(record.get("parsed"), dict)
    ):
        return record["parsed"]
    return None


def _plain(value: Any) -> bool:
    """Whether JSON gives `value` back exactly: text, whole numbers, finite floats, booleans,
    lists and tables of them."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, float):
        return value - value == 0
    return isinstance(value, str | int)  # bool is an int


def _keep(cache: Path, text: str, parsed: dict[str, Any]) -> None:
    import json

    record = json.dumps({"parser": _PARSER, "text": text, "parsed": parsed}, allow_nan=False)
    write_cache_file(cache, record.encode(), ".config-")

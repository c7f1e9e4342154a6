"""config.toml's parse is kept in the cache directory and reused only for the very same text
(`config_file.py`): every edit is seen at once, and a broken cache never matters."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SRC

from promisekeeper.config import load_settings
from promisekeeper.config_file import CACHE_NAME, read_config
from promisekeeper.errors import ConfigError

WORK = '[work]\nstart = "08:00"\nend = "16:00"\n'


@pytest.fixture
def config(isolated: Path) -> Path:
    path = isolated / "config.toml"
    path.write_text('timezone = "Europe/Berlin"\nsoon = "2h"\n' + WORK)
    return path


@pytest.fixture
def cache(isolated: Path) -> Path:
    return isolated / "xdg-cache" / "promisekeeper" / CACHE_NAME


def test_the_parse_is_kept_and_reused_for_the_same_text(config: Path, cache: Path) -> None:
    first = read_config(config)
    assert json.loads(cache.read_text())["parsed"] == first
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    record = json.loads(cache.read_text())
    record["parsed"]["soon"] = "9h"  # the cache is what is read while the text matches
    cache.write_text(json.dumps(record))
    assert read_config(config)["soon"] == "9h"


def test_an_edit_is_seen_even_with_the_same_size_and_time(config: Path, cache: Path) -> None:
    assert load_settings(config).soon.total_seconds() == 2 * 3600
    before = config.stat()
    config.write_text(config.read_text().replace('"2h"', '"3h"'))
    os.utime(config, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert config.stat().st_size == before.st_size
    assert load_settings(config).soon.total_seconds() == 3 * 3600
    assert json.loads(cache.read_text())["parsed"]["soon"] == "3h"


@pytest.mark.parametrize(
    "damage", [b"", b"{", b"[]", b'{"parser": "x"}', b"\xff", b'{"parsed": []}']
)
def test_a_broken_cache_is_only_a_parse_more(config: Path, cache: Path, damage: bytes) -> None:
    expected = read_config(config)
    cache.write_bytes(damage)
    assert read_config(config) == expected
    assert json.loads(cache.read_text())["parsed"] == expected  # and it is mended


def test_an_unwritable_cache_directory_costs_nothing_but_speed(
    config: Path, isolated: Path, monkeypatch
) -> None:
    blocker = isolated / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("PK_CACHE_DIR", str(blocker / "cache"))
    assert load_settings(config).soon.total_seconds() == 2 * 3600


def test_dates_and_times_are_never_cached(isolated: Path, cache: Path) -> None:
    """TOML's own times would come back from JSON as text: such a config is parsed each time."""
    path = isolated / "times.toml"
    path.write_text('timezone = "UTC"\n[work]\nstart = 08:00:00\nend = 15:00:00\n')
    assert load_settings(path).work.hours[0][1].hour == 15
    assert not cache.exists()
    assert load_settings(path).work.hours[0][1].hour == 15


def test_errors_read_as_before(isolated: Path, cache: Path) -> None:
    path = isolated / "bad.toml"
    for text, says in [(b"timezone = ", "Invalid value"), (b"\xff = 1", "codec can't decode")]:
        path.write_bytes(text)
        with pytest.raises(ConfigError, match=f"cannot read {path}: .*{says}"):
            read_config(path)
    assert not cache.exists()
    assert read_config(isolated / "absent.toml") is None


def test_a_second_command_with_the_same_config_never_imports_tomllib(
    config: Path, isolated: Path
) -> None:
    probe = "import sys; from promisekeeper.config import load_settings as l; l(); "
    probe += "print('tomllib' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(SRC)}

    def imports_tomllib() -> bool:
        out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True)
        return out.stdout.decode().strip() == "True"

    assert imports_tomllib()  # the first read parses, and keeps the parse
    assert not imports_tomllib()
    config.write_text(config.read_text().replace('"2h"', '"90m"'))
    assert imports_tomllib()  # a changed text is parsed again

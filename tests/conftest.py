"""Every test gets its own store, config and a pinned clock: nothing touches the user's files or
depends on the real time. The pinned instant is Monday 23 Nov 2026, 10:00 in Europe/Berlin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from promisekeeper.cli import app

NOW = "2026-11-23T10:00:00+01:00"
TZ = "Europe/Berlin"
SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every path at tmp_path and pin the clock and zone."""
    config = tmp_path / "config.toml"
    config.write_text(f'timezone = "{TZ}"\n')
    monkeypatch.setenv("PK_DB", str(tmp_path / "promises.json"))
    monkeypatch.setenv("PK_CONFIG", str(config))
    monkeypatch.setenv("PK_NOW", NOW)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("PK_CACHE_DIR", raising=False)
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("PK_LOCK_TIMEOUT", raising=False)
    return tmp_path


@pytest.fixture
def db_path(isolated: Path) -> Path:
    return isolated / "promises.json"


class Run:
    """Invoke the CLI in-process. A traceback is a test failure, never output."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int | None = 0, env: dict[str, str] | None = None):
        result = self.runner.invoke(app, list(args), env=env, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, (
                f"pk {' '.join(args)} exited {result.exit_code}, wanted {code}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    def json(self, *args: str, env: dict[str, str] | None = None):
        return json.loads(self(*args, "--json", env=env).stdout)


@pytest.fixture
def pk() -> Run:
    return Run()


def pk_process(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, **kwargs
) -> subprocess.CompletedProcess:
    """Run `python -m promisekeeper` as a real process with the test environment."""
    full_env = {**os.environ, "PYTHONPATH": str(SRC), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "promisekeeper", *args],
        env=full_env,
        capture_output=True,
        timeout=timeout,
        **kwargs,
    )


@pytest.fixture
def proc() -> Callable[..., subprocess.CompletedProcess]:
    return pk_process


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow",
        action="store_true",
        help="also run the long safety loops (concurrent writers, kills mid-write); CI does",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A local run skips the long safety loops; `python -m pytest --slow` (CI) runs everything."""
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(
        reason="slow (a safety loop or real-shell run): run with --slow, as CI does"
    )
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# Real servers on loopback (tests/servers.py) for the calendar and sync tests.
pytest_plugins = ["servers"]


def mutations(raw: bytes):
    """Every file one byte away from a good one (a byte deleted or changed to a quote, a comma,
    a newline or a brace added), and every line deleted or doubled."""
    for at in range(len(raw) + 1):
        yield raw[:at] + raw[at + 1 :]
        yield raw[:at] + b'"' + raw[at + 1 :]
        for extra in (b",", b"\n", b"}", b'"'):
            yield raw[:at] + extra + raw[at:]
    lines = raw.splitlines(keepends=True)
    for number in range(len(lines)):
        yield b"".join(lines[:number] + lines[number + 1 :])
        yield b"".join(lines[: number + 1] + lines[number:])

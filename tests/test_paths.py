"""Where the files live: --db beats PK_DB beats the data directory; PK_CONFIG beats the config
directory. The autouse fixture points all of them into tmp_path."""

from __future__ import annotations

import pytest

from promisekeeper import paths


def test_the_default_store_is_under_xdg_data_home(pk, isolated, monkeypatch):
    monkeypatch.delenv("PK_DB")
    pk("add", "x", "--to", "A", "--due", "fri")
    assert (isolated / "xdg-data" / "promisekeeper" / "promises.json").exists()


def test_without_xdg_the_store_is_under_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("PK_DB")
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(paths.sys, "platform", "linux")
    assert paths.db_path() == tmp_path / ".local" / "share" / "promisekeeper" / "promises.json"


def test_macos_uses_application_support(monkeypatch, tmp_path):
    monkeypatch.delenv("PK_DB")
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(paths.sys, "platform", "darwin")
    expected = tmp_path / "Library" / "Application Support" / "promisekeeper" / "promises.json"
    assert paths.db_path() == expected


@pytest.mark.parametrize(
    "override, env, expected",
    [
        ("/a/cli.json", "/b/env.json", "/a/cli.json"),
        (None, "/b/env.json", "/b/env.json"),
        (None, "~/env.json", "HOME/env.json"),
    ],
)
def test_db_option_beats_environment(monkeypatch, tmp_path, override, env, expected):
    monkeypatch.setenv("PK_DB", env)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert str(paths.db_path(override)) == expected.replace("HOME", str(tmp_path))


def test_config_path_follows_pk_config_then_xdg(monkeypatch, isolated):
    assert paths.config_path() == isolated / "config.toml"
    monkeypatch.delenv("PK_CONFIG")
    assert paths.config_path() == isolated / "xdg-config" / "promisekeeper" / "config.toml"


def test_a_missing_config_file_means_defaults(pk, isolated, monkeypatch):
    monkeypatch.setenv("PK_CONFIG", str(isolated / "nowhere.toml"))
    result = pk("add", "x", "--to", "A", "--due", "eod")
    assert "17:00" in result.stdout

"""Claims about worker.config: every key checked, every error names the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.config import (
    CONFIG_ENV_VAR,
    DEFAULT_CONFIG_PATH,
    Settings,
    config_path_from,
    load_settings,
    parse_duration,
    settings_from_mapping,
)
from worker.exceptions import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = REPO_ROOT / "config" / "feedworker.toml"


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feedworker.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- loading ------------------------------------------------------------------


def test_defaults_when_no_config_path() -> None:
    settings = load_settings(None)
    assert settings == Settings()
    assert settings.source is None
    assert settings.feeds == ()
    assert settings.sites == ()
    assert settings.fetch.timeout == 30
    assert settings.fetch.concurrency == 16
    assert settings.schedule.default_interval == 30 * 60


def test_example_config_file_loads() -> None:
    settings = load_settings(EXAMPLE_CONFIG)
    assert settings.source == EXAMPLE_CONFIG
    assert settings.store.path == "feedworker.db"
    assert settings.fetch.timeout == 30
    assert settings.fetch.max_bytes == 5242880
    assert settings.schedule.default_interval == 30 * 60
    assert settings.schedule.tick == 30


def test_empty_config_file_gives_defaults(tmp_path: Path) -> None:
    path = write_config(tmp_path, "")
    assert load_settings(path) == Settings(source=path)


def test_feeds_and_sites_are_read_from_the_file(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """
[schedule]
default_interval = "10m"

[[sites]]
host = "News.Example.com"
drop = [".related"]
keep = "article"

[[feeds]]
url = "https://news.example.com/rss.xml"
name = "Example"
interval = "15m"

[[feeds]]
url = "http://other.example.org/atom"
""",
    )
    settings = load_settings(path)
    assert settings.schedule.default_interval == 600
    assert [(f.url, f.name, f.interval) for f in settings.feeds] == [
        ("https://news.example.com/rss.xml", "Example", 900),
        ("http://other.example.org/atom", None, None),
    ]
    (site,) = settings.sites
    assert (site.host, site.drop, site.keep) == ("news.example.com", (".related",), "article")


def test_missing_config_file_is_a_config_error_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as excinfo:
        load_settings(path)
    assert str(path) in str(excinfo.value)


def test_invalid_toml_is_a_config_error_naming_the_path(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[fetch\ntimeout = 3\n")
    with pytest.raises(ConfigError) as excinfo:
        load_settings(path)
    assert str(path) in str(excinfo.value)
    assert "TOML" in str(excinfo.value)


# --- unknown keys -------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("colour = 'blue'", "colour"),
        ("[fetch]\ntimout = 3", "fetch.timout"),
        ("[store]\npth = 'x.db'", "store.pth"),
        ("[schedule]\ninterval = '5m'", "schedule.interval"),
        ("[[feeds]]\nurl = 'https://a.example/rss'\nnmae = 'A'", "feeds[0].nmae"),
        (
            "[[feeds]]\nurl = 'https://a.example/rss'\n[[feeds]]\nurl = 'https://b.example/'\n"
            "every = '5m'",
            "feeds[1].every",
        ),
        ("[[sites]]\nhost = 'a.example'\nremove = ['.ad']", "sites[0].remove"),
    ],
)
def test_unknown_key_is_rejected_by_name(tmp_path: Path, toml: str, key: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_settings(write_config(tmp_path, toml))
    assert str(excinfo.value).startswith(f"{key}:")


# --- bad values ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"fetch": {"timeout": -1}}, "fetch.timeout"),
        ({"fetch": {"timeout": 0}}, "fetch.timeout"),
        ({"fetch": {"concurrency": "4"}}, "fetch.concurrency"),
        ({"fetch": {"concurrency": 0}}, "fetch.concurrency"),
        ({"fetch": {"max_redirects": -1}}, "fetch.max_redirects"),
        ({"fetch": {"max_bytes": True}}, "fetch.max_bytes"),
        ({"fetch": {"user_agent": ""}}, "fetch.user_agent"),
        ({"fetch": 3}, "fetch"),
        ({"store": {"path": "  "}}, "store.path"),
        ({"schedule": {"default_interval": "10x"}}, "schedule.default_interval"),
        ({"schedule": {"tick": 0}}, "schedule.tick"),
        ({"feeds": [{"url": "https://a.example/", "interval": "10x"}]}, "feeds[0].interval"),
        ({"feeds": [{"url": "ftp://a.example/feed"}]}, "feeds[0].url"),
        ({"feeds": [{"url": "feeds.example.com/rss"}]}, "feeds[0].url"),
        ({"feeds": [{"name": "No URL"}]}, "feeds[0].url"),
        ({"feeds": [{"url": "https://a.example/", "name": 3}]}, "feeds[0].name"),
        ({"feeds": {"url": "https://a.example/"}}, "feeds"),
        ({"sites": [{"drop": [".ad"]}]}, "sites[0].host"),
        ({"sites": [{"host": "a.example", "drop": ".ad"}]}, "sites[0].drop"),
    ],
)
def test_bad_value_is_rejected_by_key(raw: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        settings_from_mapping(raw)
    assert str(excinfo.value).startswith(f"{key}:")


def test_bad_value_in_file_is_rejected_by_key(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[fetch]\ntimeout = -5\n")
    with pytest.raises(ConfigError, match=r"^fetch\.timeout:"):
        load_settings(path)


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        pytest.param(
            "[fetch]\ntimeout = nan",
            "fetch.timeout",
        ),
        pytest.param(
            "[schedule]\ndefault_interval = inf",
            "schedule.default_interval",
        ),
        pytest.param(
            "[fetch]\nmax_bytes = inf",
            "fetch.max_bytes",
        ),
        pytest.param(
            "[[feeds]]\nurl = 'http://'",
            "feeds[0].url",
        ),
    ],
)
def test_non_finite_or_hostless_values_are_config_errors(
    tmp_path: Path, toml: str, key: str
) -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_settings(write_config(tmp_path, toml))
    assert str(excinfo.value).startswith(f"{key}:")


# --- durations ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("90s", 90),
        ("10m", 600),
        ("1h", 3600),
        ("1d", 86400),
        (120, 120),
        ("120", 120),
        (" 5 m ", 300),
        ("1.5m", 90),
    ],
)
def test_duration_is_parsed_to_seconds(value: object, seconds: int) -> None:
    assert parse_duration(value, key="k") == seconds


@pytest.mark.parametrize("value", ["10x", "", "-5", "m", "1 hour", True, None, [10], "0s", 0, 0.5])
def test_bad_duration_is_a_config_error_naming_the_key(value: object) -> None:
    with pytest.raises(ConfigError, match=r"^schedule\.tick:"):
        parse_duration(value, key="schedule.tick")


# --- which file ---------------------------------------------------------------


def test_explicit_config_path_wins_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV_VAR, "/etc/from-env.toml")
    assert config_path_from("given.toml") == Path("given.toml")


def test_env_var_is_used_without_explicit_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / DEFAULT_CONFIG_PATH).write_text("", encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV_VAR, "/etc/from-env.toml")
    assert config_path_from(None) == Path("/etc/from-env.toml")


def test_default_path_is_used_only_when_present(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(CONFIG_ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert config_path_from(None) is None
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "feedworker.toml").write_text("", encoding="utf-8")
    assert config_path_from(None) == Path("config/feedworker.toml")


def test_empty_env_var_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CONFIG_ENV_VAR, "")
    monkeypatch.chdir(tmp_path)
    assert config_path_from(None) is None

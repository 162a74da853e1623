"""Settings: defaults, environment overrides, and clear errors for a bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_the_example_config_is_valid_and_documents_defaults() -> None:
    settings = load_settings(ROOT / "config.example.toml", environ={})
    assert settings.locale.default == "id"
    assert settings.locale.timezone == "Asia/Jakarta"
    assert settings.program.yearly_target == 4700
    assert not settings.telegram.has_token


def test_token_comes_from_the_environment_and_is_never_shown(tmp_path: Path) -> None:
    settings = load_settings(None, environ={"ATENSI_BOT_TOKEN": "123:SECRET"})
    assert settings.telegram.token.get_secret_value() == "123:SECRET"
    assert "SECRET" not in repr(settings)
    assert "SECRET" not in str(settings.model_dump())


def test_nested_environment_overrides() -> None:
    settings = load_settings(
        None, environ={"ATENSI_STORAGE__DATABASE": "/tmp/x.sqlite3", "ATENSI_ACCESS__ADMIN_USER_IDS": "5, 7"}
    )
    assert str(settings.storage.database) == "/tmp/x.sqlite3"
    assert settings.access.admin_user_ids == [5, 7]
    assert (settings.storage.target, settings.storage.engine) == ("sqlite:////tmp/x.sqlite3", "sqlite")


def test_the_database_url_names_sqlite_or_postgresql() -> None:
    url = "postgresql://atensi@/atensi?host=/run/postgresql"
    settings = load_settings(None, environ={"ATENSI_STORAGE__URL": url, "ATENSI_STORAGE__POOL_SIZE": "4"})
    assert (settings.storage.target, settings.storage.engine, settings.storage.pool_size) == (url, "postgresql", 4)
    assert load_settings(None, environ={"ATENSI_STORAGE__URL": "sqlite:///var/a.sqlite3"}).storage.engine == "sqlite"
    with pytest.raises(ConfigError) as caught:
        load_settings(None, environ={"ATENSI_STORAGE__URL": "mysql://x/y"})
    assert "storage.url" in str(caught.value) and "postgresql://" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[telegram]\ntokn = 'x'\n", "telegram.tokn: unknown key"),
        ("[program]\nyearly_target = -3\n", "program.yearly_target"),
        ("[locale]\ndefault = 'fr'\n", "locale.default"),
        ("[locale]\ntimezone = 'Mars/Olympus'\n", "IANA time zone"),
        ("[telegram\n", "not valid TOML"),
    ],
)
def test_a_bad_file_names_the_file_and_the_key(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config.example.toml"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_a_config_written_before_the_not_received_category_still_loads(tmp_path: Path) -> None:
    """response_days lists every category; one added later (not_received, the post-payment check's)
    takes its default in a file written before it, instead of refusing to start the bot."""
    path = tmp_path / "config.toml"
    path.write_text(
        "[complaints]\nresponse_days = { levy = 4, fraud = 3, data_leak = 2, harassment = 2, conflict = 5,"
        " service = 5, other = 10 }\n"
    )
    days = load_settings(path, environ={}).complaints.response_days
    assert days["levy"] == 4 and days["not_received"] == 3

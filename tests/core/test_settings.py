import pytest

from core.settings import ROOT, Settings, load_env_file, parse_env_file


def test_defaults_work_with_nothing_set():
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite:///{ROOT / 'var' / 'anxin.db'}"
    assert settings.tracker_url.startswith("sqlite:///")
    assert (settings.rasa_port, settings.action_port, settings.console_port) == (5005, 5055, 8000)
    assert settings.action_url == "http://127.0.0.1:5055/webhook"
    assert settings.rasa_env()["ANXIN_ACTION_ENDPOINT"] == settings.action_url


def test_environment_overrides():
    settings = Settings.from_env(
        {"ANXIN_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/anxin", "ANXIN_RASA_PORT": "6005",
         "ANXIN_VAR_DIR": "/tmp/anxin-var"}
    )
    assert settings.database_url.startswith("postgresql://")
    assert settings.rasa_port == 6005
    assert str(settings.log_dir) == "/tmp/anxin-var/log"


def test_a_bad_port_is_a_clear_error():
    with pytest.raises(ValueError, match="ANXIN_RASA_PORT"):
        Settings.from_env({"ANXIN_RASA_PORT": "five"})


def test_secrets_stay_out_of_repr():
    settings = Settings.from_env({"ANXIN_WECHAT_APP_SECRET": "s3cr3t-value", "ANXIN_DEVICE_TOKEN": "tok-123"})
    assert "s3cr3t-value" not in repr(settings) and "tok-123" not in repr(settings)


def test_env_file_parsing(tmp_path):
    path = tmp_path / ".env"
    path.write_text('# comment\nA=1\nexport B="two words"\nC=\'x=y\'\nnot a line\n', encoding="utf-8")
    assert parse_env_file(path) == {"A": "1", "B": "two words", "C": "x=y"}


def test_env_example_documents_every_setting():
    example = parse_env_file(ROOT / ".env.example")
    source = (ROOT / "core" / "settings.py").read_text(encoding="utf-8")
    import re

    read = set(re.findall(r"env, \"(ANXIN_[A-Z_]+)\"|env.get\(\"(ANXIN_[A-Z_]+)\"", source))
    read = {a or b for a, b in read}
    assert read <= set(example), f"undocumented in .env.example: {sorted(read - set(example))}"


def test_load_env_file_never_overrides_the_environment(tmp_path, monkeypatch):
    (tmp_path / ".env.example").write_text("ANXIN_RASA_PORT=7005\nANXIN_ACTION_PORT=7055\n", encoding="utf-8")
    monkeypatch.setenv("ANXIN_RASA_PORT", "9005")
    monkeypatch.delenv("ANXIN_ACTION_PORT", raising=False)
    added = load_env_file(tmp_path)
    import os

    assert os.environ["ANXIN_RASA_PORT"] == "9005"
    assert added == {"ANXIN_ACTION_PORT": "7055"}
    monkeypatch.delenv("ANXIN_ACTION_PORT")


def test_internal_tokens_are_made_once_private_and_shared(tmp_path):
    import stat

    from core.settings import Settings

    env = {"ANXIN_VAR_DIR": str(tmp_path / "var")}
    first, second = Settings.from_env(env), Settings.from_env(env)
    assert len(first.rasa_token) >= 32 and first.rasa_token == second.rasa_token
    assert first.action_token == second.action_token != first.rasa_token
    mode = stat.S_IMODE((tmp_path / "var" / "secrets" / "rasa-token").stat().st_mode)
    assert mode == 0o600
    assert Settings.from_env({**env, "ANXIN_RASA_TOKEN": "given"}).rasa_token == "given"
    assert "given" not in repr(Settings.from_env({**env, "ANXIN_RASA_TOKEN": "given"}))


def test_production_rest_is_never_open(tmp_path):
    """Production REST without ANXIN_REST_TOKEN was open to anyone nginx let in."""
    from core.settings import Settings

    env = {"ANXIN_VAR_DIR": str(tmp_path / "var")}
    assert Settings.from_env(env).rest_token == ""  # embedded mode: this machine only
    prod = {**env, "ANXIN_DATABASE_URL": "postgresql://db/anxin", "ANXIN_TRACKER_URL": "postgresql://db/t",
            "ANXIN_REDIS_URL": "redis://r/0"}
    made = Settings.from_env(prod)
    assert made.production and len(made.rest_token) >= 32
    assert Settings.from_env(prod).rest_token == made.rest_token, "every process of the installation shares it"
    assert (tmp_path / "var" / "secrets" / "rest-token").read_text().strip() == made.rest_token
    assert Settings.from_env({**prod, "ANXIN_REST_TOKEN": "given-token"}).rest_token == "given-token"

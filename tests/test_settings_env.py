import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ptce_ami.conf import Env


@pytest.fixture
def env(monkeypatch):
    def make(**values):
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        return Env()

    return make


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("true", True), ("On", True), ("0", False), ("no", False)])
def test_bool_reads_usual_spellings(env, raw, expected):
    assert env(DEBUG=raw).bool("DEBUG") is expected


def test_bool_rejects_anything_else(env):
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env(DEBUG="maybe").bool("DEBUG")


def test_int_rejects_non_numbers(env):
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE='ten' is not an integer"):
        env(CONN_MAX_AGE="ten").int("CONN_MAX_AGE")


def test_secret_is_required_without_default(env, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(ImproperlyConfigured, match="Set the SECRET_KEY"):
        env().secret("SECRET_KEY")


def test_secret_can_come_from_a_file(env, tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    secret_file = tmp_path / "key"
    secret_file.write_text("from-a-file")

    assert env(SECRET_KEY_FILE=str(secret_file)).secret("SECRET_KEY") == "from-a-file"


def test_database_url_accepts_postgres_and_sqlite_only(env):
    config = env(DATABASE_URL="postgres://u:p@db:5432/ptce").db("DATABASE_URL")

    assert (config["ENGINE"], config["HOST"], config["NAME"]) == ("django.db.backends.postgresql", "db", "ptce")
    with pytest.raises(ImproperlyConfigured, match="postgres:// or sqlite:///"):
        env(DATABASE_URL="mysql://db/ptce").db("DATABASE_URL")


def test_email_url_gives_smtp_settings(env):
    config = env(EMAIL_URL="smtp+tls://user:secret@smtp.example.fr:587").email_url("EMAIL_URL")

    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == ("smtp.example.fr", 587, True)
    with pytest.raises(ImproperlyConfigured, match="unknown scheme 'carrier-pigeon'"):
        env(EMAIL_URL="carrier-pigeon://x").email_url("EMAIL_URL")


def test_site_url_must_be_http(env):
    with pytest.raises(ImproperlyConfigured, match="is not an http"):
        env(SITE_URL="ptce.example.fr").url_string("SITE_URL")


def test_production_settings_refuse_to_start_without_secret_key():
    environment = {"PATH": "/usr/bin:/bin", "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "ptce_ami.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environment,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "Set the SECRET_KEY (or SECRET_KEY_FILE) environment variable." in result.stderr


@pytest.mark.parametrize(
    ("command", "starts"),
    [(["makemigrations", "--check", "--dry-run"], True), (["migrate", "--plan"], False)],
)
def test_offline_commands_run_without_secret_key_others_refuse(command, starts, tmp_path):
    """A checkout checks its migrations without any secret; anything that could serve or sign still refuses."""
    environment = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        env=environment,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
    )

    assert (result.returncode == 0) is starts, result.stderr[-2000:]
    if not starts:
        assert "Set the SECRET_KEY (or SECRET_KEY_FILE) environment variable." in result.stderr


def production_environment(tmp_path, **overrides):
    """What a deployment behind its HTTPS proxy sets (README, "Variables d'environnement")."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "ptce.example.fr",
        "CSRF_TRUSTED_ORIGINS": "https://ptce.example.fr",
        "SITE_URL": "https://ptce.example.fr",
        "BEHIND_HTTPS_PROXY": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **overrides,
    }


def run_manage(environment, *command):
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        env=environment,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
    )


def test_deploy_check_finds_no_issue_in_production(tmp_path):
    result = run_manage(production_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr[-3000:]
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_hsts_subdomains_and_preload_can_be_turned_off(tmp_path):
    environment = production_environment(tmp_path, SECURE_HSTS_INCLUDE_SUBDOMAINS="false", SECURE_HSTS_PRELOAD="false")

    result = run_manage(environment, "check", "--deploy")

    assert "security.W005" in result.stderr
    assert "security.W021" in result.stderr


def test_worker_pool_processes_are_replaced_before_pdf_rendering_grows_them():
    from ptce_ami.celery import app  # noqa: PLC0415 - the app configured from these settings

    assert (app.conf.worker_max_tasks_per_child, app.conf.worker_max_memory_per_child) == (200, 250_000)

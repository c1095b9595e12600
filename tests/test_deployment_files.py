"""docker-compose.yml cannot run on this machine: keep it correct by reading it."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_VARIABLES = set(re.findall(r'env\.\w+\("([A-Z0-9_]+)"', (ROOT / "ptce_ami" / "settings.py").read_text()))


def load_compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_five_services():
    services = load_compose()["services"]

    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert services["worker"]["command"][:4] == ["celery", "-A", "ptce_ami", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "ptce_ami", "beat"]
    web_command = services["web"]["command"]
    for step in ("migrate --noinput", "collectstatic --noinput", "load_territories", "gunicorn ptce_ami.wsgi"):
        assert step in web_command


def gunicorn_options(command):
    words = command.split()
    return {words[index]: words[index + 1] for index in range(len(words) - 1) if words[index].startswith("--")}


def test_gunicorn_timeout_is_set_deliberately_and_the_same_in_the_image_and_compose():
    dockerfile = (ROOT / "Dockerfile").read_text()
    [cmd] = re.findall(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    image = gunicorn_options(" ".join(yaml.safe_load(cmd)))
    web_command = load_compose()["services"]["web"]["command"]
    compose = gunicorn_options(web_command.split("&& gunicorn", 1)[1].strip().rstrip('"'))

    assert (image["--timeout"], image["--graceful-timeout"]) == ("60", "30")
    assert compose == image


def test_compose_application_services_share_settings_the_code_reads():
    services = load_compose()["services"]

    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert set(environment) <= SETTINGS_VARIABLES, set(environment) - SETTINGS_VARIABLES
        assert environment["DATABASE_URL"].startswith("postgres://ptce:")
        assert environment["DATABASE_URL"].endswith("@postgres:5432/ptce")
        assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0"
        assert environment["DEBUG"] == "false"
        assert services[name]["build"] == "."


def test_compose_has_no_secret_values():
    text = (ROOT / "docker-compose.yml").read_text()

    assert "${SECRET_KEY:?" in text
    assert "${POSTGRES_PASSWORD:?" in text


def test_every_settings_variable_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()

    undocumented = {name for name in SETTINGS_VARIABLES if f"`{name}`" not in readme}
    assert undocumented == set()


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()

    assert readme.index("make run") < readme.index("make test") < readme.index("## Layout")

"""docker-compose.yml cannot run on this machine: keep it correct by reading it."""

import os
import re
import runpy
import shlex
import sys
from pathlib import Path

import yaml
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from gunicorn.app.wsgiapp import WSGIApplication

from ptce_ami.core.middleware import body_limit

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
    for step in ("migrate --noinput", "collectstatic --noinput", "load_territories", " ".join(GUNICORN)):
        assert step in web_command


GUNICORN = ["gunicorn", "-c", "gunicorn.conf.py", "ptce_ami.wsgi:application"]


def gunicorn_settings():
    return {
        name: value
        for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items()
        if not name.startswith("__") and name != "os"
    }


def test_gunicorn_runs_with_its_config_file_the_same_in_the_image_and_compose():
    dockerfile = (ROOT / "Dockerfile").read_text()
    [cmd] = re.findall(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    web_command = load_compose()["services"]["web"]["command"]

    assert yaml.safe_load(cmd) == GUNICORN
    assert web_command.split("&& gunicorn", 1)[1].strip().rstrip('"').split() == GUNICORN[1:]


def test_gunicorn_limits_are_set_deliberately(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    config = gunicorn_settings()

    assert (config["timeout"], config["graceful_timeout"]) == (60, 30)
    assert (config["limit_request_line"], config["limit_request_fields"], config["limit_request_field_size"]) == (
        4094,
        50,
        8190,
    )
    assert config["bind"] == "0.0.0.0:8000"
    assert config["forwarded_allow_ips"] == "127.0.0.1,::1"
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    assert gunicorn_settings()["forwarded_allow_ips"] == "10.0.0.0/8"


# Procfile (Scalingo and other Procfile hosts: docs/deployment.md) ------------------------------------------------


def load_procfile():
    """{process type: command}, as the hosts read it: one `name: command` a line."""
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, command = re.fullmatch(r"([a-z]+):\s*(\S.*)", line).groups()
        assert name not in processes, name
        processes[name] = command
    return processes


def release_steps():
    return [step.strip() for step in load_procfile()["postdeploy"].split("&&")]


def test_procfile_runs_web_worker_beat_and_migrates_after_each_deployment():
    assert list(load_procfile()) == ["web", "worker", "beat", "postdeploy"]
    # Scalingo runs `postdeploy` once per deployment, in a one-off container, before the new version gets traffic.
    assert release_steps()[0] == "python manage.py migrate --noinput"


def test_procfile_celery_processes_are_the_compose_ones():
    services, processes = load_compose()["services"], load_procfile()

    # Same app, same queue (the default, CELERY_TASK_DEFAULT_QUEUE), same concurrency and options.
    assert shlex.split(processes["worker"]) == services["worker"]["command"]
    assert shlex.split(processes["beat"]) == services["beat"]["command"]


def test_beat_runs_alone_in_the_procfile_and_in_compose():
    services, processes = load_compose()["services"], load_procfile()
    commands = [shlex.split(command) for command in processes.values()] + [
        services[name]["command"] for name in ("worker", "beat")
    ]

    # Only the beat process schedules: no worker embeds a beat (-B), and compose never replicates it.
    assert [name for name, command in processes.items() if "beat" in shlex.split(command)] == ["beat"]
    assert not any({"-B", "--beat"} & set(command) for command in commands)
    assert "deploy" not in services["beat"] and "scale" not in services["beat"]


def test_procfile_web_is_gunicorn_with_its_config_file_on_the_hosts_port(monkeypatch):
    command = shlex.split(load_procfile()["web"])
    monkeypatch.setenv("PORT", "5123")
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(sys, "argv", [os.path.expandvars(part) for part in command])

    assert [part for part in command if part not in ("--bind", "0.0.0.0:$PORT")] == GUNICORN
    config = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg
    # The command line's --bind wins over gunicorn.conf.py's 0.0.0.0:8000; every other setting is the file's.
    assert config.bind == ["0.0.0.0:5123"]
    assert (config.timeout, config.workers) == (gunicorn_settings()["timeout"], gunicorn_settings()["workers"])


def test_procfile_release_step_does_the_database_work_compose_does_at_start():
    compose_steps = [step.strip() for step in load_compose()["services"]["web"]["command"].split("&&")]
    database_steps = [step.removeprefix('sh -c "') for step in compose_steps if "manage.py" in step]

    # collectstatic writes files: in a one-off container they would never reach the web containers. It runs when the
    # image is built (the Python buildpack), as compose runs it in the web container.
    assert release_steps() == [step for step in database_steps if "collectstatic" not in step]
    assert release_steps() == ["python manage.py migrate --noinput", "python manage.py load_territories"]


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


# deploy/nginx.conf --------------------------------------------------------------------------------------------

NGINX = (ROOT / "deploy" / "nginx.conf").read_text()
UNITS = {"": 1, "k": 1024, "m": 1024 * 1024, "g": 1024 * 1024 * 1024}


def nginx_size(text):
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", text.lower()).groups()
    return int(number) * UNITS[unit]


def https_server():
    """The body of the server block that proxies to gunicorn (the other one redirects to HTTPS)."""
    [server] = [block for block in re.split(r"\nserver \{", NGINX)[1:] if "proxy_pass" in block]
    return server


def nginx_locations():
    """[(modifier, path, directives text)] in the order of the file."""
    return [
        (modifier or "", path, body)
        for modifier, path, body in re.findall(r"location\s+(=|~|\^~)?\s*(\S+)\s*\{([^}]*)\}", https_server())
    ]


def nginx_location(uri):
    """The location nginx picks for ``uri`` (exact, then the longest prefix unless ^~ stops there, then the first
    regular expression, else the longest prefix)."""
    locations = nginx_locations()
    for modifier, path, body in locations:
        if modifier == "=" and path == uri:
            return body
    prefixes = [(path, modifier, body) for modifier, path, body in locations if modifier in ("", "^~")]
    longest = max((entry for entry in prefixes if uri.startswith(entry[0])), key=lambda entry: len(entry[0]))
    if longest[1] == "^~":
        return longest[2]
    for modifier, path, body in locations:
        if modifier == "~" and re.search(path, uri):
            return body
    return longest[2]


def nginx_body_limit(uri):
    body = nginx_location(uri)
    own = re.search(r"client_max_body_size\s+(\w+);", body)
    server_level = re.sub(r"location[^{]*\{[^}]*\}", "", https_server())
    [default] = re.findall(r"client_max_body_size\s+(\w+);", server_level)
    return nginx_size(own.group(1) if own else default)


def sample_path(parts):
    """A path the URL patterns ``parts`` match: every converter gets a plausible value."""
    route = "".join(parts)
    return "/" + re.sub(
        r"<(?:(\w+):)?\w+>", lambda match: "1" if match.group(1) == "int" else "PTCE-2026-P1-0001", route
    )


def upload_views():
    """(sample path, files) of every view of the project declared with @accepts_files."""
    found = []

    def walk(patterns, parts):
        for entry in patterns:
            route = str(entry.pattern) if isinstance(entry.pattern, RoutePattern) else None
            if isinstance(entry, URLResolver):
                if route is not None:
                    walk(entry.url_patterns, [*parts, route])
            elif isinstance(entry, URLPattern) and getattr(entry.callback, "upload_files", 0):
                assert route is not None, f"{entry}: an upload view needs a path() route to be checked here"
                found.append((sample_path([*parts, route]), entry.callback.upload_files))

    walk(get_resolver().url_patterns, [])
    return found


def test_nginx_body_limits_agree_with_the_settings_defaults(settings):
    settings.ATTACHMENT_MAX_SIZE = 10 * 1024 * 1024  # the defaults of ptce_ami/settings.py
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    uploads = upload_views()
    samples = [(path, 0) for path in ("/compte/connexion/", "/api/v1/dossiers/", "/instruction/", "/admin/")]

    assert sorted(files for _path, files in uploads) == [1, 1, 5]  # attachment, admin import, message
    for path, _files in uploads + samples:
        application, proxy = body_limit(path), nginx_body_limit(path)
        # nginx lets every body the application accepts through, and not much more: a body a little too large gets the
        # application's French page.
        assert application <= proxy <= application + 2 * 1024 * 1024, (path, application, proxy)
    # Every larger limit in nginx belongs to an upload view (none left behind by a renamed URL).
    sized = [path for _modifier, path, body in nginx_locations() if "client_max_body_size" in body]
    assert len(sized) == len(uploads)


def test_nginx_passes_the_client_address_and_limits_the_rates():
    server = https_server()

    # The client's own X-Forwarded-For is replaced, never appended to.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in server
    assert "$proxy_add_x_forwarded_for" not in NGINX
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in server
    for uri, zone in (
        ("/compte/connexion/", "ptce_login"),
        ("/compte/mot-de-passe/oubli/", "ptce_password"),
        ("/compte/inscription/", "ptce_account"),
        ("/api/v1/dossiers/", "ptce_api"),
        ("/instruction/", "ptce_pages"),
    ):
        assert f"limit_req zone={zone} " in nginx_location(uri), uri
        assert f"zone={zone}:" in NGINX
    assert "limit_req_status 429;" in NGINX
    # nginx waits for gunicorn a little longer than gunicorn lets a worker run.
    assert int(re.search(r"proxy_read_timeout (\d+)s;", server).group(1)) > gunicorn_settings()["timeout"]


def test_nginx_answers_its_own_413_with_the_services_french_and_english_page(settings):
    """A body above every nginx limit never reaches the application: nginx shows a static page of the service."""
    [target] = re.findall(r"error_page\s+413\s+(\S+);", https_server())
    assert target.startswith("/static/")
    page = (ROOT / "static" / target.removeprefix("/static/")).read_text()
    assert '<html lang="fr">' in page and "Envoi trop volumineux" in page
    assert '<section lang="en"' in page and "Upload too large" in page
    megabytes = settings.ATTACHMENT_MAX_SIZE // (1024 * 1024)
    assert f"{megabytes} Mo" in page and f"{megabytes} MB" in page

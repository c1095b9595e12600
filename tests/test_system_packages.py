""".ci/system-packages, which `make run`, `make test` and CI run first: checked with a fake dpkg-query, id and
apt-get put in front of PATH, so that no real package is installed or looked up."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "system-packages"

FAKES = {
    # Every package is installed except those named in $MISSING_PACKAGES (the package is the last argument).
    "dpkg-query": """#!/bin/sh
for package; do :; done
case " $MISSING_PACKAGES " in
  *" $package "*) echo "dpkg-query: no packages found matching $package" >&2; exit 1 ;;
esac
printf installed
""",
    "id": '#!/bin/sh\necho "$FAKE_UID"\n',
    "apt-get": '#!/bin/sh\necho "$*" >> "$APT_CALLS"\necho "fake apt-get output"\nexit "${FAKE_APT_STATUS:-0}"\n',
}


@pytest.fixture
def run(tmp_path):
    fakes = tmp_path / "bin"
    fakes.mkdir()
    for name, text in FAKES.items():
        (fakes / name).write_text(text)
        (fakes / name).chmod(0o755)
    calls = tmp_path / "apt-calls"

    def run(*args, missing="", uid=0, apt_status=0):
        env = {
            **os.environ,
            "PATH": f"{fakes}:{os.environ['PATH']}",
            "MISSING_PACKAGES": missing,
            "FAKE_UID": str(uid),
            "FAKE_APT_STATUS": str(apt_status),
            "APT_CALLS": str(calls),
            "TMPDIR": str(tmp_path),
        }
        result = subprocess.run([SCRIPT, *args], env=env, capture_output=True, text=True, timeout=30)
        result.apt_calls = calls.read_text().splitlines() if calls.exists() else []
        return result

    return run


def test_system_packages_present_prints_nothing_and_installs_nothing(run):
    result = run(uid=0)

    assert (result.returncode, result.stdout, result.stderr, result.apt_calls) == (0, "", "", [])


def test_system_packages_missing_as_non_root_stops_with_the_command_to_run(run):
    result = run(missing="libharfbuzz-subset0 fonts-dejavu-core", uid=1000)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Missing system packages: libharfbuzz-subset0 fonts-dejavu-core",
        "Install them as root, then run make again:",
        "  sudo apt-get update && sudo apt-get install -y --no-install-recommends "
        "libharfbuzz-subset0 fonts-dejavu-core",
    ]
    assert result.apt_calls == []


def test_system_packages_missing_as_root_are_installed_with_apt_get(run):
    result = run(missing="libharfbuzz-subset0", uid=0)

    assert result.returncode == 0
    assert result.apt_calls == ["update", "install -y --no-install-recommends libharfbuzz-subset0"]
    assert len(result.stdout.splitlines()) == 1  # apt-get's own output goes to a log file
    assert result.stdout.startswith("Installing system packages: libharfbuzz-subset0 (apt-get output in ")


def test_system_packages_apt_get_failure_stops_with_its_output(run):
    result = run(missing="libharfbuzz-subset0", uid=0, apt_status=100)

    assert result.returncode == 1
    assert "fake apt-get output" in result.stderr
    assert "apt-get failed: see " in result.stderr


def test_system_packages_browser_ones_only_with_the_browser_flag(run):
    without_flag = run(missing="chromium poppler-utils", uid=1000)
    with_flag = run("--browser", missing="chromium poppler-utils", uid=1000)

    assert (without_flag.returncode, without_flag.stderr) == (0, "")
    assert with_flag.returncode == 1
    assert with_flag.stderr.splitlines()[0] == "Missing system packages: chromium poppler-utils"


def test_system_packages_nginx_only_with_the_bench_flag(run):
    without_flag = run(missing="nginx-light", uid=1000)
    with_flag = run("--bench", missing="nginx-light", uid=1000)

    assert (without_flag.returncode, without_flag.stderr) == (0, "")
    assert with_flag.returncode == 1
    assert with_flag.stderr.splitlines()[0] == "Missing system packages: nginx-light"


def test_make_run_make_test_and_ci_check_the_system_packages_first():
    def dry_run(target):
        return subprocess.run(
            ["make", "--dry-run", "--always-make", target], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.splitlines()

    def first(commands, text):
        return next(index for index, command in enumerate(commands) if text in command)

    run_commands = dry_run("run")
    test_commands = dry_run("test")

    assert first(run_commands, ".ci/system-packages") < first(run_commands, "manage.py migrate")
    assert first(test_commands, ".ci/system-packages") < first(test_commands, "-m pytest")
    assert ".ci/system-packages --browser\n" in (ROOT / ".ci" / "run").read_text()

import importlib
import os

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.db import connection
from hypothesis import settings as hypothesis_settings

from territories.loader import load_referential
from tests.accounts.factories import UserFactory
from tests.territories import cog_mini

# CI sets PTCE_REQUIRE_SERVICES=1: a test that would skip for a missing service (PostgreSQL, Redis,
# Chromium) fails instead, so that a green run always means "it ran".
REQUIRE_SERVICES = os.environ.get("PTCE_REQUIRE_SERVICES", "") == "1"


def require_service(available, reason):
    """Skip (locally) or fail (in CI) when a service the test needs is missing."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"service required in CI: {reason}")
    pytest.skip(reason)


pytest_plugins = ["tests.fuzz.summary"]

# The data migrations whose rows the pages and the demo need (sectors, default grids, the laureate history). A
# transactional test flushes the database when it ends and pytest-django's serialized rollback does not bring these
# rows back, so each transactional test that needs them seeds them again (the functions are idempotent).
SEED_DATA = [
    ("applications.migrations.0003_sectors", "create_sectors"),
    ("reviews.migrations.0002_default_grids", "create_default_grids"),
    ("reviews.migrations.0007_compagnons", "create_compagnons"),
    ("applications.migrations.0009_laureate_history_rows", "create_laureates"),
]


def seed_migration_data():
    for module, function in SEED_DATA:
        getattr(importlib.import_module(module), function)(django_apps, None)


# Hypothesis: "ci" (the default) is bounded and derandomized, without an example database, so that a run is
# reproducible; HYPOTHESIS_PROFILE=dev tries many more examples (tests/fuzz scales its examples per form with it).
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None, max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDIT_ARCHIVE_DIR = tmp_path / "audit-archives"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts and ends with an empty cache: the dashboards' figures, the API's rate limit and the company
    lookups are cached there (in memory, per process)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(db):
    """An instructeur (a module may define its own ``staff``)."""
    return UserFactory(instructeur=True)


def pytest_terminal_summary(terminalreporter):
    passed = len(terminalreporter.stats.get("passed", []))
    failed = len(terminalreporter.stats.get("failed", []))
    skipped = len(terminalreporter.stats.get("skipped", []))
    terminalreporter.write_line(
        f"Tests run on {connection.vendor} ({connection.settings_dict['NAME']}): "
        f"{passed} passed, {failed} failed, {skipped} skipped."
    )
    # Counts that suites report with record_property("count:<what>", n) (the security matrix's cases…), summed over
    # every test and xdist worker (the properties travel with the reports).
    counts = {}
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") != "call":
                continue
            for name, value in getattr(report, "user_properties", ()):
                if isinstance(name, str) and name.startswith("count:"):
                    counts[name[len("count:") :]] = counts.get(name[len("count:") :], 0) + value
    for name, total in sorted(counts.items()):
        terminalreporter.write_line(f"{name}: {total}")


@pytest.fixture
def referential(db):
    """The mini referential of tests/territories (Lyon, Villeurbanne, Saint-Étienne, Ajaccio…), loaded."""

    return load_referential(cog_mini.FIXTURE)

"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Chromium must be installed (`apt-get install chromium`, or `.ci/system-packages --browser` as root); without it
the tests skip locally, with one line at the end of the run that says so, and fail in CI (PTCE_REQUIRE_SERVICES=1).
Screenshots go to var/screenshots/ for a person to look at.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import require_service, seed_migration_data

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_TESTS = "tests/browser/"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be allowed here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    require_service(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def migration_data(request):
    if request.node.get_closest_marker("django_db") is None:
        return
    seed_migration_data()


@pytest.fixture
def page(chromium, live_server, settings):
    settings.SITE_URL = live_server.url
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    # Generous: CI has 2 cores, and a page that renders a PDF waited more than 10 s once under load.
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors in the page: {errors}"


def pytest_terminal_summary(terminalreporter):
    """Say how many pages the axe suites audited, and in one line, without -rs, that browser tests were skipped."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for name, audit in getattr(report, "user_properties", ()):
            if name == "axe_audits":
                configurations = audit["configurations"]
                terminalreporter.write_line(
                    f"axe-core, {audit['suite']}: {audit['pages']} pages × {len(configurations)} widths and themes "
                    f"({', '.join(configurations)}) = {audit['audits']} audits, {audit['violations']} violations."
                )
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if report.nodeid.startswith(BROWSER_TESTS) and isinstance(report.longrepr, tuple)
    ]
    if not skipped:
        return
    reasons = sorted({report.longrepr[2].removeprefix("Skipped: ") for report in skipped})
    terminalreporter.write_line(
        f"Browser tests skipped: {len(skipped)} ({'; '.join(reasons)}). "
        "To run them, install Chromium and poppler-utils: `.ci/system-packages --browser` as root."
    )


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page):
    """The violations on the page as it is now; axe is injected once per document (audit the same page again after
    resizing it or switching its theme). Only the violations are gathered in full (resultTypes), which halves the
    time of a run."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in violation["nodes"][:5])
        for violation in result["violations"]
    ]


def assert_accessible(page):
    violations = axe_violations(page)
    assert violations == [], "axe-core violations on " + page.url + ":\n" + "\n".join(violations)


def log_in(page, email, password):
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()

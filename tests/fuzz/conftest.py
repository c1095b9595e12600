"""The fuzz suite's world, and its figures printed at the end of the run: forms fuzzed and examples tried."""

import pytest

from applications.services import notices
from reviews.services import committee
from tests.fuzz.world import build_world


@pytest.fixture
def world(referential, monkeypatch):
    monkeypatch.setattr(notices, "html_to_pdf", lambda html: b"%PDF-1.7\n% letter\n%%EOF\n")
    monkeypatch.setattr(committee, "html_to_pdf", lambda html: b"%PDF-1.7\n% minutes\n%%EOF\n")
    return build_world()


def pytest_terminal_summary(terminalreporter):
    forms = examples = 0
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        if getattr(report, "when", "call") != "call":
            continue
        properties = dict(report.user_properties)
        forms += properties.get("fuzz_forms", 0)
        examples += properties.get("fuzz_examples", 0)
    if forms or examples:
        terminalreporter.write_line(f"Fuzz: {forms} forms fuzzed, {examples} hostile examples tried.")

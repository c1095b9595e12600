"""The fuzz suite's world (its figures are printed by tests/fuzz/summary.py, a plugin of tests/conftest.py)."""

import pytest

from applications.services import notices
from reviews.services import committee
from tests.fuzz.world import build_world


@pytest.fixture
def world(referential, monkeypatch):
    monkeypatch.setattr(notices, "html_to_pdf", lambda html: b"%PDF-1.7\n% letter\n%%EOF\n")
    monkeypatch.setattr(committee, "html_to_pdf", lambda html: b"%PDF-1.7\n% minutes\n%%EOF\n")
    return build_world()

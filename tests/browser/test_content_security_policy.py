"""The Content-Security-Policy in Chromium (issue 13, part 5): the enforced policy blocks nothing our pages load."""

import pytest
from django.urls import reverse

from tests.accounts.factories import PASSWORD
from tests.applications.factories import DossierFactory
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_pages_load_without_any_policy_violation(page):
    dossier = DossierFactory()
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))

    page.goto("/")
    log_in(page, dossier.owner.email, PASSWORD)
    page.goto("/espace/")
    response = page.goto(reverse("applications:dossier", kwargs={"reference": dossier.reference}))

    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert violations == []

"""A correction request seen by the porteur in Chromium: the banner, the named step only, the resubmission as a
new version, the thread. Every page is checked with axe-core and photographed.
"""

import datetime
import json
import re

import pytest
from django.utils import timezone

from applications.enums import DossierState
from applications.models import DossierVersion
from applications.services.corrections import request_corrections
from applications.services.submission import submit_dossier
from territories.loader import load_referential
from tests.accounts.factories import PASSWORD, UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.territories import cog_mini

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REASON = "La gouvernance ne dit pas comment la métropole participe au comité de pilotage."


@pytest.fixture
def dossier():
    load_referential(cog_mini.FIXTURE)
    dossier = DossierFactory(complete=True, phase=PhaseFactory(), name="Pôle Réemploi des Pentes")
    submit_dossier(dossier, by=dossier.owner)
    request_corrections(
        dossier,
        by=UserFactory(instructeur=True),
        reason=REASON,
        sections=["cooperation"],
        due_at=timezone.now() + datetime.timedelta(days=14),
    )
    return dossier


def visit(page, name):
    page.wait_for_load_state()
    screenshot(page, f"corrections-{name}")
    assert_accessible(page)


def test_the_porteur_corrects_the_named_step_and_submits_again(page, dossier):
    log_in(page, dossier.owner.email, PASSWORD)
    page.wait_for_url(re.compile(r"/espace/$"))
    page.goto(dossier.get_absolute_url())
    visit(page, "1-dossier")
    banner = page.locator("#corrections")
    assert "Corrections demandées" in banner.inner_text() and REASON in banner.inner_text()
    assert REASON in page.locator("main").inner_text()  # also in the thread

    # A step that was not named stays locked.
    page.goto(f"{dossier.get_absolute_url()}etapes/pole/")
    page.wait_for_load_state()
    assert "/etapes/pole/" not in page.url
    visit(page, "2-locked-step-refused")

    banner = page.locator("#corrections")
    banner.get_by_role("link", name=re.compile("Stratégie et gouvernance")).click()
    page.wait_for_url(re.compile(r"/etapes/cooperation/$"))
    visit(page, "3-named-step")
    page.locator("#id_governance").fill(
        "Un comité de pilotage mensuel où siègent la métropole (vice-présidente à l'ESS) et chaque membre."
    )
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state()

    page.goto(f"{dossier.get_absolute_url()}recapitulatif/")
    visit(page, "4-summary")
    page.get_by_role("button", name="Déposer à nouveau le dossier").click()
    page.wait_for_load_state()
    visit(page, "5-resubmitted")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    first, second = DossierVersion.objects.filter(dossier=dossier).order_by("number")
    # What was first submitted is kept as it was; the corrected text is in version 2.
    assert "vice-présidente à l'ESS" in json.dumps(second.data, ensure_ascii=False)
    assert "vice-présidente à l'ESS" not in json.dumps(first.data, ensure_ascii=False)

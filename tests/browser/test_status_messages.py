"""RGAA 7.5: the status messages that change without a new page are written into a live region (role="status",
role="alert" or aria-live) that was in the page before they changed, so that assistive technologies announce them:
the autosave status of a dossier step, the refusal of a file too large before it is sent. (The server-rendered
messages, the error summaries and the export's progress: tests/site/test_status_messages.py.) Checked on the DOM,
not with a screen reader."""

import pytest

from tests.accounts.factories import PASSWORD
from tests.applications.factories import DossierFactory
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Marks the live region as it is now (the node itself, not a copy), empty or not; LIVE_REGION_KEPT tells later
# whether the same node is still in the page, still a live region, and what it says.
MARK = """selector => {
  const region = document.querySelector(selector);
  if (!region) return null;
  region.dataset.seenBeforeChange = '1';
  return {
    live: region.matches('[role=status], [role=alert], [aria-live=polite], [aria-live=assertive]'),
    text: region.textContent.trim(),
  };
}"""
LIVE_REGION_KEPT = """selector => {
  const region = document.querySelector('[data-seen-before-change]');
  return region && region === document.querySelector(selector) ? region.textContent.trim() : null;
}"""


def test_the_autosave_status_is_announced_from_a_live_region_present_on_load(page):
    dossier = DossierFactory(name="Pôle des Annonces")
    log_in(page, dossier.owner.email, PASSWORD)
    page.goto(f"/dossiers/{dossier.reference}/etapes/pole/")
    before = page.evaluate(MARK, "[data-autosave-status]")
    assert before == {"live": True, "text": "Vos saisies sont enregistrées automatiquement au fil de l'eau."}

    page.get_by_label("Nom du pôle", exact=False).first.fill("Pôle des Annonces rebaptisé")

    # Until the save is answered (« Enregistrement… » first): a request still served when the test ends would hold
    # locks the flush of the test database then waits for (a deadlock seen in CI).
    page.wait_for_function(
        f"() => (({LIVE_REGION_KEPT})('[data-autosave-status]') || '').startsWith('Enregistré automatiquement le')",
        timeout=15_000,
    )
    after = page.evaluate(LIVE_REGION_KEPT, "[data-autosave-status]")
    assert after and after != before["text"]


def test_a_file_too_large_is_announced_from_a_live_region_present_before_the_choice(page, settings):
    settings.ATTACHMENT_MAX_SIZE = 4096
    dossier = DossierFactory()
    log_in(page, dossier.owner.email, PASSWORD)
    page.goto(f"/dossiers/{dossier.reference}/pieces/")
    assert page.evaluate(MARK, "#id_file-limit") == {"live": True, "text": ""}

    page.get_by_label("Type de pièce").select_option(value="statuts")
    page.locator("input[type=file]").set_input_files(
        {"name": "statuts.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"%" * 50_000}
    )

    assert page.evaluate(LIVE_REGION_KEPT, "#id_file-limit").startswith("Ce fichier dépasse la taille maximale")

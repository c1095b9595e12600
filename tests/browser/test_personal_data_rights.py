"""The person's rights on the account page, in Chromium: the account page's section, the deletion page (allowed with
the password asked, refused with the reasons and the retention periods), axe-core clean on each."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "un-mot-de-passe-solide-42"
SHOTS = Path("/tmp/shots-retention")


def porteur(**dossier):
    user = UserFactory(email="camille@example.fr")
    user.set_password(PASSWORD)
    user.save()
    DossierFactory(owner=user, name="Atelier de réemploi du Royans", **dossier)
    return user


def keep(path, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / f"{name}.png")


def test_account_page_and_deletion_with_the_password(page):
    porteur()
    log_in(page, "camille@example.fr", PASSWORD)
    page.goto("/compte/mon-compte/")
    section = page.get_by_role("heading", name="Vos données personnelles")
    section.scroll_into_view_if_needed()
    assert page.get_by_role("link", name="Télécharger toutes mes données (zip)").is_visible()
    assert_accessible(page)
    keep(screenshot(page, "retention-profile"), "profile")

    page.get_by_role("link", name="Supprimer mon compte").click()
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.get_by_text("Mot de passe incorrect.").first).to_be_visible()
    assert_accessible(page)
    keep(screenshot(page, "retention-delete-error"), "delete-error")

    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.get_by_text("Votre compte et vos brouillons ont été supprimés.")).to_be_visible()
    keep(screenshot(page, "retention-deleted"), "deleted")


def test_deletion_refused_after_a_submission(page):
    porteur(submitted=True)
    log_in(page, "camille@example.fr", PASSWORD)
    page.goto("/compte/mon-compte/supprimer/")
    assert page.get_by_role("heading", name="Votre compte ne peut pas être supprimé en ligne").is_visible()
    assert_accessible(page)
    keep(screenshot(page, "retention-delete-refused"), "delete-refused")

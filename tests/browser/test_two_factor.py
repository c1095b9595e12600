"""The second factor in Chromium: an instructeur enrols (QR code, recovery codes), then logs in with password and a
TOTP code computed here, and reaches /instruction/."""

import shutil
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.factories import PASSWORD, UserFactory, another_code, code_for, enrolled
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path("/tmp/shots-otp")


@pytest.fixture(autouse=True)
def _policy_on(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["instructeur", "administrateur"]
    settings.TWO_FACTOR_ADMIN_REQUIRED = True


def shot(page, name):
    path = screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def password_step(page, user):
    page.goto("/instruction/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_an_instructeur_logs_in_with_password_then_a_totp_code_and_reaches_instruction(page):
    user = UserFactory(instructeur=True, first_name="Sophie", last_name="Durand")
    device, _codes = enrolled(user)

    password_step(page, user)

    assert page.get_by_role("heading", name="Vérification en deux étapes").is_visible()
    assert "/compte/double-authentification/verification/?next=%2Finstruction%2F" in page.url
    page.get_by_label("Code de vérification").fill(another_code(code_for(device)))
    page.get_by_role("button", name="Vérifier").click()
    assert "Code incorrect ou déjà utilisé." in page.locator("#id_code-messages").inner_text()
    shot(page, "two-factor-verify-wrong-code")
    assert_accessible(page)
    page.wait_for_timeout(1100)  # django-otp's delay after a wrong code
    page.get_by_label("Code de vérification").fill(code_for(device))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url("**/instruction/")
    assert page.get_by_role("heading", level=1).first.is_visible()
    page.goto("/compte/mon-compte/")
    assert "Il vous reste 10 codes de secours." in page.content()
    shot(page, "two-factor-profile")
    assert_accessible(page)


def test_an_instructeur_without_second_factor_enrols_with_the_qr_code_and_keeps_recovery_codes(page):
    user = UserFactory(instructeur=True)

    password_step(page, user)

    assert page.get_by_role("heading", name="Activer la double authentification").is_visible()
    qr_code = page.get_by_role("img", name="QR code à scanner avec votre application d'authentification")
    box = qr_code.locator("svg").bounding_box()
    assert box["width"] > 150 and box["height"] > 150
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert page.locator("#totp-secret").inner_text().replace(" ", "") != ""
    shot(page, "two-factor-enrol")
    assert_accessible(page)
    page.get_by_label("Code à 6 chiffres").fill(code_for(device))
    page.get_by_role("button", name="Activer").click()

    assert page.get_by_role("heading", name="Vos codes de secours").is_visible()
    assert page.locator(".ptce-recovery-codes li").count() == 10
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les codes (fichier texte)").click()
    assert download.value.suggested_filename == "codes-de-secours-ami-ptce.txt"
    shot(page, "two-factor-recovery-codes")
    assert_accessible(page)
    page.locator("label[for=id_saved]").click()  # the DSFR label covers its checkbox
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/instruction/")


def test_the_verification_lock_page_is_french_and_accessible(page, settings):
    settings.TWO_FACTOR_FAILURE_LIMIT = 1
    user = UserFactory(instructeur=True)
    device, _codes = enrolled(user)

    password_step(page, user)
    page.get_by_label("Code de vérification").fill(another_code(code_for(device)))
    page.get_by_role("button", name="Vérifier").click()

    assert page.get_by_role("heading", name="Vérification temporairement bloquée").is_visible()
    assert "Réessayez dans 15 minutes." in page.content()
    shot(page, "two-factor-locked")
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter").last.click()
    page.goto("/instruction/")
    assert "/compte/connexion/" in page.url

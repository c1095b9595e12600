"""Odd input typed in Chromium (issue 9, item 5): a French decimal accepted, a negative FTE refused next to its
field, and the sign-up of an address that has an account answered like any other."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from tests.accounts.factories import PASSWORD, UserFactory
from tests.applications.factories import DossierFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_porteur_step_reads_a_french_decimal_and_refuses_a_negative_fte(page):
    dossier = DossierFactory()
    log_in(page, dossier.owner.email, PASSWORD)
    page.goto(f"/dossiers/{dossier.reference}/etapes/porteur/")
    fte = page.get_by_label(re.compile("ETP consacrés"))

    fte.fill("0,5")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state()

    dossier.refresh_from_db()
    assert dossier.animation_fte == Decimal("0.50")
    page.goto(f"/dossiers/{dossier.reference}/etapes/porteur/")  # the stored value, written the French way
    assert fte.input_value() == "0,50"
    screenshot(page, "input-fte-french-decimal")

    fte.fill("-1")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state()

    messages = page.locator("#id_animation_fte-messages")
    assert messages.inner_text().strip() == "Assurez-vous que cette valeur est supérieure ou égale à 0."
    assert fte.get_attribute("aria-invalid") == "true"
    dossier.refresh_from_db()
    assert dossier.animation_fte == Decimal("0.50")
    screenshot(page, "input-fte-negative-refused")
    assert_accessible(page)


def sign_up(page, email):
    page.goto("/compte/inscription/")
    page.locator("#id_email").fill(email)
    page.locator("#id_first_name").fill("Marie")
    page.locator("#id_last_name").fill("Curie")
    page.locator("#id_password1").fill("cooperation-territoriale")
    page.locator("#id_password2").fill("cooperation-territoriale")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(re.compile(r"/inscription/envoyee/$"))
    return page.locator("main").inner_text()


def test_signing_up_with_an_existing_address_looks_like_any_sign_up(page):
    UserFactory(email="marie.curie@example.fr", first_name="Marie")

    known = sign_up(page, "marie.curie@example.fr")
    screenshot(page, "input-signup-existing-address")
    page.context.clear_cookies()
    new = sign_up(page, "jeanne.barret@example.fr")
    screenshot(page, "input-signup-new-address")

    assert known.replace("marie.curie@example.fr", "jeanne.barret@example.fr") == new
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["marie.curie@example.fr"], "AMI PTCE — vous avez déjà un compte"),
        (["jeanne.barret@example.fr"], "AMI PTCE — confirmez votre adresse électronique"),
    ]
    assert_accessible(page)

import re

import pytest
from django.core import mail

from ptce_ami.accounts.models import User
from ptce_ami.site.data import rgaa
from tests.accounts.factories import PASSWORD, RegionFactory, UserFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROLE_HOMES = [
    ("porteur", "Mes dossiers"),
    ("evaluateur", "Mes évaluations"),
    ("partenaire", "Tableau de bord régional"),
    ("instructeur", "Instruction"),
    ("administrateur", "Instruction"),
]


def test_home_page_is_dsfr_and_accessible(page):
    page.goto("/")

    assert page.locator("header.fr-header .fr-header__service-title").inner_text() == "AMI PTCE"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Appel à manifestation d'intérêt")
    # The DSFR stylesheet is applied: the header uses Marianne.
    font = page.evaluate("getComputedStyle(document.querySelector('.fr-header__service-title')).fontFamily")
    assert "Marianne" in font
    # The footer says the level the audit's data gives (ptce_ami/site/data/rgaa.py): "totalement conforme" now.
    for link in (f"Accessibilité : {rgaa.conformity_level()}", "Mentions légales", "Données personnelles"):
        assert page.locator("footer").get_by_role("link", name=link).count() == 1
    screenshot(page, "foundation-home")
    assert_accessible(page)


@pytest.mark.parametrize(("role", "heading"), ROLE_HOMES)
def test_each_role_logs_in_and_lands_on_its_home_page(page, role, heading):
    user = UserFactory(**{role: True}, email=f"{role}@example.fr", regions=[RegionFactory()])

    log_in(page, user.email, PASSWORD)

    page.wait_for_url(re.compile(r"/espace/$"))
    assert page.get_by_role("heading", level=1).inner_text() == heading
    # DSFR's script copies the header tools into the mobile menu: the badge shows in the visible copy.
    assert page.locator(".fr-header__tools").get_by_text(user.get_role_display()).is_visible()
    screenshot(page, f"foundation-home-{role}")
    assert_accessible(page)


def test_signup_form_shows_errors_next_to_fields_then_signs_up(page):
    page.goto("/compte/inscription/")
    page.get_by_label("Adresse électronique").fill("marie@example.fr")
    page.get_by_label("Prénom").fill("Marie")
    page.get_by_label("Nom", exact=True).fill("Curie")
    page.locator("#id_password1").fill("cooperation-territoriale")
    page.locator("#id_password2").fill("autre-chose-tout-a-fait")
    page.get_by_role("button", name="Créer mon compte").click()

    error = page.locator("#id_password2").get_attribute("aria-describedby")
    messages = " ".join(page.locator(f"#{ident}").inner_text() for ident in error.split())
    assert "Les deux mots de passe ne sont pas identiques." in messages
    assert "Vous devez accepter" not in page.content()  # no consent asked: the basis is public interest (6.1.e)
    assert page.locator("#id_password2").get_attribute("aria-invalid") == "true"
    # What was typed is kept (passwords excepted).
    assert page.get_by_label("Prénom").input_value() == "Marie"
    screenshot(page, "foundation-signup-errors")
    assert_accessible(page)

    page.locator("#id_password1").fill("cooperation-territoriale")
    page.locator("#id_password2").fill("cooperation-territoriale")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(re.compile(r"/compte/inscription/envoyee/$"))
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)

    page.goto(link)

    page.wait_for_url(re.compile(r"/espace/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Mes dossiers"
    assert User.objects.get(email="marie@example.fr").email_confirmed


@pytest.mark.parametrize(
    "path", ["/compte/connexion/", "/accessibilite/", "/mentions-legales/", "/donnees-personnelles/"]
)
def test_public_pages_have_no_axe_violation(page, path):
    page.goto(path)

    assert_accessible(page)

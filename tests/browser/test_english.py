"""The interface in English, in Chromium (issue 14): a visitor chooses English with the header's switcher (DSFR's
translate component), keeps it through sign-in, and reads in English the home page, a form with its errors, the
porteur's summary and, for an instructeur whose account chose English, the instruction list. Each page announces
its language, shows no French label of the project's catalogue checked here, and has no axe violation."""

import re

import pytest
from playwright.sync_api import expect

from territories.loader import load_referential
from tests.accounts.factories import PASSWORD, UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.browser.conftest import assert_accessible, screenshot
from tests.territories import cog_mini

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def in_english(page):
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)


def test_a_visitor_switches_to_english_and_keeps_it_through_sign_in(page):
    load_referential(cog_mini.FIXTURE)
    phase = PhaseFactory()
    owner = UserFactory(email="lead@example.org")
    dossier = DossierFactory(owner=owner, phase=phase, complete=True)

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("button", name="FR", exact=True).click()  # DSFR: the code; "Choisir une langue" is its title
    page.get_by_role("button", name="EN - English").click()
    in_english(page)
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
    screenshot(page, "english-home")

    page.goto("/compte/inscription/")
    page.get_by_role("button", name="Create my account").click()
    in_english(page)
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    screenshot(page, "english-form-errors")

    page.goto("/compte/connexion/")
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/espace/$"))
    page.goto(f"/dossiers/{dossier.reference}/recapitulatif/")
    in_english(page)
    expect(page.get_by_role("heading", name="Summary and submission", level=2)).to_be_visible()
    screenshot(page, "english-summary")

    # The step form's script speaks the page's language too: its character counters and its autosave status.
    page.goto(f"/dossiers/{dossier.reference}/etapes/cooperation/")
    page.locator("#id_governance").fill("A monthly steering committee, decisions by consent.")
    page.get_by_text(re.compile("^Saved automatically on")).wait_for(timeout=8000)
    expect(page.locator("#id_governance-counter")).to_have_text(re.compile(r"^51 / [\d,]+ characters$"))
    owner.refresh_from_db()
    assert owner.language == "en"  # the account adopted the browser's choice at sign-in


def test_an_instructeur_who_chose_english_reads_the_instruction_list_in_english(page):
    load_referential(cog_mini.FIXTURE)
    phase = PhaseFactory(closed=True)
    for _ in range(3):
        DossierFactory(phase=phase, complete=True, submitted=True)
    agent = UserFactory(instructeur=True, email="agent@tresor.example.fr", language="en")

    page.goto("/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(agent.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/espace/$"))
    page.goto("/instruction/")
    in_english(page)
    expect(page.get_by_text("3 submitted applications match the filters")).to_be_visible()
    screenshot(page, "english-instruction-list")

"""A new project lead's whole journey in Chromium, from sign-up to the PDF receipt (issue 3 acceptance)."""

import hashlib
import re
import shutil
import subprocess

import pytest
from django.core import mail

from applications.models import Dossier
from territories.loader import load_referential
from tests.accounts.factories import PASSWORD as FACTORY_PASSWORD
from tests.applications.factories import PDF_BYTES, DossierFactory, PhaseFactory, siret_from
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.conftest import require_service
from tests.territories import cog_mini

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "cooperation-territoriale"


@pytest.fixture
def phase():
    load_referential(cog_mini.FIXTURE)
    return PhaseFactory()


def sign_up_and_confirm(page):
    page.goto("/compte/inscription/")
    page.locator("#id_email").fill("marie.curie@example.fr")
    page.locator("#id_first_name").fill("Marie")
    page.locator("#id_last_name").fill("Curie")
    page.locator("#id_organisation").fill("Association Coop des Rives")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(re.compile(r"/inscription/envoyee/$"))
    page.goto(re.search(r"https?://\S+", mail.outbox[-1].body).group(0))
    page.wait_for_url(re.compile(r"/espace/$"))


def choose_place(page, combobox_name, typed, option):
    combobox = page.get_by_role("combobox", name=re.compile(combobox_name))
    combobox.press_sequentially(typed)
    page.get_by_role("option", name=option).click()


def check(page, input_id):
    page.locator(f"label[for={input_id}]").click()


def continue_to(page, step_title, name):
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_load_state()
    assert page.locator(".fr-stepper__title").inner_text().startswith(step_title)
    screenshot(page, f"journey-{name}")
    assert_accessible(page)


def fill_pole(page):
    screenshot(page, "journey-1-pole")
    assert_accessible(page)
    page.locator("#id_name").fill("Pôle des Rives du Rhône")
    page.locator("#id_summary").fill("Une filière de réemploi entre Lyon et Villeurbanne.")
    check(page, "id_stage_1")
    check(page, "id_sectors_0")
    continue_to(page, "La structure porteuse", "2-porteur")


def fill_porteur(page):
    page.locator("#id_lead-name").fill("Association Coop des Rives")
    page.locator("#id_lead-siret").fill(siret_from(101))
    choose_place(page, "Commune du siège", "Lyo", "Lyon (69)")
    check(page, "id_lead-category_0")
    check(page, "id_lead-ess_legal_form_0")
    page.locator("#id_representative_name").fill("Marie Curie")
    continue_to(page, "Les membres du pôle", "3-membres")


def add_member(page, siret, name, commune, category_id, shot):
    page.get_by_role("link", name="Ajouter une structure").click()
    page.locator("#id_siret").fill(siret)
    page.locator("#id_name").fill(name)
    choose_place(page, "Commune", commune[:4], f"{commune} (69)")
    check(page, category_id)
    check(page, "id_role_0")
    if shot:
        screenshot(page, "journey-3-member-form")
        assert_accessible(page)
    page.get_by_role("button", name="Enregistrer la structure").click()
    page.wait_for_url(re.compile(r"/membres/$"))
    assert page.get_by_role("row", name=re.compile(name)).count() == 1


def fill_territory_and_texts(page):
    screenshot(page, "journey-4-territoire")
    assert_accessible(page)
    choose_place(page, "Territoire du pôle", "Lyo", "Lyon (69)")
    choose_place(page, "Territoire du pôle", "Villeur", "Villeurbanne (69)")
    check(page, "id_territory_type_2")
    continue_to(page, "Stratégie et gouvernance", "5-cooperation")
    for field in ("shared_strategy", "governance", "collectivites_link"):
        page.locator(f"#id_{field}").fill(f"Notre {field.replace('_', ' ')} : un texte précis et sincère.")
    continue_to(page, "Innovation, modèle économique et impact", "6-projet")
    for field in ("innovation", "economic_model", "expected_impact"):
        page.locator(f"#id_{field}").fill(f"Notre {field.replace('_', ' ')} : des faits et des chiffres.")
    continue_to(page, "Besoins d'accompagnement", "7-besoins")
    check(page, "id_bouquet_needs_0")
    continue_to(page, "Les pièces jointes", "8-pieces")


def upload(page, kind, filename):
    page.get_by_label("Type de pièce").select_option(value=kind)
    page.locator("input[type=file]").set_input_files(
        {"name": filename, "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_role("button", name="Ajouter la pièce").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"Pièce ajoutée : {filename}").count() == 1


def test_a_new_porteur_files_a_dossier_and_gets_the_receipt(page, phase, tmp_path):
    require_service(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    sign_up_and_confirm(page)
    page.get_by_role("button", name=re.compile("Créer un dossier")).click()
    page.wait_for_url(re.compile(r"/etapes/pole/$"))

    fill_pole(page)
    fill_porteur(page)
    add_member(page, siret_from(102), "Menuiserie Lyonnaise SAS", "Villeurbanne", "id_category_1", shot=True)
    add_member(page, siret_from(103), "Métropole de Lyon", "Lyon", "id_category_2", shot=False)
    screenshot(page, "journey-3-membres-list")
    assert_accessible(page)
    page.get_by_role("link", name="Continuer").click()
    fill_territory_and_texts(page)
    upload(page, "statuts", "statuts.pdf")
    upload(page, "attestation_honneur", "attestation.pdf")
    screenshot(page, "journey-8-pieces-uploaded")
    assert_accessible(page)
    page.get_by_role("link", name="Continuer").click()
    screenshot(page, "journey-9-engagements")
    assert_accessible(page)
    check(page, "id_charter_adherence")
    check(page, "id_certify_accurate")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    page.wait_for_url(re.compile(r"/recapitulatif/$"))
    assert page.get_by_role("heading", name="Le dossier est complet").count() == 1
    screenshot(page, "journey-summary")
    assert_accessible(page)
    page.get_by_role("button", name="Déposer le dossier").click()
    page.get_by_role("dialog", name=re.compile("Déposer le dossier")).wait_for()
    page.get_by_role("button", name="Confirmer le dépôt").click()
    page.wait_for_load_state()
    assert page.locator("main p", has_text=re.compile(r"Déposé le .* \(heure de Paris\)\.")).count() == 1
    screenshot(page, "journey-dossier-submitted")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Accusé de réception").click()
    pdf_path = tmp_path / "receipt.pdf"
    download.value.save_as(pdf_path)

    dossier = Dossier.objects.get()
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True).stdout
    assert dossier.reference in text
    assert hashlib.sha256(PDF_BYTES).hexdigest() in re.sub(r"\s+", "", text)
    assert "Menuiserie Lyonnaise SAS" in text
    assert [m.to for m in mail.outbox][-1] == ["marie.curie@example.fr"]


def test_autosave_keeps_typed_text_and_leaving_with_unsaved_text_asks_first(page, phase):

    dossier = DossierFactory(phase=phase)
    log_in(page, dossier.owner.email, FACTORY_PASSWORD)
    page.goto(f"/dossiers/{dossier.reference}/etapes/cooperation/")

    page.locator("#id_governance").fill("Un comité de pilotage mensuel, décisions au consentement.")
    page.get_by_text(re.compile("^Enregistré automatiquement le")).wait_for(timeout=8000)
    page.reload()

    assert page.locator("#id_governance").input_value() == "Un comité de pilotage mensuel, décisions au consentement."
    page.locator("#id_shared_strategy").fill("Texte pas encore enregistré")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]


def test_two_tabs_saving_the_same_step_the_second_is_refused_and_both_texts_shown(page, phase):

    dossier = DossierFactory(phase=phase)
    log_in(page, dossier.owner.email, FACTORY_PASSWORD)
    step = f"/dossiers/{dossier.reference}/etapes/projet/"
    page.goto(step)
    second_tab = page.context.new_page()
    second_tab.goto(step)

    page.locator("#id_innovation").fill("Version du premier onglet")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state()
    second_tab.locator("#id_innovation").fill("Version du second onglet")
    second_tab.get_by_role("button", name="Enregistrer", exact=True).click()
    second_tab.wait_for_load_state()

    assert second_tab.get_by_role("heading", name="Quelqu'un a modifié cette étape entre-temps").count() == 1
    assert second_tab.get_by_role("cell", name="Version du premier onglet").count() == 1
    assert second_tab.get_by_role("cell", name="Version du second onglet").count() == 1
    screenshot(second_tab, "journey-conflict")
    assert_accessible(second_tab)
    dossier.refresh_from_db()
    assert dossier.innovation == "Version du premier onglet"

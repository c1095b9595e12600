"""Phase 2 in Chromium (issue 11, item 5): a phase-1 laureate starts its phase-2 dossier, pre-filled from phase 1;
asks for its grant; types an unbalanced budget and sees each error at its row and at the year's total; balances
it; sees rules R08 and R11 on the summary and submits. axe-core on the budget step and the summary; screenshots.
"""

import re

import pytest
from django.core import mail
from django.utils import timezone

from applications.enums import AttachmentKind, DossierState, LaureateCall, PhaseKind
from applications.models import Dossier, LaureateRecord
from territories.loader import load_referential
from tests.accounts.factories import PASSWORD, UserFactory
from tests.applications.factories import AttachmentFactory, DossierFactory, EditionFactory, PhaseFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.territories import cog_mini

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def laureate():
    load_referential(cog_mini.FIXTURE)
    porteur = UserFactory(email="porteuse@example.fr", first_name="Camille", last_name="Martin")
    phase1 = PhaseFactory(edition=EditionFactory(year=2025), kind=PhaseKind.PHASE1)
    dossier = DossierFactory(
        phase=phase1,
        complete=True,
        owner=porteur,
        name="Pôle Réemploi des Pentes",
        state=DossierState.LAUREATE,
        submitted_at=timezone.now(),
    )
    PhaseFactory(phase2=True, edition=EditionFactory(year=2026))
    return dossier


def post(page, button):
    """Click the button that posts the page's form, and wait for the page the server answers."""
    with page.expect_navigation(timeout=30_000):
        page.get_by_role("button", name=button, exact=True).click()


def fill_row(page, prefix, index, year, category, amount, funder=None, status=None):
    page.locator(f'[name="{prefix}-{index}-year"]').select_option(str(year))
    page.locator(f'[name="{prefix}-{index}-category"]').select_option(category)
    page.locator(f'[name="{prefix}-{index}-amount"]').fill(amount)
    if funder is not None:
        page.locator(f'[name="{prefix}-{index}-funder"]').fill(funder)
    if status is not None:
        page.locator(f'[name="{prefix}-{index}-status"]').select_option(status)


def complete_the_rest(dossier):
    """The narrative steps of phase 2, the declarations and the attachment (their pages are tested elsewhere)."""
    Dossier.objects.filter(pk=dossier.pk).update(
        action_levers=["animation", "ingenierie"],
        action_plan="Recruter une animatrice, réunir les membres chaque mois.",
        staffing="Une animatrice à temps plein.",
        post_grant_plan="Cotisations des membres et prestations.",
        indicators="Nombre de structures coopérant, emplois créés.",
        charter_adherence=True,
        certify_accurate=True,
    )
    AttachmentFactory(dossier=dossier, kind=AttachmentKind.STATUTES)


def test_a_phase1_laureate_files_a_balanced_phase2_budget_and_submits(page, laureate):
    log_in(page, laureate.owner.email, PASSWORD)
    page.wait_for_url(re.compile(r"/espace/$"))

    row = page.get_by_role("row", name=re.compile("Pôle Réemploi des Pentes"))
    row.get_by_role("button", name=re.compile("Démarrer mon dossier de phase 2")).click()
    page.wait_for_url(re.compile(r"/dossiers/PTCE-2026-P2-\d+/$"))
    dossier = Dossier.objects.get(continues=laureate)
    assert page.get_by_text("Dossier de phase 2").first.is_visible()
    assert page.get_by_text("Pôle Réemploi des Pentes").first.is_visible()
    screenshot(page, "phase2-started")

    # The grant requested, within the phase's bounds (€30k–80k).
    page.goto(f"/dossiers/{dossier.reference}/etapes/aide/")
    page.get_by_label("Aide demandée pour l'année 1 (€)").fill("50 000")
    page.get_by_label("Aide demandée pour l'année 2 (€)").fill("40 000")
    post(page, "Enregistrer et continuer")
    assert page.get_by_text("L'aide demandée (90\u202f000\u202f€) dépasse le maximum de la phase").first.is_visible()
    page.get_by_label("Aide demandée pour l'année 2 (€)").fill("30 000")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(re.compile(r"/budget/$"))

    # An unbalanced budget: a co-financer without its funder nor status is refused at its row.
    fill_row(page, "charges", 0, 1, "personnel", "60 000")
    page.get_by_role("button", name="Ajouter une ligne de charges").click()  # in the page (JavaScript)
    assert page.locator('[name="charges-1-year"]').evaluate("element => element === document.activeElement")
    fill_row(page, "charges", 1, 2, "personnel", "50 000")
    fill_row(page, "resources", 0, 1, "collectivites", "5 000")
    post(page, "Enregistrer")
    funder_cell = page.locator('[name="resources-0-funder"]').locator("xpath=ancestor::td")
    assert funder_cell.get_by_text("Indiquez le financeur de cette ressource.").is_visible()
    status_cell = page.locator('[name="resources-0-status"]').locator("xpath=ancestor::td")
    assert status_cell.get_by_text("Indiquez si ce financement est acquis ou sollicité.").is_visible()
    assert page.locator('[name="charges-1-amount"]').input_value() == "50000"  # nothing typed is lost
    screenshot(page, "phase2-budget-line-errors")
    assert_accessible(page)

    page.locator('[name="resources-0-funder"]').fill("Métropole de Lyon")
    page.locator('[name="resources-0-status"]').select_option("acquis")
    post(page, "Enregistrer")
    year1 = page.locator("#budget-annee-1")
    assert year1.get_by_text(re.compile("Le budget de l'année 1 n'est pas équilibré")).is_visible()
    assert year1.get_by_text(re.compile("Il manque 5\u202f000\u202f€ de ressources")).is_visible()
    assert page.locator("#budget-annee-2").get_by_text(re.compile("Il manque 20\u202f000\u202f€")).is_visible()
    screenshot(page, "phase2-budget-unbalanced")
    assert_accessible(page)

    # Balanced: 5 000 more in year 1 from the métropole, 20 000 in year 2 from a foundation (requested).
    page.locator('[name="resources-0-amount"]').fill("10 000")
    page.get_by_role("button", name="Ajouter une ligne de ressources").click()
    fill_row(page, "resources", 1, 2, "prives", "20 000", funder="Fondation des Territoires", status="sollicite")
    post(page, "Enregistrer")
    assert page.get_by_text("Budget enregistré : il est équilibré.").is_visible()
    assert page.locator("#budget-total").get_by_text("Équilibré").is_visible()
    screenshot(page, "phase2-budget-balanced")
    assert_accessible(page)

    complete_the_rest(dossier)
    page.goto(f"/dossiers/{dossier.reference}/recapitulatif/")
    results = page.locator(".fr-table, ul, div").filter(has_text="Phase 2 : aide demandée et budget").first
    assert results.is_visible()
    assert page.get_by_text(f"Le pôle est lauréat de la phase 1 ({laureate.reference}, AMI PTCE 2025).").is_visible()
    assert page.get_by_text(
        re.compile(r"Aide demandée : 80\u202f000\u202f€ \(maximum : 80\u202f000\u202f€\)")
    ).is_visible()
    screenshot(page, "phase2-summary")
    assert_accessible(page)

    # The submission makes the receipt's PDF and runs the rules inline in tests: slow on a busy machine.
    with page.expect_navigation(url=re.compile(rf"/dossiers/{dossier.reference}/$"), timeout=60_000):
        page.get_by_role("button", name="Déposer le dossier").click()
        page.get_by_role("button", name="Confirmer le dépôt").click(no_wait_after=True)
    assert page.get_by_text("Votre dossier est déposé").is_visible()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    page.get_by_role("button", name="Budget prévisionnel").click()
    page.get_by_role("table", name="Totaux par année").wait_for(state="visible")
    screenshot(page, "phase2-submitted")
    assert_accessible(page)


def test_a_porteur_claims_a_phase1_laureate_of_the_history_by_email(page):
    load_referential(cog_mini.FIXTURE)
    PhaseFactory(phase2=True, edition=EditionFactory(year=2026))
    LaureateRecord.objects.create(
        year=2022,
        call="AMI 2022 phase 1",
        kind=LaureateCall.PHASE1,
        name="Pôle des Trois Vallées",
        lead="Association des Vallées",
        lead_siren="732829320",
        region_name="Auvergne-Rhône-Alpes",
        contact_email="contact@vallees.example.fr",
    )
    porteur = UserFactory(email="porteur@vallees.example.fr")
    log_in(page, porteur.email, PASSWORD)
    page.wait_for_url(re.compile(r"/espace/$"))

    page.get_by_role("link", name="Retrouver mon pôle lauréat").click()
    page.get_by_label("SIREN de la structure porteuse").fill("111 222 333")
    post(page, "Recevoir le lien")
    page.get_by_text("Aucun lauréat de la phase 1 d'une édition précédente ne correspond à ce SIREN").first.wait_for()
    screenshot(page, "phase2-claim-unknown-siren")
    assert_accessible(page)
    page.get_by_label("SIREN de la structure porteuse").fill("732 829 320")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.wait_for_url(re.compile(r"/laureat-phase-1/$"))
    page.get_by_role("heading", name="Lien envoyé").wait_for()
    assert page.get_by_text("Un lien a été envoyé à l'adresse de contact de « Pôle des Trois Vallées »").is_visible()
    assert_accessible(page)

    assert mail.outbox[-1].to == ["contact@vallees.example.fr"]
    link = re.search(r"https?://\S+/laureat-phase-1/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link[:-2] + "x/")  # the signature altered
    assert page.get_by_text("Ce lien n'est pas valide").is_visible()
    screenshot(page, "phase2-claim-bad-link")
    assert_accessible(page)
    page.goto(link)
    screenshot(page, "phase2-claim-confirm")
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer et démarrer le dossier de phase 2").click()
    page.wait_for_url(re.compile(r"/dossiers/PTCE-2026-P2-\d+/$"))
    assert page.get_by_role("heading", name="Pôle des Trois Vallées").is_visible()
    screenshot(page, "phase2-claimed")

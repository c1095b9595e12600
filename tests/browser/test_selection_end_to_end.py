"""The selection, end to end in Chromium: the acceptance test of issue 11, one continuous story on one dataset.

1. An instructeur opens the committee view of a closed phase 2 (envelope 150 000 €, 30 000–80 000 € per dossier),
   proposes two laureates within the envelope, is refused a third past it (the figures beside the amount), marks
   it not retained with a motivation instead, records the session, adopts the list, previews the outbox (letters
   and e-mails) and publishes.
2. Before the publication the porteur's dossier page shows no decision; after it, the laureate and the
   not-retained porteur each read their decision and download their letter (a PDF).
3. The publication opened the laureate's grant: the instructeur records the agreement date, the porteur files the
   interim report, the instructeur approves it; the tranche it waited for becomes payable and is recorded paid.
4. A phase-1 laureate (made by the workflow) starts its pre-filled phase-2 dossier from its dossier page on the
   open phase 2, types an unbalanced budget, sees the errors at the line and at the year, balances it and submits.

axe-core on the committee view, the publication preview, the budget step, the report form and the grant page;
every stage photographed (var/screenshots/e2e-*.png). The steps of each page are tested one by one in
test_committee_journey, test_phase2_journey and test_grant_journey; this test chains them.
"""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.enums import BudgetCategory, BudgetSide, DossierState, FundingStatus, PhaseKind, ReportKind
from applications.models import BudgetLine, Dossier, PaymentStage, ReportRequirement
from applications.services.budget import GRANT_FUNDER
from applications.services.workflow import transition
from reviews.enums import DecisionOutcome, GrantStatus, PaymentStatus, ReportStatus
from reviews.models import Decision, DossierScore, Grant
from territories.loader import load_referential
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_committee_journey import log_in_as, propose
from tests.browser.test_dossier_journey import check, upload
from tests.browser.test_phase2_journey import fill_row, post
from tests.reviews.factories import decide
from tests.reviews.grants_helpers import INDICATORS, SCHEDULE
from tests.territories import cog_mini

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LAUREATE_MOTIVATION = "Une coopération ancienne, une animation solide et des collectivités engagées."
SECOND_MOTIVATION = "Un pôle rural qui structure la filière bois avec trois communautés de communes."
REFUSAL = "La coopération repose encore sur deux structures ; le budget d'animation n'est pas distinct."
NBSP = "\u202f"


def requested_budget(dossier, year1, year2):
    """A balanced two-year budget whose aid requested under the call is ``year1 + year2``."""
    for year, amount in ((1, year1), (2, year2)):
        BudgetLine.objects.create(
            dossier=dossier, year=year, side=BudgetSide.CHARGES, category=BudgetCategory.STAFF, amount=amount
        )
        BudgetLine.objects.create(
            dossier=dossier,
            year=year,
            side=BudgetSide.RESOURCES,
            category=BudgetCategory.AMI_GRANT,
            amount=amount,
            funder=GRANT_FUNDER,
            status=FundingStatus.REQUESTED,
        )


@pytest.fixture
def story():
    load_referential(cog_mini.FIXTURE)
    instructeur = UserFactory(instructeur=True, email="agent@tresor.example.fr", first_name="Inès", last_name="Roy")
    camille = UserFactory(email="camille@example.fr", first_name="Camille", last_name="Martin")
    louis = UserFactory(email="louis@example.fr", first_name="Louis", last_name="Bernard")
    sacha = UserFactory(email="sacha@example.fr", first_name="Sacha", last_name="Petit")

    # The phase 2 the committee decides on: closed, 150 000 €, 30 000–80 000 € per dossier, its schedule and reports.
    committee_phase = PhaseFactory(
        edition=EditionFactory(year=2025, name="AMI PTCE 2025", envelope=None),
        kind=PhaseKind.PHASE2,
        envelope=Decimal(150_000),
        max_laureates=10,
        min_grant=Decimal(30_000),
        max_grant=Decimal(80_000),
        closed=True,
    )
    for position, (label, percent, condition) in enumerate(SCHEDULE, start=1):
        PaymentStage.objects.create(
            phase=committee_phase, position=position, label=label, percent=percent, condition=condition
        )
    ReportRequirement.objects.create(phase=committee_phase, kind=ReportKind.INTERIM, due_months=12)
    ReportRequirement.objects.create(phase=committee_phase, kind=ReportKind.FINAL, due_months=24)
    candidates = []
    for index, (name, owner, score, year1, year2) in enumerate(
        [
            ("Pôle Réemploi des Pentes", camille, 84, 50_000, 30_000),
            ("Pôle Bois des Monts", None, 76, 40_000, 20_000),
            ("Pôle du Plateau", louis, 61, 30_000, 20_000),
        ],
        start=1,
    ):
        dossier = DossierFactory(
            complete=True,
            submitted=True,
            phase=committee_phase,
            reference=f"PTCE-2025-P2-{index:04d}",
            name=name,
            indicators=INDICATORS,
            **({"owner": owner} if owner else {}),
        )
        requested_budget(dossier, Decimal(year1), Decimal(year2))
        for action in ("start_review", "declare_eligible"):
            transition(dossier, action, by=instructeur)
        DossierScore.objects.create(dossier=dossier, value=Decimal(score), spread=Decimal(5), review_count=2)
        candidates.append(dossier)

    # A phase-1 laureate of 2024 (declared so through the workflow) and the phase 2 open now.
    phase1 = PhaseFactory(edition=EditionFactory(year=2024, name="AMI PTCE 2024"), kind=PhaseKind.PHASE1, closed=True)
    pioneer = DossierFactory(
        complete=True,
        submitted=True,
        phase=phase1,
        owner=sacha,
        name="Pôle des Coteaux",
        reference="PTCE-2024-P1-0007",
    )
    decide(pioneer, outcome=DecisionOutcome.LAUREATE, by=instructeur)
    PhaseFactory(phase2=True, edition=EditionFactory(year=2026, name="AMI PTCE 2026"))
    return {
        "phase": committee_phase,
        "candidates": candidates,
        "pioneer": pioneer,
        "instructeur": instructeur,
        "camille": camille,
        "louis": louis,
        "sacha": sacha,
    }


def flat(text):
    return " ".join(text.replace(NBSP, " ").split())


def download_letter(page):
    decision = page.locator("#decision")
    with page.expect_download() as download:
        decision.get_by_role("link", name="Télécharger la lettre de décision").click()
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"


def submit(page, button):
    """Click the button that posts its form, and wait for the page the server answers. A busy machine is slow: the
    publication renders the decision letters' PDFs inline (tasks run eagerly in tests), which took over 10 s once, so
    the click's own wait for the navigation gets the same minute as the navigation."""
    with page.expect_navigation(timeout=60_000):
        button.click(timeout=60_000)


def fill_the_other_phase2_steps(page, dossier):
    """The narrative steps of phase 2, the statutes and the commitments, typed as the porteur does."""
    page.goto(f"/dossiers/{dossier.reference}/etapes/plan/")
    check(page, "id_action_levers_0")
    page.locator("#id_action_plan").fill("Recruter une animatrice, réunir les membres chaque mois, ouvrir un atelier.")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(re.compile(r"/moyens/$"))
    page.locator("#id_staffing").fill("Une animatrice à temps plein, une chargée de mission à mi-temps.")
    page.locator("#id_staffing_fte").fill("1.5")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(re.compile(r"/aide/$"))
    page.goto(f"/dossiers/{dossier.reference}/etapes/apres/")
    page.locator("#id_post_grant_plan").fill("Cotisations des membres, prestations et la communauté de communes.")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(re.compile(r"/indicateurs/$"))
    page.locator("#id_indicators").fill("- Structures coopérant\n- Emplois créés ou consolidés")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(re.compile(r"/pieces/$"))
    upload(page, "statuts", "statuts.pdf")
    page.goto(f"/dossiers/{dossier.reference}/etapes/engagements/")
    check(page, "id_charter_adherence")
    check(page, "id_certify_accurate")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(re.compile(r"/recapitulatif/$"))


def test_selection_end_to_end(page, story):
    pentes, monts, plateau = story["candidates"]
    today = timezone.localdate().isoformat()  # the committee meets, the agreement is signed and paid today

    # 1. The committee selects within the envelope and is refused past it.
    log_in_as(page, story["instructeur"])
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Comité de sélection").click()
    page.get_by_role("link", name=re.compile("AMI PTCE 2025")).click()
    page.wait_for_url(re.compile(r"/instruction/comite/phases/\d+/$"))
    assert page.locator("#candidats tbody tr").count() == 3
    screenshot(page, "e2e-1-committee-view")
    assert_accessible(page)

    propose(page, pentes.reference, "Lauréat", LAUREATE_MOTIVATION, amount="80 000")
    assert page.get_by_text(f"Proposition enregistrée pour le dossier {pentes.reference}.").is_visible()
    propose(page, monts.reference, "Lauréat", SECOND_MOTIVATION, amount="60 000")
    assert page.locator("#enveloppe").get_by_text(f"Reste : 10{NBSP}000{NBSP}€").is_visible()

    propose(page, plateau.reference, "Lauréat", "Un projet prometteur.", amount="50 000")
    error = page.locator(".fr-input-group", has=page.locator("#id_amount")).locator(".fr-message--error")
    assert flat(error.inner_text()) == "Enveloppe dépassée : 140 000 € déjà proposés + 50 000 € > 150 000 €."
    screenshot(page, "e2e-1-refused-past-the-envelope")
    assert not Decision.objects.filter(dossier=plateau).exists()
    page.locator("label", has_text="Non retenu").first.click()
    page.get_by_label("Montant de l'aide (€)").fill("")
    page.get_by_label("Motivation").fill(REFUSAL)
    submit(page, page.get_by_role("button", name="Enregistrer la proposition"))
    assert page.get_by_text(f"Proposition enregistrée pour le dossier {plateau.reference}.").is_visible()
    screenshot(page, "e2e-1-committee-proposed")

    page.get_by_role("link", name="Enregistrer une séance du comité").click()
    page.get_by_label("Date du comité").fill(today)
    page.get_by_label("Membres présents").fill("Mme Anne Durand, DG Trésor\nM. Paul Martin, Banque des Territoires")
    page.get_by_label("Relevé des échanges").fill("Trois dossiers examinés ; l'enveloppe ne permet que deux lauréats.")
    page.get_by_role("button", name="Enregistrer le comité").click()
    submit(page, page.get_by_role("button", name="Adopter la liste"))
    assert page.get_by_text("La liste est adoptée.").is_visible()
    session_url = page.url
    screenshot(page, "e2e-1-session-adopted")

    # 2a. Adopted but not published: the porteur sees no decision on the dossier's page.
    log_in_as(page, story["camille"])
    page.goto(f"/dossiers/{pentes.reference}/")
    assert page.get_by_role("heading", name=re.compile("Pôle Réemploi des Pentes")).first.is_visible()
    assert page.locator("#decision").count() == 0
    assert LAUREATE_MOTIVATION not in page.content()
    assert "Décision du comité" not in page.content()
    assert "Lettre de décision" not in page.content()
    assert page.locator("#mon-aide").count() == 0
    screenshot(page, "e2e-2-porteur-before-publication")

    # 1 (end). The instructeur previews the outbox and publishes.
    log_in_as(page, story["instructeur"])
    page.goto(session_url)
    page.get_by_role("link", name="Préparer la publication").click()
    page.wait_for_url(re.compile(r"/publication/$"))
    outbox = page.locator("#boite-d-envoi > li")
    assert outbox.count() == 3
    page.locator("summary", has_text="camille@example.fr").click()
    assert page.get_by_text(f"AMI PTCE — un document est disponible pour le dossier {pentes.reference}").is_visible()
    screenshot(page, "e2e-1-publication-preview")
    assert_accessible(page)
    submit(page, page.get_by_role("button", name="Publier les décisions et envoyer"))
    assert page.get_by_text("3 décisions publiées").is_visible()
    screenshot(page, "e2e-1-published")
    pentes.refresh_from_db()
    plateau.refresh_from_db()
    assert (pentes.state, plateau.state) == (DossierState.LAUREATE, DossierState.NOT_RETAINED)

    # 3a. The publication opened the grants; the instructeur records the agreement date of the Pentes' one.
    grant = Grant.objects.get(decision__dossier=pentes)
    assert grant.amount == Decimal(80_000)
    assert Grant.objects.filter(decision__dossier=monts).exists()
    assert not Grant.objects.filter(decision__dossier=plateau).exists()
    page.locator("#main-navigation").get_by_role("link", name="Aides", exact=True).click()
    page.wait_for_url(re.compile(r"/instruction/aides/"))
    page.get_by_role("link", name="Pôle Réemploi des Pentes").click()
    page.wait_for_url(re.compile(rf"/instruction/aides/{pentes.reference}/$"))
    assert page.get_by_text("pas encore enregistrée").is_visible()
    page.get_by_label("Date de signature de la convention").fill(today)
    submit(page, page.get_by_role("button", name="Enregistrer la date de signature"))
    payments = page.locator("#versements tbody tr")
    assert payments.nth(0).get_by_text("À verser").is_visible()
    assert payments.nth(1).get_by_text("Prévue").is_visible()
    screenshot(page, "e2e-3-grant-signed")
    assert_accessible(page)

    # 2b. The laureate reads the decision, downloads the letter, and files the interim report from « Mon aide ».
    log_in_as(page, story["camille"])
    page.goto(f"/dossiers/{pentes.reference}/")
    decision = page.locator("#decision")
    assert decision.get_by_text("Décision du comité de sélection : Lauréat").is_visible()
    assert decision.get_by_text(LAUREATE_MOTIVATION).is_visible()
    assert decision.get_by_text(f"Aide accordée : 80{NBSP}000{NBSP}€.").is_visible()
    screenshot(page, "e2e-2-laureate-decision")
    download_letter(page)

    section = page.locator("#mon-aide")
    assert section.get_by_role("row", name=re.compile("Premier versement")).get_by_text("À verser").is_visible()
    section.get_by_role("link", name="Rapport intermédiaire").click()
    page.wait_for_url(re.compile(r"/aide/rapports/interim/$"))
    page.get_by_label("Bilan des actions menées").fill("Six ateliers de réemploi animés avec la métropole.")
    page.get_by_label("Nombre de membres actifs").fill("24")
    page.get_by_label("Emplois créés ou consolidés").fill("3")
    page.get_by_label("Personnel (animation, coordination)").fill("45 000")
    for label in ("Fonctionnement", "Prestations", "Déplacements", "Investissement", "Autres charges"):
        page.get_by_label(label).fill("0")
    screenshot(page, "e2e-3-report-form")
    assert_accessible(page)
    page.get_by_role("button", name="Déposer le rapport").click()
    page.wait_for_url(re.compile(rf"/dossiers/{pentes.reference}/"))
    assert page.get_by_text("Votre rapport est déposé").is_visible()
    assert grant.reports.get(kind=ReportKind.INTERIM).status == ReportStatus.SUBMITTED

    # 2c. The not-retained porteur reads the motivation and downloads the letter.
    log_in_as(page, story["louis"])
    page.goto(f"/dossiers/{plateau.reference}/")
    decision = page.locator("#decision")
    assert decision.get_by_text("Décision du comité de sélection : Non retenu").is_visible()
    assert decision.get_by_text(REFUSAL).is_visible()
    screenshot(page, "e2e-2-not-retained-decision")
    download_letter(page)

    # 4. A phase-1 laureate starts its phase-2 dossier, pre-filled, from its dossier's page.
    pioneer = story["pioneer"]
    log_in_as(page, story["sacha"])
    page.goto(f"/dossiers/{pioneer.reference}/")
    page.locator("#phase-2").get_by_role("button", name="Démarrer mon dossier de phase 2").click()
    page.wait_for_url(re.compile(r"/dossiers/PTCE-2026-P2-\d+/$"))
    follow_up = Dossier.objects.get(continues=pioneer)
    assert follow_up.phase.kind == PhaseKind.PHASE2
    assert page.get_by_text("Dossier de phase 2").first.is_visible()
    assert page.get_by_text("Pôle des Coteaux").first.is_visible()
    assert follow_up.members.count() == pioneer.members.count() == 3
    screenshot(page, "e2e-4-phase2-started")

    page.goto(f"/dossiers/{follow_up.reference}/etapes/aide/")
    page.get_by_label("Aide demandée pour l'année 1 (€)").fill("50 000")
    page.get_by_label("Aide demandée pour l'année 2 (€)").fill("30 000")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(re.compile(r"/budget/$"))

    # Unbalanced, and a co-financer without its funder nor its status: the errors at the line.
    fill_row(page, "charges", 0, 1, "personnel", "60 000")
    page.get_by_role("button", name="Ajouter une ligne de charges").click()  # in the page (JavaScript)
    fill_row(page, "charges", 1, 2, "personnel", "30 000")
    fill_row(page, "resources", 0, 1, "collectivites", "5 000")
    post(page, "Enregistrer")
    funder_cell = page.locator('[name="resources-0-funder"]').locator("xpath=ancestor::td")
    assert funder_cell.get_by_text("Indiquez le financeur de cette ressource.").is_visible()
    status_cell = page.locator('[name="resources-0-status"]').locator("xpath=ancestor::td")
    assert status_cell.get_by_text("Indiquez si ce financement est acquis ou sollicité.").is_visible()
    screenshot(page, "e2e-4-budget-line-errors")
    assert_accessible(page)

    page.locator('[name="resources-0-funder"]').fill("Communauté de communes des Coteaux")
    page.locator('[name="resources-0-status"]').select_option("acquis")
    post(page, "Enregistrer")
    year1 = page.locator("#budget-annee-1")
    assert year1.get_by_text(re.compile("Le budget de l'année 1 n'est pas équilibré")).is_visible()
    assert year1.get_by_text(re.compile(f"Il manque 5{NBSP}000{NBSP}€ de ressources")).is_visible()
    screenshot(page, "e2e-4-budget-unbalanced")

    page.locator('[name="resources-0-amount"]').fill("10 000")
    post(page, "Enregistrer")
    assert page.get_by_text("Budget enregistré : il est équilibré.").is_visible()
    assert page.locator("#budget-total").get_by_text("Équilibré").is_visible()
    screenshot(page, "e2e-4-budget-balanced")
    assert_accessible(page)

    fill_the_other_phase2_steps(page, follow_up)
    assert page.get_by_text(f"Le pôle est lauréat de la phase 1 ({pioneer.reference}, AMI PTCE 2024).").is_visible()
    # The submission makes the receipt's PDF and runs the rules inline in tests: slow on a busy machine.
    with page.expect_navigation(url=re.compile(rf"/dossiers/{follow_up.reference}/$"), timeout=60_000):
        page.get_by_role("button", name="Déposer le dossier").click()
        page.get_by_role("button", name="Confirmer le dépôt").click(no_wait_after=True)
    assert page.get_by_text("Votre dossier est déposé").is_visible()
    follow_up.refresh_from_db()
    assert follow_up.state == DossierState.SUBMITTED
    screenshot(page, "e2e-4-phase2-submitted")

    # 3b. The instructeur approves the report: the second tranche becomes payable and is recorded paid.
    log_in_as(page, story["instructeur"])
    page.goto(f"/instruction/aides/{pentes.reference}/")
    assert page.get_by_text("Six ateliers de réemploi animés avec la métropole.").is_visible()
    assert page.locator("#versements tbody tr").nth(1).get_by_text("Prévue").is_visible()
    assert grant.payments.get(position=2).status == PaymentStatus.SCHEDULED
    page.locator("#rapports").get_by_text("Approuver le rapport").click()
    submit(page, page.locator("#rapports").get_by_role("button", name="Enregistrer l'examen"))
    assert page.get_by_text("Le rapport est approuvé").is_visible()
    assert page.locator("#versements tbody tr").nth(1).get_by_text("À verser").is_visible()
    assert grant.payments.get(position=2).status == PaymentStatus.PAYABLE
    page.get_by_label("Date du versement « Deuxième versement »").fill(today)
    submit(page, page.locator("#versements").get_by_role("button", name="Enregistrer le versement").last)
    assert page.get_by_text("Le versement « Deuxième versement » est enregistré.").is_visible()
    rows = page.locator("#versements tbody tr")
    assert rows.nth(0).get_by_text("À verser").is_visible()
    assert rows.nth(1).get_by_text("Versée").is_visible()
    assert rows.nth(2).get_by_text("Prévue").is_visible()  # the balance still waits for the final report
    assert grant.payments.get(position=2).status == PaymentStatus.PAID
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE
    screenshot(page, "e2e-3-grant-paid")
    assert_accessible(page)

"""Instruction and review in Chromium (issue 5 acceptance): an instructeur filters the list, starts the review
and assigns reviewers automatically; the reviewer confirms there is no conflict, scores and submits; the
instructeur declares the dossier eligible; the regional partner gives the opinion and the rank. Every page is
checked with axe-core and photographed.
"""

import re

import pytest
from django.utils import timezone

from applications.enums import DossierState
from applications.models import Dossier
from reviews.models import Assignment, AssignmentStatus, RegionalOpinion, Review, ReviewStatus
from territories.loader import load_referential
from tests.accounts.factories import PASSWORD, RegionFactory, UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory, siret_from
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.reviews.factories import DeclarationFactory
from tests.territories import cog_mini

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def call():
    load_referential(cog_mini.FIXTURE)
    phase = PhaseFactory()
    dossiers = [
        DossierFactory(
            complete=True, phase=phase, name=name, state=DossierState.SUBMITTED, submitted_at=timezone.now()
        )
        for name in ("Pôle Réemploi des Pentes", "Coopérative des Monts du Lyonnais")
    ]
    reviewer = UserFactory(evaluateur=True, email="experte@example.fr", first_name="Ada", last_name="Lovelace")
    DeclarationFactory(reviewer=reviewer, edition=phase.edition, sirets=[siret_from(987654)])
    return {
        "phase": phase,
        "dossiers": dossiers,
        "instructeur": UserFactory(instructeur=True, email="agent@tresor.example.fr"),
        "reviewer": reviewer,
        "partner": UserFactory(partenaire=True, email="cress@example.fr", regions=[RegionFactory(code="84")]),
    }


def visit(page, name):
    page.wait_for_load_state()
    screenshot(page, f"instruction-{name}")
    assert_accessible(page)


def log_out_and_in(page, email):
    page.context.clear_cookies()
    log_in(page, email, PASSWORD)
    page.wait_for_url(re.compile(r"/espace/$"))


def test_instruction_review_and_regional_opinion(page, call):
    first, second = call["dossiers"]

    # The instructeur filters the list on the submitted dossiers and starts the review of the first one.
    log_out_and_in(page, "agent@tresor.example.fr")
    page.goto("/instruction/")
    visit(page, "1-list")
    page.locator("#filtres").get_by_text("Déposé", exact=True).click()
    page.locator("#filtres").get_by_role("button", name="Appliquer les filtres").click()
    page.wait_for_url(re.compile(r"state=submitted"))
    assert page.get_by_role("link", name=first.reference).is_visible()
    # The DSFR checkbox is drawn by its (visually empty) label: tick the input itself.
    page.get_by_label(f"Sélectionner le dossier {first.reference}").check(force=True)
    page.get_by_role("button", name="Démarrer l'instruction").click()
    page.wait_for_load_state()
    visit(page, "2-review-started")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (DossierState.IN_REVIEW, DossierState.SUBMITTED)

    # Automatic assignment: preview, then apply.
    page.goto("/instruction/affectations/automatique/")
    page.get_by_label("Phase").select_option(str(call["phase"].pk))
    page.get_by_label("Évaluateurs par dossier").fill("1")
    page.get_by_role("button", name="Prévisualiser l'affectation").click()
    page.wait_for_load_state()
    visit(page, "3-auto-preview")
    assert Assignment.objects.count() == 0
    page.get_by_role("button", name=re.compile(r"^Appliquer")).click()
    page.wait_for_load_state()
    visit(page, "4-auto-applied")
    assignment = Assignment.objects.get()
    assert (assignment.dossier, assignment.reviewer) == (first, call["reviewer"])

    # The staff dossier page, with the assignment on it.
    page.goto(f"/instruction/dossiers/{first.reference}/")
    visit(page, "5-staff-dossier")
    assert "Lovelace" in page.content()

    # The reviewer confirms there is no conflict, then scores on the grid and submits.
    log_out_and_in(page, "experte@example.fr")
    page.goto("/instruction/evaluations/")
    visit(page, "6-reviewer-queue")
    page.get_by_role("link", name=re.compile("Confirmer l'absence de conflit")).click()
    page.wait_for_load_state()
    visit(page, "7-confirm")
    page.get_by_text("Je n'ai aucun conflit d'intérêts").click()
    page.get_by_role("button", name="Valider ma réponse").click()
    page.wait_for_url(re.compile(rf"/instruction/evaluations/{assignment.pk}/$"))
    visit(page, "8-scoring")
    # Submitting an empty grid: the errors are shown next to the fields, nothing is lost.
    page.get_by_role("button", name="Rendre l'évaluation", exact=True).click()
    page.wait_for_load_state()
    visit(page, "9-scoring-errors")
    for fieldset in page.locator("fieldset:has(input[name^=level_])").all():
        fieldset.locator("label[for$='_3']").first.click()
    page.locator("label", has_text="Favorable avec réserves").first.click()
    page.get_by_label("Appréciation générale").fill(
        "Une coopération solide ; le modèle économique reste à consolider."
    )
    page.get_by_role("button", name="Rendre l'évaluation", exact=True).click()
    page.wait_for_load_state()
    visit(page, "10-review-confirm")
    assert Review.objects.get().status == ReviewStatus.DRAFT
    assert page.locator("#resume").get_by_text("Note : 75,00 / 100").is_visible()
    page.get_by_role("button", name="Confirmer et rendre l'évaluation").click()
    page.wait_for_load_state()
    visit(page, "10-review-submitted")
    review = Review.objects.get()
    assert review.status == ReviewStatus.SUBMITTED and review.total == 75
    assert Assignment.objects.get().status == AssignmentStatus.SUBMITTED

    # The instructeur declares the dossier eligible.
    log_out_and_in(page, "agent@tresor.example.fr")
    page.goto(f"/instruction/dossiers/{first.reference}/")
    page.get_by_role("link", name="Déclarer recevable").click()
    page.wait_for_load_state()
    visit(page, "11-declare-eligible")
    page.locator("main form[method=post] [type=submit]").last.click()
    page.wait_for_url(re.compile(rf"/instruction/dossiers/{first.reference}/$"))
    first.refresh_from_db()
    assert first.state == DossierState.ELIGIBLE
    visit(page, "12-staff-dossier-eligible")

    # The regional partner gives the opinion and the rank; the other region's dossiers stay out of sight.
    log_out_and_in(page, "cress@example.fr")
    page.goto("/instruction/evaluations/avis-regionaux/")
    visit(page, "13-regional-list")
    page.get_by_role("link", name=re.compile(first.reference)).first.click()
    page.wait_for_load_state()
    page.locator("label", has_text="Favorable").first.click()
    page.get_by_label("Motivation de l'avis").fill("Pôle reconnu par la CRESS ; fort ancrage dans la métropole.")
    page.get_by_label("Rang dans la région").fill("1")
    visit(page, "14-regional-form")
    page.get_by_role("button", name="Enregistrer l'avis").click()
    page.wait_for_load_state()
    visit(page, "15-regional-saved")
    opinion = RegionalOpinion.objects.get()
    assert (opinion.dossier_id, opinion.opinion, opinion.rank) == (first.pk, "favourable", 1)
    assert Dossier.objects.visible_to(call["partner"]).count() == 2

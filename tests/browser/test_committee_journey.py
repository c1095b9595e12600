"""The selection committee in Chromium (issue 11, items 2 and 3): an instructeur opens the committee view of a
phase-2 call, proposes a laureate within the envelope, is refused a second one past it (the figures beside the
amount), marks it not retained instead, records the session and adopts the list, previews the outbox (letters and
e-mails) and publishes. The porteur then finds the decision on the dossier's page and downloads the letter. The
committee view and the publication preview are checked with axe-core; every step is photographed.
"""

import re
from decimal import Decimal

import pytest

from applications.enums import DossierState, PhaseKind
from reviews.models import DossierScore
from territories.loader import load_referential
from tests.accounts.factories import PASSWORD, UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.territories import cog_mini

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LAUREATE_MOTIVATION = "Une coopération ancienne, une animation solide et des collectivités engagées."
REFUSAL = "La coopération repose encore sur deux structures ; le budget d'animation n'est pas distinct."


def log_in_as(page, user):
    page.context.clear_cookies()
    log_in(page, user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/espace/$"))


@pytest.fixture
def call():
    load_referential(cog_mini.FIXTURE)
    phase = PhaseFactory(
        edition=EditionFactory(year=2023, name="AMI PTCE 2023", envelope=None),
        kind=PhaseKind.PHASE2,
        envelope=Decimal(150_000),
        max_laureates=15,
        min_grant=Decimal(30_000),
        max_grant=Decimal(100_000),
        closed=True,
    )
    porteur = UserFactory(email="porteuse@example.fr", first_name="Camille", last_name="Martin")
    dossiers = []
    for index, (name, owner, score) in enumerate(
        [("Pôle Réemploi des Pentes", porteur, 82), ("Pôle du Plateau", None, 64)], start=1
    ):
        dossier = DossierFactory(
            complete=True,
            phase=phase,
            reference=f"PTCE-2023-P2-{index:04d}",
            name=name,
            submitted=True,
            **({"owner": owner} if owner else {}),
        )
        dossier.state = DossierState.ELIGIBLE
        dossier.save(update_fields=["state"])
        DossierScore.objects.create(dossier=dossier, value=Decimal(score), spread=Decimal(6), review_count=2)
        dossiers.append(dossier)
    instructeur = UserFactory(instructeur=True, email="agent@tresor.example.fr", first_name="Inès", last_name="Roy")
    return {"phase": phase, "dossiers": dossiers, "porteur": porteur, "instructeur": instructeur}


def propose(page, reference, outcome, motivation, amount=""):
    page.locator(f"#dossier-{reference}").get_by_role("link", name=re.compile("Proposer|Modifier")).click()
    page.wait_for_url(re.compile(r"/proposition/$"))
    page.locator("label", has_text=outcome).first.click()
    page.get_by_label("Montant de l'aide (€)").fill(amount)
    page.get_by_label("Motivation").fill(motivation)
    page.get_by_role("button", name="Enregistrer la proposition").click()
    page.wait_for_load_state()


def test_the_committee_selects_within_the_envelope_publishes_and_the_porteur_reads_the_letter(page, call):
    first, second = call["dossiers"]
    log_in_as(page, call["instructeur"])

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Comité de sélection").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("AMI PTCE 2023")).click()
    page.wait_for_url(re.compile(r"/instruction/comite/phases/\d+/$"))
    rows = page.locator("#candidats tbody tr")
    assert rows.nth(0).get_by_role("link", name="Pôle Réemploi des Pentes", exact=True).is_visible()
    assert rows.nth(1).get_by_role("link", name="Pôle du Plateau", exact=True).is_visible()
    assert_accessible(page)
    screenshot(page, "committee-view")

    propose(page, first.reference, "Lauréat", LAUREATE_MOTIVATION, amount="100 000")
    assert page.get_by_text(f"Proposition enregistrée pour le dossier {first.reference}.").is_visible()
    assert page.locator("#enveloppe").get_by_text("Reste : 50\u202f000\u202f€").is_visible()

    propose(page, second.reference, "Lauréat", "Un projet prometteur.", amount="100 000")
    group = page.locator(".fr-input-group", has=page.locator("#id_amount"))
    error = group.locator(".fr-message--error")
    assert error.is_visible()
    assert " ".join(error.inner_text().replace("\u202f", " ").split()) == (
        "Enveloppe dépassée : 100 000 € déjà proposés + 100 000 € > 150 000 €."
    )
    screenshot(page, "committee-refused-past-the-envelope")
    assert_accessible(page)
    page.locator("label", has_text="Non retenu").first.click()
    page.get_by_label("Montant de l'aide (€)").fill("")
    page.get_by_label("Motivation").fill(REFUSAL)
    page.get_by_role("button", name="Enregistrer la proposition").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"Proposition enregistrée pour le dossier {second.reference}.").is_visible()
    screenshot(page, "committee-view-proposed")

    page.get_by_role("link", name="Enregistrer une séance du comité").click()
    page.get_by_label("Date du comité").fill("2023-10-10")
    page.get_by_label("Membres présents").fill("Mme Anne Durand, DG Trésor\nM. Paul Martin, Banque des Territoires")
    page.get_by_label("Relevé des échanges").fill("Deux dossiers examinés ; l'équilibre régional a été discuté.")
    page.get_by_role("button", name="Enregistrer le comité").click()
    page.get_by_role("button", name="Adopter la liste").click()
    page.wait_for_load_state()
    assert page.get_by_text("La liste est adoptée.").is_visible()
    page.reload()
    assert page.get_by_role("link", name="Procès-verbal (PDF)").is_visible()
    screenshot(page, "committee-session-adopted")
    assert_accessible(page)

    page.get_by_role("link", name="Préparer la publication").click()
    page.wait_for_url(re.compile(r"/publication/$"))
    outbox = page.locator("#boite-d-envoi > li")
    assert outbox.count() == 2
    page.locator("summary", has_text="porteuse@example.fr").click()
    assert page.get_by_text(f"AMI PTCE — un document est disponible pour le dossier {first.reference}").is_visible()
    screenshot(page, "committee-publication-preview")
    assert_accessible(page)
    with page.context.expect_page() as letter_tab:
        outbox.nth(0).get_by_role("link", name="Aperçu de la lettre").click()
    letter = letter_tab.value
    letter.wait_for_load_state()
    assert "Lettre de décision" in letter.content()
    letter.close()

    page.get_by_role("button", name="Publier les décisions et envoyer").click()
    page.wait_for_load_state()
    assert page.get_by_text("2 décisions publiées").is_visible()
    screenshot(page, "committee-published")

    log_in_as(page, call["porteur"])
    page.goto(f"/dossiers/{first.reference}/")
    decision = page.locator("#decision")
    assert decision.get_by_text("Décision du comité de sélection : Lauréat").is_visible()
    assert decision.get_by_text(LAUREATE_MOTIVATION).is_visible()
    screenshot(page, "committee-porteur-decision")
    assert_accessible(page)
    with page.expect_download() as download:
        decision.get_by_role("link", name="Télécharger la lettre de décision").click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"

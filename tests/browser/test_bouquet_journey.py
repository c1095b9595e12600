"""The PTCE émergents in Chromium (issue 11, item 4, and the open data of item 9): a phase-1 laureate's porteur
finds the badge and the bouquet de services, requests a transfert de savoir-faire; an instructeur follows it on the
staff list and pairs the pôle with a compagnon; the porteur sees the compagnon. Then the public list of laureates
and its schema. Every page is checked with axe-core and photographed.
"""

import re

import pytest

from reviews.enums import RequestStatus
from reviews.models import BouquetRequest
from territories.loader import load_referential
from tests.accounts.factories import PASSWORD, UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.reviews.factories import decide
from tests.territories import cog_mini

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in_as(page, user):
    page.context.clear_cookies()
    log_in(page, user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/espace/$"))


@pytest.fixture
def laureate():
    load_referential(cog_mini.FIXTURE)
    instructeur = UserFactory(instructeur=True, email="agent@tresor.example.fr", first_name="Inès", last_name="Roy")
    porteur = UserFactory(email="porteuse@example.fr", first_name="Camille", last_name="Martin")
    dossier = DossierFactory(
        complete=True,
        submitted=True,
        phase=PhaseFactory(),
        owner=porteur,
        name="Pôle Réemploi des Pentes",
        bouquet_needs=["tsf", "dla"],
        consent_publication=True,
    )
    decide(dossier, by=instructeur)
    return {"dossier": dossier, "porteur": porteur, "instructeur": instructeur}


def test_a_ptce_emergent_requests_a_transfer_and_staff_pair_it_with_a_compagnon(page, laureate):
    dossier = laureate["dossier"]
    log_in_as(page, laureate["porteur"])

    row = page.get_by_role("row", name=re.compile("Pôle Réemploi des Pentes"))
    assert row.get_by_text("PTCE émergent", exact=True).is_visible()
    assert row.get_by_role("link", name=re.compile("Bouquet de services")).is_visible()
    screenshot(page, "bouquet-porteur-home")
    row.get_by_role("link", name="Pôle Réemploi des Pentes", exact=True).click()
    page.wait_for_url(re.compile(rf"/dossiers/{dossier.reference}/$"))
    assert page.get_by_text("Votre pôle est un PTCE émergent").is_visible()
    screenshot(page, "bouquet-porteur-dossier")
    assert_accessible(page)
    page.locator("main").get_by_role("link", name="Bouquet de services").click()
    page.wait_for_url(re.compile(r"/bouquet/$"))
    assert page.get_by_text("PTCE émergent", exact=True).is_visible()
    page.get_by_role("button", name="Demander ce service").click()
    page.wait_for_load_state()
    assert page.get_by_text("Choisissez le service que vous demandez.").first.is_visible()
    assert_accessible(page)

    page.locator("label", has_text="Transfert de savoir-faire avec un PTCE compagnon").click()
    page.get_by_label("Précisions").fill("Nous cherchons un pôle qui anime un tiers-lieu de réemploi.")
    page.get_by_role("button", name="Demander ce service").click()

    page.wait_for_load_state()
    assert page.get_by_text(
        "Votre demande « Transfert de savoir-faire avec un PTCE compagnon » est transmise"
    ).is_visible()
    assert page.locator("#demandes").get_by_text("Demandé", exact=True).is_visible()
    screenshot(page, "bouquet-porteur")
    assert_accessible(page)
    request = BouquetRequest.objects.get()

    log_in_as(page, laureate["instructeur"])
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Bouquet de services").click()
    page.wait_for_url(re.compile(r"/instruction/bouquet/$"))
    assert page.get_by_text("1 demande correspond aux filtres").is_visible()
    screenshot(page, "bouquet-staff-list")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"^Transfert de savoir-faire avec un PTCE compagnon")).click()
    page.wait_for_url(re.compile(rf"/instruction/bouquet/{request.pk}/$"))
    page.locator("label", has_text="En cours").click()
    page.get_by_label("PTCE compagnon").select_option(label="Clus'Ter Jura")
    page.get_by_label("Notes de suivi").fill("Premier échange prévu avec Clus'Ter Jura en janvier.")
    page.get_by_role("button", name="Enregistrer le suivi").click()

    page.wait_for_load_state()
    assert page.get_by_text("Le suivi de la demande est enregistré.").is_visible()
    assert page.get_by_text("Compagnon désigné : Clus'Ter Jura").is_visible()
    screenshot(page, "bouquet-staff-request")
    assert_accessible(page)
    request.refresh_from_db()
    assert (request.status, request.compagnon.name) == (RequestStatus.IN_PROGRESS, "Clus'Ter Jura")

    log_in_as(page, laureate["porteur"])
    page.goto(f"/dossiers/{dossier.reference}/bouquet/")
    demandes = page.locator("#demandes")
    assert demandes.get_by_text("Clus'Ter Jura").is_visible()
    assert demandes.get_by_text("En cours", exact=True).is_visible()
    assert page.get_by_text("Premier échange").count() == 0  # staff's notes stay with staff


def test_the_public_list_of_laureates_and_its_schema(page, laureate):
    page.goto("/appel/")
    page.get_by_role("link", name="Les PTCE lauréats").click()

    page.wait_for_url(re.compile(r"/laureats/$"))
    assert page.get_by_role("row", name=re.compile("Pôle Réemploi des Pentes")).is_visible()
    assert page.get_by_text("Camille Martin").count() == 0
    screenshot(page, "opendata-laureates")
    assert_accessible(page)

    page.get_by_role("link", name="Schéma des données et licence").click()
    page.wait_for_url(re.compile(r"/laureats/schema/$"))
    assert page.get_by_role("row", name=re.compile("montant_accorde")).is_visible()
    screenshot(page, "opendata-schema")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les données (CSV)").click()
    assert download.value.suggested_filename == "laureats-ptce.csv"

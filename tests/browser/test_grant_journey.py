"""A phase-2 laureate's grant in Chromium (issue 11, item 6): the decision's publication opens the grant; the porteur
files the year-1 (interim) report from « Mon aide », after the errors at the fields; an instructeur approves it on
the grant page, the tranche that waited for it becomes payable and is recorded paid. axe-core on the report form and
the grant page; every step photographed."""

import re
from decimal import Decimal

import pytest

from applications.enums import ReportKind
from reviews.enums import PaymentStatus, ReportStatus
from reviews.models import Grant
from territories.loader import load_referential
from tests.accounts.factories import PASSWORD, UserFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.reviews.grants_helpers import laureate, phase2, publish, signed
from tests.territories import cog_mini

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in_as(page, user):
    page.context.clear_cookies()
    log_in(page, user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/espace/$"))


@pytest.fixture
def grant():
    load_referential(cog_mini.FIXTURE)
    instructeur = UserFactory(instructeur=True, email="agent@tresor.example.fr", first_name="Inès", last_name="Roy")
    porteur = UserFactory(email="porteuse@example.fr", first_name="Camille", last_name="Martin")
    decision = laureate(
        phase2(), amount=Decimal(100_000), by=instructeur, owner=porteur, name="Pôle Réemploi des Pentes"
    )
    publish(decision)  # the receiver queues the opening; without a broker it runs at once
    grant = Grant.objects.get(decision=decision)
    signed(grant, instructeur)
    return {"grant": grant, "dossier": decision.dossier, "porteur": porteur, "instructeur": instructeur}


def test_the_porteur_files_the_year1_report_staff_approve_it_and_the_tranche_is_paid(page, grant, live_server):
    dossier = grant["dossier"]
    log_in_as(page, grant["porteur"])
    page.goto(f"{live_server.url}/dossiers/{dossier.reference}/")
    section = page.locator("#mon-aide")
    assert section.get_by_role("heading", name="Mon aide").is_visible()
    assert section.get_by_role("row", name=re.compile("Premier versement")).get_by_text("À verser").is_visible()
    screenshot(page, "grant-porteur-dossier")
    section.get_by_role("link", name="Rapport intermédiaire").click()
    page.wait_for_url(re.compile(r"/aide/rapports/interim/$"))

    page.get_by_role("button", name="Déposer le rapport").click()
    page.wait_for_load_state()
    assert page.get_by_text("Décrivez les actions menées avant de déposer le rapport.").is_visible()
    assert page.get_by_text("Indiquez le montant dépensé (0 si rien n'a été dépensé).").first.is_visible()
    screenshot(page, "grant-report-errors")
    assert_accessible(page)

    page.get_by_label("Bilan des actions menées").fill("Six ateliers de réemploi animés avec la métropole.")
    page.get_by_label("Nombre de membres actifs").fill("24")
    page.get_by_label("Emplois créés ou consolidés").fill("3")
    page.get_by_label("Personnel (animation, coordination)").fill("45 000")
    for label in ("Fonctionnement", "Prestations", "Déplacements", "Investissement", "Autres charges"):
        page.get_by_label(label).fill("0")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_load_state()
    assert page.get_by_text("Votre brouillon est enregistré.").is_visible()
    assert page.get_by_label("Nombre de membres actifs").input_value() == "24"
    screenshot(page, "grant-report-draft")
    assert_accessible(page)
    page.get_by_role("button", name="Déposer le rapport").click()
    page.wait_for_url(re.compile(rf"/dossiers/{dossier.reference}/"))
    assert page.get_by_text("Votre rapport est déposé").is_visible()
    report = grant["grant"].reports.get(kind=ReportKind.INTERIM)
    assert report.status == ReportStatus.SUBMITTED

    log_in_as(page, grant["instructeur"])
    page.locator("#main-navigation").get_by_role("link", name="Aides", exact=True).click()
    page.wait_for_url(re.compile(r"/instruction/aides/"))
    screenshot(page, "grant-list")
    assert_accessible(page)
    page.get_by_role("link", name="Pôle Réemploi des Pentes").click()
    page.wait_for_url(re.compile(rf"/instruction/aides/{dossier.reference}/$"))
    assert page.get_by_text("Six ateliers de réemploi animés avec la métropole.").is_visible()
    screenshot(page, "grant-page")
    assert_accessible(page)
    page.locator("#rapports").get_by_text("Approuver le rapport").click()
    page.locator("#rapports").get_by_role("button", name="Enregistrer l'examen").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le rapport est approuvé").is_visible()
    second = grant["grant"].payments.get(position=2)
    assert second.status == PaymentStatus.PAYABLE
    page.get_by_label("Date du versement « Deuxième versement »").fill("2027-04-02")
    page.locator("#versements").get_by_role("button", name="Enregistrer le versement").last.click()
    page.wait_for_load_state()
    assert page.get_by_text("Le versement « Deuxième versement » est enregistré.").is_visible()
    second.refresh_from_db()
    assert second.status == PaymentStatus.PAID
    screenshot(page, "grant-page-paid")
    assert_accessible(page)

"""A phase-2 dossier's own content (action plan, staffing, grant requested, budget with its totals per year) on the
porteur's and the staff's dossier pages and in the submission receipt."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.enums import BudgetCategory, FundingStatus
from applications.models import BudgetLine
from applications.services import notices, snapshots
from applications.services.submission import submit_dossier
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory

pytestmark = pytest.mark.django_db

LINES = [
    (1, "charges", BudgetCategory.STAFF, "Animatrice du pôle", "", "", 60_000),
    (1, "resources", BudgetCategory.AMI_GRANT, "", "État — AMI PTCE", FundingStatus.REQUESTED, 40_000),
    (1, "resources", BudgetCategory.COLLECTIVITES, "", "Métropole de Lyon", FundingStatus.ACQUIRED, 20_000),
    (2, "charges", BudgetCategory.STAFF, "Animatrice du pôle", "", "", 50_000),
    (2, "resources", BudgetCategory.AMI_GRANT, "", "État — AMI PTCE", FundingStatus.REQUESTED, 40_000),
    (2, "resources", BudgetCategory.PRIVATE, "", "Fondation des Territoires", FundingStatus.REQUESTED, 10_000),
]


@pytest.fixture
def dossier(referential):
    dossier = DossierFactory(
        phase=PhaseFactory(phase2=True),
        complete=True,
        action_levers=["animation", "recherche_innovation"],
        action_plan="Recruter une animatrice et réunir les membres chaque mois.",
        staffing="Une animatrice à temps plein.",
        staffing_fte="1.0",
        post_grant_plan="Cotisations des membres.",
        indicators="Structures coopérant, emplois créés.",
    )
    for year, side, category, label, funder, status, amount in LINES:
        BudgetLine.objects.create(
            dossier=dossier,
            year=year,
            side=side,
            category=category,
            label=label,
            funder=funder,
            status=status,
            amount=amount,
        )
    return dossier


def words(markup):
    """The text of ``markup``, tags removed and spaces collapsed (narrow no-break spaces included)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def text(response):
    return words(response.content.decode())


def test_sections_of_a_phase2_dossier_hold_its_plan_and_budget(dossier):
    sections = {section["step"]: section for section in snapshots.sections(dossier)}

    assert "besoins" not in sections
    assert sections["plan"]["fields"][0]["value"] == "Animation territoriale, Recherche et innovation"
    grant = {field["name"]: field["value"] for field in sections["budget"]["fields"]}
    assert grant == {
        "grant_year1": "40\u202f000\u202f€",
        "grant_year2": "40\u202f000\u202f€",
        "grant_total": "80\u202f000\u202f€",
    }
    totals = [
        (t["label"], t["charges"], t["resources"], t["balanced"]) for t in sections["budget"]["budget"]["totals"]
    ]
    assert totals == [
        ("Année 1", "60\u202f000\u202f€", "60\u202f000\u202f€", True),
        ("Année 2", "50\u202f000\u202f€", "50\u202f000\u202f€", True),
        ("Total sur les deux années", "110\u202f000\u202f€", "110\u202f000\u202f€", True),
    ]


def test_staff_dossier_page_shows_the_action_plan_and_budget_table(client, dossier):
    dossier.submitted_at, dossier.state = timezone.now(), "submitted"
    dossier.save()
    client.force_login(UserFactory(instructeur=True))

    page = text(client.get(reverse("reviews:dossier", kwargs={"reference": dossier.reference})))

    assert "Plan d'action sur deux ans" in page
    assert "Recruter une animatrice et réunir les membres chaque mois." in page
    assert "Totaux par année" in page
    assert "Métropole de Lyon (acquis)" in page
    assert "Total sur les deux années 110 000 € 110 000 € Équilibré" in page


def test_receipt_of_a_phase2_dossier_lists_its_budget(dossier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = submit_dossier(dossier, by=dossier.owner)

    receipt = words(notices.render_receipt_html(version))

    assert "Plan d'action sur deux ans" in receipt
    assert "Fondation des Territoires (sollicité)" in receipt
    assert "Aide demandée, total 80 000 €" in receipt
    assert "Total sur les deux années 110 000 € 110 000 €" in receipt

"""Members' official data: read from the company directory after the submission (never in the porteur's request),
stored on each member, compared by rules R01, R03, R04 and R05 with the declared data, shown to staff beside it.

The directory answers from the recorded responses of tests/core/fixtures/recherche_entreprises/ (the API's documented
format) through an httpx.MockTransport: an ESS SCIC, a SAS outside the ESS, a commune, a ceased SARL, an ESS SCOP whose
declared establishment is closed. No test reaches the network.
"""

import json
from pathlib import Path

import httpx
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.eligibility import evaluate
from applications.enums import EssLegalForm, MemberCategory
from applications.models import EligibilityRun, MemberStructure
from applications.services import eligibility as eligibility_services
from applications.services import official_data
from applications.services.submission import submit_dossier
from ptce_ami.core import companies
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, MemberFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "core" / "fixtures" / "recherche_entreprises"
API_URL = "https://recherche-entreprises.test/search"
SCIC, SAS, COMMUNE = "89105432200013", "52318977700023", "21190272100011"
CEASED, CLOSED, ASSOCIATION = "79315440200028", "44219876800032", "83412765600017"
ANSWERS = {
    SCIC: "scic",
    SAS: "sas",
    COMMUNE: "commune",
    CEASED: "ceased",
    CLOSED: "closed_establishment",
    ASSOCIATION: "association",
}
LEAD, ENTERPRISE, TOWN = "SCIC Énergies partagées", "Menuiseries du Nord", "Commune de Tulle"
SAS_CATEGORY = "5710 — SAS, société par actions simplifiée"


class Directory:
    """The company directory, answering each SIRET with its recorded response; ``down`` makes it time out."""

    def __init__(self, *, down=False):
        self.down = down
        self.requests = []

    def __call__(self, request):
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectTimeout("timed out")
        name = ANSWERS.get(request.url.params["q"], "not_found")
        return httpx.Response(200, json=json.loads((FIXTURES / f"{name}.json").read_text()))

    def client(self, **kwargs):
        return companies.build_http_client(transport=httpx.MockTransport(self), **kwargs)


@pytest.fixture
def directory(settings, monkeypatch):
    """The lookup switched on, every HTTP client of the project going to the recorded directory."""
    settings.COMPANY_LOOKUP_URL = API_URL
    cache.clear()
    stub = Directory()
    real_factory = companies.build_http_client
    monkeypatch.setattr(
        companies,
        "build_http_client",
        lambda **kwargs: real_factory(transport=httpx.MockTransport(stub), **kwargs),
    )
    yield stub
    cache.clear()


@pytest.fixture
def dossier(referential):
    """A complete dossier whose declarations agree with the directory: the lead an ESS SCIC, a SAS outside the ESS,
    a commune."""
    dossier = DossierFactory(complete=True)
    members = dossier.members.order_by("position", "pk")
    for member, (name, siret) in zip(members, [(LEAD, SCIC), (ENTERPRISE, SAS), (TOWN, COMMUNE)], strict=True):
        member.name, member.siret = name, siret
        if member.is_lead:
            member.ess_legal_form = EssLegalForm.COOPERATIVE_SCIC
        member.save()
    return dossier


def member(dossier, name):
    return dossier.members.get(name=name)


def change(dossier, name, **fields):
    MemberStructure.objects.filter(dossier=dossier, name=name).update(**fields)


def results(dossier, *rule_ids):
    return {result.rule_id: (result.status, result.explanation) for result in evaluate(dossier, rule_ids=rule_ids)}


DECLARED = {
    "R01": ("pass", f"La structure porteuse, {LEAD}, est une personne morale de droit privé (coopérative — SCIC)."),
    "R03": ("pass", f"1 entreprise de l'ESS parmi les membres : {LEAD} (coopérative — SCIC)."),
    "R04": ("pass", f"1 entreprise hors ESS parmi les membres : {ENTERPRISE}."),
    "R05": (
        "pass",
        f"1 autre acteur de l'art. 9 parmi les membres : {TOWN} (collectivité territoriale ou groupement).",
    ),
}


# Storing what the directory says ----------------------------------------------------------------------------------


def test_the_submission_request_makes_no_request_to_the_directory(
    directory, dossier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        submit_dossier(dossier, by=dossier.owner)

    assert directory.requests == []  # the porteur's request is answered before anything is looked up
    for callback in callbacks:
        callback()  # what the worker does: the receipt, then the eligibility run

    assert len(directory.requests) == 3
    scic = member(dossier, LEAD)
    assert scic.official_checked_at is not None
    assert scic.official_data["status"] == "found"
    assert (scic.official_data["legal_form_code"], scic.official_data["is_ess"]) == ("5710", True)
    assert member(dossier, TOWN).official_data["collectivite_level"] == "commune"
    run = EligibilityRun.objects.get(dossier=dossier)
    stored = {row.rule_id: (row.status, row.explanation) for row in run.results.filter(rule_id__in=DECLARED)}
    assert stored == DECLARED


def test_a_directory_down_is_waited_for_once_and_noted(settings, directory, dossier):
    directory.down = True

    assert official_data.record(dossier) == 3

    assert len(directory.requests) == 1  # the others are not waited for
    assert {row.official_data["status"] for row in dossier.members.all()} == {"unavailable"}
    assert results(dossier, "R01", "R04") == {
        "R01": (
            "pass",
            f"{DECLARED['R01'][1]} L'annuaire des entreprises n'a pas pu être consulté pour {LEAD} : la catégorie "
            "déclarée n'a pas été comparée avec les données officielles.",
        ),
        "R04": (
            "pass",
            f"{DECLARED['R04'][1]} L'annuaire des entreprises n'a pas pu être consulté pour {ENTERPRISE} : la "
            "catégorie déclarée n'a pas été comparée avec les données officielles.",
        ),
    }


def test_a_later_run_reads_only_the_members_not_read_yet(directory, dossier):
    directory.down = True
    official_data.record(dossier)
    directory.down = False
    MemberStructure.objects.filter(dossier=dossier, name=LEAD).update(official_data={"status": "found", "name": "X"})

    eligibility_services.run(dossier, key="staff-rerun")

    assert sorted(request.url.params["q"] for request in directory.requests[1:]) == sorted([SAS, COMMUNE])
    assert member(dossier, ENTERPRISE).official_data["status"] == "found"


def test_with_the_lookup_switched_off_nothing_is_stored_and_the_rules_say_nothing_of_it(settings, dossier):
    settings.COMPANY_LOOKUP_URL = ""

    assert official_data.record(dossier) == 0

    assert {row.official_checked_at for row in dossier.members.all()} == {None}
    assert results(dossier, *DECLARED) == DECLARED


def test_a_siret_the_directory_does_not_list_is_named(directory, dossier):
    change(dossier, ENTERPRISE, siret="73282932000074")  # valid, absent from the recorded answers
    official_data.record(dossier)

    assert results(dossier, "R04")["R04"] == (
        "pass",
        f"{DECLARED['R04'][1]} {ENTERPRISE} : SIRET absent de l'annuaire des entreprises (structure non "
        "diffusible ?), catégorie déclarée non comparée.",
    )


# The rules compare ------------------------------------------------------------------------------------------------


def test_declarations_that_agree_with_the_directory_pass_as_before(directory, dossier):
    official_data.record(dossier)

    assert results(dossier, *DECLARED) == DECLARED


def test_r03_a_sas_declared_ess_association_is_a_warning_that_explains_itself(directory, dossier):
    change(dossier, ENTERPRISE, category=MemberCategory.ESS_ENTERPRISE, ess_legal_form=EssLegalForm.ASSOCIATION)
    official_data.record(dossier)

    status, explanation = results(dossier, "R03")["R03"]

    assert status == "warning"
    assert explanation == (
        f"2 entreprises de l'ESS parmi les membres : {LEAD} (coopérative — SCIC), {ENTERPRISE} (association). "
        f"{ENTERPRISE} est déclarée entreprise de l'ESS, mais l'annuaire des entreprises ne la recense pas dans "
        f"l'économie sociale et solidaire (catégorie juridique {SAS_CATEGORY}) — à vérifier. "
        f"{ENTERPRISE} est déclarée sous la forme « association », mais sa catégorie juridique dans l'annuaire des "
        f"entreprises est {SAS_CATEGORY} — à vérifier."
    )


def test_r03_an_ess_scic_that_is_a_sas_by_its_code_is_no_mismatch(directory, dossier):
    """No legal category identifies a SCIC SAS: the directory's ESS flag is what counts."""
    official_data.record(dossier)

    assert results(dossier, "R03")["R03"][0] == "pass"


def test_r03_a_scop_whose_declared_establishment_is_closed(directory, dossier):
    change(dossier, LEAD, siret=CLOSED, ess_legal_form=EssLegalForm.COOPERATIVE_SCOP)
    official_data.record(dossier)

    status, explanation = results(dossier, "R03")["R03"]

    assert status == "warning"
    assert explanation.endswith(
        f"Selon l'annuaire des entreprises, l'établissement déclaré de {LEAD} (SIRET 442 198 768 00032) est fermé — "
        "à vérifier."
    )


def test_r04_a_ceased_company_is_a_warning(directory, dossier):
    change(dossier, ENTERPRISE, siret=CEASED)
    official_data.record(dossier)

    assert results(dossier, "R04")["R04"] == (
        "warning",
        f"{DECLARED['R04'][1]} Selon l'annuaire des entreprises, {ENTERPRISE} a cessé son activité le 30 juin 2023 — "
        "à vérifier.",
    )


def test_r04_an_enterprise_declared_outside_the_ess_that_the_directory_lists_in_it(directory, dossier):
    change(dossier, LEAD, siret=ASSOCIATION)
    change(dossier, ENTERPRISE, siret=SCIC)
    official_data.record(dossier)

    assert results(dossier, "R04")["R04"] == (
        "warning",
        f"{DECLARED['R04'][1]} {ENTERPRISE} est déclarée entreprise hors ESS, mais l'annuaire des entreprises la "
        "recense dans l'économie sociale et solidaire — à vérifier.",
    )


def test_r05_a_private_company_declared_collectivite(directory, dossier):
    change(dossier, ENTERPRISE, siret=CEASED)
    change(dossier, TOWN, siret=SAS)
    official_data.record(dossier)

    assert results(dossier, "R05")["R05"] == (
        "warning",
        f"{DECLARED['R05'][1]} {TOWN} est déclarée collectivité territoriale ou groupement, mais sa catégorie "
        f"juridique dans l'annuaire des entreprises est de droit privé ({SAS_CATEGORY}) — à vérifier.",
    )


def test_r01_a_lead_of_public_law_is_a_warning(directory, dossier):
    change(dossier, TOWN, siret=ASSOCIATION)
    change(dossier, LEAD, siret=COMMUNE, category=MemberCategory.OTHER, ess_legal_form="")
    official_data.record(dossier)

    assert results(dossier, "R01")["R01"] == (
        "warning",
        f"La structure porteuse, {LEAD}, relève de la catégorie « Autre personne physique ou morale », compatible "
        f"avec une personne morale de droit privé. Selon l'annuaire des entreprises, {LEAD} relève du droit public "
        "(catégorie juridique 7210 — Commune et commune nouvelle), alors que la structure porteuse doit être une "
        "personne morale de droit privé — à vérifier.",
    )


def test_a_failure_on_the_declared_data_stays_a_failure(directory, dossier):
    change(dossier, LEAD, category=MemberCategory.COLLECTIVITE, ess_legal_form="")
    official_data.record(dossier)

    status, explanation = results(dossier, "R01")["R01"]

    assert status == "fail"
    assert explanation.endswith(
        f"{LEAD} est déclarée collectivité, mais sa catégorie juridique dans l'annuaire des entreprises est de droit "
        f"privé ({SAS_CATEGORY}) — à vérifier."
    )


def test_the_rules_read_the_official_data_without_a_query_of_their_own(directory, dossier, django_assert_num_queries):
    official_data.record(dossier)
    members = list(dossier.members.select_related("commune__parent"))

    with django_assert_num_queries(0):
        evaluate(dossier, members=members, rule_ids=["R01", "R03", "R04", "R05"])


# Staff see it beside the declared data ----------------------------------------------------------------------------


def mark_submitted(dossier):
    dossier.state, dossier.submitted_at = "submitted", dossier.created_at
    dossier.save()


def submitted_with_data(dossier):
    change(dossier, ENTERPRISE, siret=CEASED)
    official_data.record(dossier)
    mark_submitted(dossier)
    return dossier


def test_the_staff_page_shows_the_official_data_beside_the_declared_data(client, directory, dossier):
    submitted_with_data(dossier)
    client.force_login(UserFactory(instructeur=True))

    response = client.get(reverse("reviews:dossier", kwargs={"reference": dossier.reference}))
    page = " ".join(response.content.decode().split())

    assert "Annuaire des entreprises (données officielles)" in page
    assert (
        "Catégorie juridique : 5499 — Société à responsabilité limitée (sans autre indication) (droit privé)" in page
    )
    assert "Cessée le 30 juin 2023" in page
    assert "Catégorie juridique : 7210 — Commune et commune nouvelle (droit public)" in page
    assert "Collectivité territoriale (commune)" in page
    assert '<p class="fr-badge fr-badge--sm fr-badge--warning fr-mt-1w fr-mb-1v">À vérifier</p>' in page
    assert f"Selon l&#x27;annuaire des entreprises, {ENTERPRISE} a cessé son activité le 30 juin 2023" in page


def test_the_porteur_does_not_see_the_official_data_column(client, directory, dossier):
    submitted_with_data(dossier)
    client.force_login(dossier.owner)

    page = client.get(reverse("applications:dossier", kwargs={"reference": dossier.reference}))

    assert page.status_code == 200
    assert "Annuaire des entreprises (données officielles)" not in page.content.decode()


def test_the_staff_page_costs_the_same_queries_whatever_the_members(client, directory, referential):
    client.force_login(UserFactory(instructeur=True))
    counts = []
    for extra in (0, 2):
        dossier = DossierFactory(complete=True)
        for _number in range(extra):
            MemberFactory(dossier=dossier, category=MemberCategory.ENTERPRISE, ess_legal_form="")
        official_data.record(dossier)
        mark_submitted(dossier)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reviews:dossier", kwargs={"reference": dossier.reference})).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_data_of_a_siret_the_porteur_changed_since_is_not_compared(directory, dossier):
    change(dossier, ENTERPRISE, siret=CEASED)
    official_data.record(dossier)
    change(dossier, ENTERPRISE, siret=SAS)  # corrected during a correction request, not yet resubmitted

    assert results(dossier, "R04") == {"R04": DECLARED["R04"]}

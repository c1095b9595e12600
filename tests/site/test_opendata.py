"""The open data of the laureates (issue 11, item 9): the public list and its CSV hold the published laureates only,
with their territory and amount, and no personal data; the schema page documents every column."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.enums import PhaseKind
from applications.models import DossierInvitation
from applications.services.workflow import transition
from ptce_ami.site import opendata
from reviews.enums import DecisionOutcome
from territories.models import EPCI, Commune, Departement
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory
from tests.reviews.factories import decide

pytestmark = pytest.mark.django_db

# Column names that would say a person is in the file; none of them may appear, whole or as a part of a name.
PERSONAL_COLUMNS = [
    "email",
    "courriel",
    "mail",
    "telephone",
    "phone",
    "tel",
    "contact",
    "prenom",
    "representant",
    "titulaire",
    "owner",
    "porteur",
    "personne",
    "siret",
    "adresse",
    "naissance",
    "structure",
    "membre",
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?<!\d)(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")


def published(dossier, **kwargs):
    decide(dossier, **kwargs)
    return dossier


@pytest.fixture
def laureates(referential):
    """Two published laureates (phase 1 and 2), and dossiers that must not appear."""
    edition = EditionFactory(year=2023, name="AMI PTCE 2023")
    phase1 = PhaseFactory(edition=edition, kind=PhaseKind.PHASE1)
    phase2 = PhaseFactory(edition=edition, kind=PhaseKind.PHASE2)
    owner = UserFactory(email="camille.martin@example.fr", first_name="Camille", last_name="Martin")
    emergent = DossierFactory(
        phase=phase1,
        complete=True,
        submitted=True,
        owner=owner,
        reference="PTCE-2023-P1-0001",
        name="Pôle des Deux Rives",
        contact_phone="06 12 34 56 78",
        consent_publication=True,
    )
    emergent.epcis.add(EPCI.objects.get(siren="244200770"))
    emergent.departements.add(Departement.objects.get(code="01"))
    DossierInvitation.objects.create(dossier=emergent, email="co-editrice@example.fr", invited_by=owner)
    funded = DossierFactory(
        phase=phase2, submitted=True, region_id="94", reference="PTCE-2023-P2-0003", name="Pôle du Maquis"
    )
    funded.consent_publication = True
    funded.save()
    funded.communes.add(*referential_communes("2A004"))
    published(emergent)
    published(funded, amount=Decimal("100000.00"))
    left_out = {
        "provisional": decide(consenting(phase1), published=False).dossier,
        "not-retained": published(consenting(phase1), outcome=DecisionOutcome.NOT_RETAINED),
        "no-consent": published(DossierFactory(phase=phase1, submitted=True)),
        "reopened": published(consenting(phase1)),
        "submitted": consenting(phase1),
    }
    reopened = left_out["reopened"]
    decision = reopened.decisions.get()
    decision.revoked_at, decision.revoked_by = decision.published_at, decision.published_by
    decision.save()
    transition(reopened, "reopen", by=decision.published_by, comment="Erreur matérielle.")
    return {"emergent": emergent, "funded": funded, "left_out": left_out}


def consenting(phase):
    dossier = DossierFactory(phase=phase, submitted=True)
    dossier.consent_publication = True
    dossier.save()
    return dossier


def referential_communes(*codes):
    return list(Commune.objects.filter(code__in=codes, kind="commune-actuelle"))


def download(client):
    response = client.get(reverse("site:laureates_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="laureats-ptce.csv"'
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_csv_holds_the_published_laureates_with_their_territory_and_amount(client, laureates):
    rows = list(csv.DictReader(io.StringIO(download(client))))

    assert rows == [
        {
            "reference": "PTCE-2023-P1-0001",
            "nom": "Pôle des Deux Rives",
            "phase": "1",
            "label": "PTCE émergent",
            "annee": "2023",
            "edition": "AMI PTCE 2023",
            "code_region": "84",
            "region": "Auvergne-Rhône-Alpes",
            "codes_departements": "01|42|69",
            "departements": "Ain|Loire|Rhône",
            "territoire": "EPCI : Saint-Étienne Métropole ; communes : Lyon, Villeurbanne ; départements : Ain",
            "codes_communes": "69123|69266",
            "sirens_epci": "244200770",
            "nombre_entreprises_ess": "1",
            "nombre_entreprises_hors_ess": "1",
            "nombre_collectivites": "1",
            "nombre_centres_recherche": "0",
            "nombre_enseignement_superieur": "0",
            "nombre_organismes_formation": "0",
            "nombre_autres_acteurs": "0",
            "montant_accorde": "",
            "date_decision": rows[0]["date_decision"],
        },
        {
            "reference": "PTCE-2023-P2-0003",
            "nom": "Pôle du Maquis",
            "phase": "2",
            "label": "Lauréat phase 2",
            "annee": "2023",
            "edition": "AMI PTCE 2023",
            "code_region": "94",
            "region": "Corse",
            "codes_departements": "2A",
            "departements": "Corse-du-Sud",
            "territoire": "communes : Ajaccio",
            "codes_communes": "2A004",
            "sirens_epci": "",
            "nombre_entreprises_ess": "0",
            "nombre_entreprises_hors_ess": "0",
            "nombre_collectivites": "0",
            "nombre_centres_recherche": "0",
            "nombre_enseignement_superieur": "0",
            "nombre_organismes_formation": "0",
            "nombre_autres_acteurs": "0",
            "montant_accorde": "100000.00",
            "date_decision": rows[1]["date_decision"],
        },
    ]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rows[0]["date_decision"])


def test_the_csv_columns_are_the_documented_schema(client, laureates):
    header = next(csv.reader(io.StringIO(download(client))))
    schema = client.get(reverse("site:laureates_schema"))

    assert header == [column.name for column in opendata.COLUMNS]
    content = schema.content.decode()
    for column in opendata.COLUMNS:
        assert f"<code>{column.name}</code>" in content
        assert f"<code>{column.type}</code>" in content
    assert "Licence Ouverte / Open Licence version 2.0 (Etalab)" in content
    assert "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" in content
    assert "Mise à jour" in content


def test_the_open_data_has_no_personal_field_nor_value(client, laureates):
    text = download(client)
    header = next(csv.reader(io.StringIO(text)))
    emergent = laureates["emergent"]
    members = list(emergent.members.all())

    assert [name for name in header if any(word in name for word in PERSONAL_COLUMNS)] == []
    assert EMAIL.findall(text) == []
    assert PHONE.findall(text) == []
    for personal in [
        emergent.owner.email,
        "co-editrice@example.fr",
        emergent.contact_email,
        emergent.contact_phone,
        emergent.representative_name,
        emergent.owner.last_name,
        *(member.siret for member in members),
        *(member.name for member in members),
    ]:
        assert personal and personal not in text, personal
    page = client.get(reverse("site:laureates")).content.decode()
    assert emergent.owner.email not in page and emergent.representative_name not in page


def test_the_personal_data_checks_would_catch_an_email_or_a_phone():
    assert EMAIL.findall("Pôle,contact@pole.fr") == ["contact@pole.fr"]
    assert PHONE.findall("Pôle,06 12 34 56 78,+33 6.12.34.56.78,0612345678") == [
        "06 12 34 56 78",
        "+33 6.12.34.56.78",
        "0612345678",
    ]
    assert PHONE.findall("PTCE-2023-P2-0003,244200770,100000.00,2023-10-17,01|42|69") == []


def test_the_public_page_lists_the_same_laureates(client, laureates):
    response = client.get(reverse("site:laureates"))

    assert response.status_code == 200
    assert [line.values["reference"] for line in response.context["laureates"]] == [
        "PTCE-2023-P1-0001",
        "PTCE-2023-P2-0003",
    ]
    content = response.content.decode()
    assert "100\u202f000\u202f€" in content
    assert "Ain, Loire, Rhône" in content
    for dossier in laureates["left_out"].values():
        assert dossier.reference not in content


def test_a_spreadsheet_formula_in_a_name_is_neutralised(client, referential):
    dossier = consenting(PhaseFactory())
    dossier.name = '=HYPERLINK("http://example.org")'
    dossier.save()
    published(dossier)

    rows = list(csv.DictReader(io.StringIO(download(client))))

    assert rows[0]["nom"] == '\'=HYPERLINK("http://example.org")'


def seed(phase, count):
    for _ in range(count):
        dossier = consenting(phase)
        dossier.communes.add(*referential_communes("69123"))
        dossier.epcis.add(EPCI.objects.get(siren="200046977"))
        dossier.departements.add(Departement.objects.get(code="69"))
        published(dossier, amount=Decimal("80000"))


def query_counts(client, count):
    counts = []
    for url in (reverse("site:laureates"), reverse("site:laureates_csv")):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if response.streaming:
                lines = b"".join(response.streaming_content).decode().splitlines()
                assert len(lines) == count + 1
            else:
                assert len(response.context["laureates"]) == count
        counts.append(len(captured))
    return counts


def test_the_page_and_the_csv_cost_a_constant_number_of_queries(client, referential):
    phase = PhaseFactory(edition=EditionFactory(year=2023), kind=PhaseKind.PHASE2)
    seed(phase, 1)
    one = query_counts(client, 1)
    seed(phase, 2)

    three = query_counts(client, 3)
    assert three == one


def test_the_call_page_the_footer_and_the_sitemap_link_the_open_data(client):
    laureates_url, schema_url = reverse("site:laureates"), reverse("site:laureates_schema")

    call = client.get(reverse("site:call")).content.decode()
    sitemap = client.get(reverse("site:sitemap")).content.decode()
    home = client.get(reverse("site:home")).content.decode()

    assert f'href="{laureates_url}"' in call and f'href="{schema_url}"' in call
    assert f'href="{laureates_url}"' in sitemap and f'href="{schema_url}"' in sitemap
    footer = home[home.index('<footer class="fr-footer"') :]
    assert f'href="{laureates_url}"' in footer

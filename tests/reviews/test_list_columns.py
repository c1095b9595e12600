"""The instruction list's columns: each staff member chooses and saves theirs (the defaults until they do), the
list shows exactly those, in the catalogue's order, sorts on the sortable ones, and fetches what they need in a
constant number of queries."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.enums import BudgetCategory, BudgetSide, DossierState, MemberCategory
from applications.models import BudgetLine, Dossier, Label, MemberStructure, Sector
from ptce_ami.core.templatetags.french_dates import date_fr
from reviews.models import DossierScore, ListPreference, RegionalOpinion
from reviews.services import columns as column_services
from reviews.services import selection as filters
from territories.models import Commune, Departement, Region
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, MemberFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/instruction/"
COLUMNS_URL = "/instruction/colonnes/"
EVERY_COLUMN = [column.key for column in column_services.CATALOGUE]


@pytest.fixture
def instructeur(db):
    return UserFactory(instructeur=True)


def header_keys(response):
    return [header.key for header in response.context["headers"]]


def header_texts(response):
    """The column headers as the page shows them (their visible text, without the sort link's hidden words)."""
    thead = response.content.decode().split("<thead>")[1].split("</thead>")[0]
    cells = re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", thead, flags=re.S)
    texts = [re.sub(r"<span class=\"fr-sr-only\">.*?</span>", "", cell, flags=re.S) for cell in cells]
    return [" ".join(re.sub(r"<[^>]+>|[▲▼]", " ", text).split()) for text in texts]


def save(client, columns, query=""):
    return client.post(COLUMNS_URL, {"colonnes-columns": columns, "colonnes-query": query, "save": ""})


def test_url():
    assert reverse("reviews:columns_update") == COLUMNS_URL


def test_a_new_user_sees_the_default_columns(client, instructeur):
    DossierFactory(submitted=True)
    client.force_login(instructeur)

    response = client.get(LIST_URL)

    assert header_keys(response) == ["reference", *column_services.DEFAULT_COLUMNS]
    assert header_texts(response) == [
        "",  # the selection's checkboxes
        "Référence",
        "Pôle",
        "Région",
        "État",
        "Déposé le",
        "Note",
        "Messages non lus",
        "Étiquettes",
    ]
    assert response.context["columns_form"].initial["columns"] == list(column_services.DEFAULT_COLUMNS)


def test_saving_columns_keeps_them_in_the_catalogue_order_on_every_visit(client, instructeur):
    DossierFactory(submitted=True)
    client.force_login(instructeur)

    response = save(client, ["member_count", "name", "requested_grant", "edition"], query="state=submitted&page=2")

    assert response.status_code == 302
    assert response["Location"] == f"{LIST_URL}?state=submitted&page=2"
    assert ListPreference.objects.get(user=instructeur).columns == [
        "name",
        "edition",
        "member_count",
        "requested_grant",
    ]
    page = client.get(LIST_URL)
    assert header_keys(page) == ["reference", "name", "edition", "member_count", "requested_grant"]
    assert header_texts(page)[1:] == ["Référence", "Pôle", "Édition", "Nombre de membres", "Montant demandé"]
    assert "Vos colonnes sont enregistrées." in [str(message) for message in page.context["messages"]]
    # The chooser shows the saved choice ticked.
    assert page.context["columns_form"].initial["columns"] == ["name", "edition", "member_count", "requested_grant"]
    assert re.search(r'<input[^>]*value="member_count"[^>]*checked', page.content.decode())


def test_saving_no_column_leaves_the_reference_only(client, instructeur):
    DossierFactory(submitted=True)
    client.force_login(instructeur)

    save(client, [])

    assert header_keys(client.get(LIST_URL)) == ["reference"]


def test_resetting_brings_the_default_columns_back(client, instructeur):
    ListPreference.objects.create(user=instructeur, list_name="instruction", columns=["phase"])
    client.force_login(instructeur)

    response = client.post(COLUMNS_URL, {"colonnes-columns": ["unknown"], "colonnes-query": "o=name", "reset": ""})

    assert response["Location"] == f"{LIST_URL}?o=name"
    assert not ListPreference.objects.filter(user=instructeur).exists()
    assert header_keys(client.get(LIST_URL)) == ["reference", *column_services.DEFAULT_COLUMNS]


def test_an_unknown_column_is_refused_with_a_message_next_to_the_field(client, instructeur):
    ListPreference.objects.create(user=instructeur, list_name="instruction", columns=["phase"])
    DossierFactory(submitted=True, name="Pôle visible")
    client.force_login(instructeur)

    response = save(client, ["name", "owner__email"], query="q=visible")

    assert response.status_code == 400
    content = response.content.decode()
    message = "« owner__email » n&#x27;est pas une colonne de la liste : cochez les colonnes proposées."
    assert message in content
    # Next to the field: inside the chooser's fieldset, which is open, and announced as its error.
    chooser = content.split('id="colonnes"')[1].split("</details>")[0]
    assert message in chooser
    assert 'aria-invalid="true"' in chooser
    assert re.search(r'<details[^>]*id="colonnes"[^>]*open', content)
    # Nothing saved; the list behind is the one the user was looking at.
    assert ListPreference.objects.get(user=instructeur).columns == ["phase"]
    assert [row.dossier.name for row in response.context["rows"]] == ["Pôle visible"]


def test_another_users_choice_is_unaffected(client, instructeur):
    other = UserFactory(instructeur=True)
    ListPreference.objects.create(user=other, list_name="instruction", columns=["sectors"])
    client.force_login(instructeur)

    save(client, ["phase"])
    client.post(COLUMNS_URL, {"reset": ""})

    assert ListPreference.objects.get(user=other).columns == ["sectors"]
    client.force_login(other)
    assert header_keys(client.get(LIST_URL)) == ["reference", "sectors"]


def test_columns_are_staff_only(client, db):
    for role in ("porteur", "evaluateur"):
        client.force_login(UserFactory(**{role: True}))
        assert save(client, ["name"]).status_code == 404
    assert not ListPreference.objects.exists()


def test_the_columns_url_takes_posts_only(client, instructeur):
    client.force_login(instructeur)
    assert client.get(COLUMNS_URL).status_code == 405


def full_dossier(referential_sector, *, region, amount, members, label):
    """A submitted dossier with something in every column."""
    dossier = DossierFactory(submitted=True, state=DossierState.ELIGIBLE, region=region)
    dossier.sectors.add(referential_sector)
    dossier.departements.add(Departement.objects.get(code="42"))
    dossier.communes.add(Commune.objects.get(code="69266"))
    for _ in range(members):
        MemberFactory(dossier=dossier, category=MemberCategory.ENTERPRISE, ess_legal_form="")
    BudgetLine.objects.create(
        dossier=dossier, year=1, side=BudgetSide.RESOURCES, category=BudgetCategory.AMI_GRANT, amount=amount
    )
    BudgetLine.objects.create(
        dossier=dossier, year=2, side=BudgetSide.RESOURCES, category=BudgetCategory.AMI_GRANT, amount=amount
    )
    BudgetLine.objects.create(
        dossier=dossier, year=1, side=BudgetSide.RESOURCES, category=BudgetCategory.COLLECTIVITES, amount=999
    )
    DossierScore.objects.create(dossier=dossier, value=71.5, review_count=2)
    RegionalOpinion.objects.create(
        dossier=dossier, region=region, opinion="reserved", text="…", rank=3, author=UserFactory(partenaire=True)
    )
    label.dossiers.add(dossier)
    return dossier


@pytest.fixture
def sector(db):
    return Sector.objects.get_or_create(code="economie-circulaire", defaults={"label": "Économie circulaire"})[0]


def test_every_column_shows_the_dossiers_data(client, instructeur, referential, sector):
    dossier = full_dossier(
        sector,
        region=Region.objects.get(code="84"),
        amount=Decimal(15000),
        members=4,
        label=Label.objects.create(name="Rural"),
    )
    ListPreference.objects.create(user=instructeur, list_name="instruction", columns=EVERY_COLUMN)
    client.force_login(instructeur)

    response = client.get(LIST_URL)

    assert header_keys(response) == ["reference", *EVERY_COLUMN]
    row = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    cells = [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[1:] == [
        dossier.reference,
        dossier.name,
        "Auvergne-Rhône-Alpes",
        "42 Loire 69 Rhône",  # named, and through its communes
        "Recevable",
        dossier.phase.edition.name,
        dossier.phase.get_kind_display(),
        date_fr(dossier.submitted_at),
        date_fr(Dossier.objects.get(pk=dossier.pk).updated_at),
        "71,5",
        "Réservé rang 3",
        "4",
        str(sector),
        "30 000 €",  # spaces normalised
        "0",
        "Rural",
    ]


def test_a_column_left_out_is_neither_shown_nor_fetched(client, instructeur, referential, sector):
    full_dossier(
        sector,
        region=Region.objects.get(code="84"),
        amount=Decimal(1),
        members=1,
        label=Label.objects.create(name="Rural"),
    )
    ListPreference.objects.create(user=instructeur, list_name="instruction", columns=["name"])
    client.force_login(instructeur)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST_URL)

    assert ">Rural</p>" not in response.content.decode()
    sql = " ".join(query["sql"] for query in captured)
    for table in ("applications_dossier_labels", "applications_dossier_sectors", "reviews_regionalopinion"):
        assert table not in sql
    assert "applications_budgetline" not in sql


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("member_count", ["B", "A", "C"]), ("-requested_grant", ["C", "A", "B"]), ("requested_grant", ["B", "A", "C"])],
)
def test_sorting_on_computed_columns(client, instructeur, referential, sector, sort, expected):
    label = Label.objects.create(name="Rural")
    ara = Region.objects.get(code="84")
    for name, members, amount in (("A", 3, 20000), ("B", 1, 5000), ("C", 5, 40000)):
        dossier = full_dossier(sector, region=ara, amount=Decimal(amount), members=members, label=label)
        Dossier.objects.filter(pk=dossier.pk).update(name=name)
    client.force_login(instructeur)

    # Sorting works whether the column is shown or not.
    assert [row.dossier.name for row in client.get(LIST_URL, {"o": sort}).context["rows"]] == expected
    save(client, EVERY_COLUMN)
    response = client.get(LIST_URL, {"o": sort})
    assert [row.dossier.name for row in response.context["rows"]] == expected
    header = next(header for header in response.context["headers"] if header.key == sort.lstrip("-"))
    assert header.direction == ("descending" if sort.startswith("-") else "ascending")
    # The export of the same selection comes in the same order.
    assert [dossier.name for dossier in filters.filtered_dossiers(instructeur, f"o={sort}")] == expected


def test_columns_without_a_sort_have_no_sort_link(client, instructeur):
    DossierFactory(submitted=True)
    ListPreference.objects.create(user=instructeur, list_name="instruction", columns=EVERY_COLUMN)
    client.force_login(instructeur)

    headers = {header.key: header.url for header in client.get(LIST_URL).context["headers"]}

    assert {key for key, url in headers.items() if not url} == {
        "departements",
        "regional_opinion",
        "sectors",
        "unread",
        "labels",
    }


def seed(count, sector, label, region):
    """``count`` submitted dossiers of ``region`` with something in every column, created in bulk."""
    dossiers = DossierFactory.create_batch(count, submitted=True, state=DossierState.IN_REVIEW, region=region)
    loire = Departement.objects.get(code="42")
    villeurbanne = Commune.objects.get(code="69266")
    author = UserFactory(partenaire=True)
    Dossier.sectors.through.objects.bulk_create(Dossier.sectors.through(dossier=d, sector=sector) for d in dossiers)
    Dossier.departements.through.objects.bulk_create(
        Dossier.departements.through(dossier=d, departement=loire) for d in dossiers
    )
    Dossier.communes.through.objects.bulk_create(
        Dossier.communes.through(dossier=d, commune=villeurbanne) for d in dossiers
    )
    Label.dossiers.through.objects.bulk_create(Label.dossiers.through(dossier=d, label=label) for d in dossiers)
    MemberStructure.objects.bulk_create(
        MemberStructure(dossier=d, name=f"Membre {d.pk}", siret="", category=MemberCategory.OTHER) for d in dossiers
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(dossier=d, year=1, side=BudgetSide.RESOURCES, category=BudgetCategory.AMI_GRANT, amount=1000)
        for d in dossiers
    )
    DossierScore.objects.bulk_create(DossierScore(dossier=d, value=50, review_count=1) for d in dossiers)
    RegionalOpinion.objects.bulk_create(
        RegionalOpinion(dossier=d, region=region, opinion="favourable", text="…", author=author) for d in dossiers
    )


@pytest.mark.parametrize("role", ["instructeur", "partenaire"])
def test_every_column_costs_the_same_queries_for_10_and_200_dossiers(client, referential, sector, role):
    ara = Region.objects.get(code="84")
    user = UserFactory(**{role: True}, regions=[ara] if role == "partenaire" else None)
    ListPreference.objects.create(user=user, list_name="instruction", columns=EVERY_COLUMN)
    label = Label.objects.create(name="Rural")
    client.force_login(user)
    counts = []
    for size in (10, 190):
        seed(size, sector, label, ara)
        for query in ({}, {"o": "-member_count"}):
            cache.clear()  # the counters and the filter form are cached: measure their queries too
            with CaptureQueriesContext(connection) as captured:
                response = client.get(LIST_URL, query)
            assert len(response.context["rows"]) == min(Dossier.objects.count(), 50)
            counts.append(len(captured))
    assert Dossier.objects.count() == 200
    assert counts[:2] == counts[2:]

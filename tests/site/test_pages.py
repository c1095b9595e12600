import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views import defaults

from ptce_ami.site import navigation
from tests.accounts.factories import RegionFactory, UserFactory

pytestmark = pytest.mark.django_db

CALL = "L'appel"
PUBLIC_PAGES = [
    "site:home",
    "site:call",
    "site:accessibility",
    "site:legal_notice",
    "site:personal_data",
    "site:cookies",
    "site:accessibility_plan",
    "site:sitemap",
]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_answer_with_footer_links(client, name):
    response = client.get(reverse(name))

    content = response.content.decode()
    assert response.status_code == 200
    assert "AMI PTCE" in content
    for footer_page in ("site:accessibility", "site:legal_notice", "site:personal_data", "site:cookies"):
        assert f'href="{reverse(footer_page)}"' in content
    assert 'href="#content"' in content and 'id="content"' in content


def test_dashboard_requires_login(client):
    response = client.get(reverse("site:dashboard"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('site:dashboard')}"


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        ("porteur", "<h1>Mes dossiers</h1>"),
        ("evaluateur", "<h1>Mes évaluations</h1>"),
        ("partenaire", "<h1>Tableau de bord régional</h1>"),
        ("instructeur", "<h1>Instruction</h1>"),
        ("administrateur", "<h1>Instruction</h1>"),
    ],
)
def test_each_role_lands_on_its_own_home_page(client, role, heading):
    client.force_login(UserFactory(**{role: True}))

    response = client.get(reverse("site:dashboard"))

    assert response.status_code == 200
    assert heading in response.content.decode()


def test_partner_home_lists_their_regions_and_cress(client):
    client.force_login(UserFactory(partenaire=True, regions=[RegionFactory()]))

    content = client.get(reverse("site:dashboard")).content.decode()

    assert "Auvergne-Rhône-Alpes" in content
    assert "CRESS Auvergne-Rhône-Alpes" in content
    assert f'href="{reverse("site:region_dashboard", args=["84"])}"' in content


def test_instructeur_home_links_the_national_dashboard(client):
    client.force_login(UserFactory(instructeur=True))

    content = client.get(reverse("site:dashboard")).content.decode()

    assert f'href="{reverse("site:national_dashboard")}"' in content


def test_a_partner_has_one_dashboard_entry_per_region(client):
    corsica = RegionFactory(code="94", name="Corse", cress_name="CRESS Corse")
    client.force_login(UserFactory(partenaire=True, regions=[RegionFactory(), corsica]))

    navigation_items = client.get(reverse("site:home")).context["main_navigation"]

    dashboards = [(item["label"], item["url"]) for item in navigation_items if item["label"].startswith("Tableau")]
    assert dashboards == [
        ("Tableau de bord : Auvergne-Rhône-Alpes", reverse("site:region_dashboard", args=["84"])),
        ("Tableau de bord : Corse", reverse("site:region_dashboard", args=["94"])),
    ]


@pytest.mark.parametrize(
    ("role", "labels"),
    [
        (None, ["Accueil", CALL, "Lauréats"]),
        ("porteur", ["Accueil", CALL, "Lauréats", "Mes dossiers", "Mon compte"]),
        (
            "evaluateur",
            [
                "Accueil",
                CALL,
                "Lauréats",
                "Mes évaluations",
                "Dossiers à évaluer",
                "Déclaration d'intérêts",
                "Mon compte",
            ],
        ),
        (
            "partenaire",
            [
                "Accueil",
                CALL,
                "Lauréats",
                "Ma région",
                "Dossiers de ma région",
                "Avis régionaux",
                "Bouquet de services",
                "Aides",
                "Mon compte",
            ],
        ),
        (
            "instructeur",
            [
                "Accueil",
                CALL,
                "Lauréats",
                "Instruction",
                "Tableau de bord",
                "Dossiers",
                "Évaluateurs",
                "Comité de sélection",
                "Bouquet de services",
                "Aides",
                "Administration",
                "Mon compte",
            ],
        ),
    ],
)
def test_main_navigation_by_role(client, role, labels):
    if role:
        client.force_login(UserFactory(**{role: True}))

    response = client.get(reverse("site:home"))

    assert [item["label"] for item in response.context["main_navigation"]] == labels


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/instruction/", "Dossiers de ma région"),
        ("/instruction/dossiers/PTCE-2026-P1-0001/", "Dossiers de ma région"),
        ("/instruction/evaluations/avis-regionaux/", "Avis régionaux"),
        ("/compte/profil/", "Mon compte"),
    ],
)
def test_the_current_navigation_item_is_the_closest_match(rf, path, current):
    request = rf.get(path)
    request.user = UserFactory(partenaire=True)

    assert [entry["label"] for entry in navigation.build(request) if entry["current"]] == [current]


def test_home_page_query_count_is_small(client, django_assert_max_num_queries):
    client.force_login(UserFactory())

    with django_assert_max_num_queries(3):  # session, user, phases closing within 7 days (the porteur's banner)
        client.get(reverse("site:home"))


# Error pages ---------------------------------------------------------------------------------------------------


def test_not_found_is_a_french_dsfr_page(client):
    client.force_login(UserFactory())
    response = client.get("/nulle-part/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "Page non trouvée" in content and "Erreur 404" in content
    assert 'class="fr-header"' in content and "Mon espace" in content


def test_permission_denied_is_a_french_dsfr_page(rf):
    request = rf.post("/")
    request.user = UserFactory()
    response = defaults.permission_denied(request, PermissionDenied())

    assert response.status_code == 403
    assert "Action non autorisée" in response.content.decode()


def test_server_error_page_needs_no_database_nor_context(rf, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = defaults.server_error(rf.get("/"))

    assert response.status_code == 500
    content = response.content.decode()
    assert "Erreur inattendue" in content and "est conservé" in content


def test_a_bad_request_gets_the_french_400_page(client, db):
    # Found by the fuzz suite (tests/fuzz): Django's own 400 page says "Bad Request" in English.
    response = client.get("/", headers={"host": "hôte invalide"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Requête invalide" in page and "Bad Request" not in page

import pytest
from django.urls import reverse

from territories.models import Commune, Region

pytestmark = pytest.mark.usefixtures("referential")


@pytest.mark.parametrize("model", ["region", "departement", "epci", "commune", "referentialversion"])
def test_admin_lists_the_referential(admin_client, model):
    assert admin_client.get(reverse(f"admin:territories_{model}_changelist")).status_code == 200


@pytest.mark.parametrize("model", ["region", "departement", "epci", "commune", "referentialversion"])
def test_admin_refuses_to_add_referential_rows(admin_client, model):
    assert admin_client.get(reverse(f"admin:territories_{model}_add")).status_code == 403


def test_admin_shows_a_commune_read_only(admin_client):
    lyon = Commune.objects.get(code="69123", kind="commune-actuelle")

    response = admin_client.get(reverse("admin:territories_commune_change", args=[lyon.pk]))

    assert response.status_code == 200
    assert b'name="name"' not in response.content
    assert admin_client.post(reverse("admin:territories_commune_delete", args=[lyon.pk])).status_code == 403


def test_admin_lets_an_administrator_correct_a_cress_name_only(admin_client):
    url = reverse("admin:territories_region_change", args=["84"])

    response = admin_client.post(url, {"cress_name": "CRESS AURA", "name": "Autre nom"})

    assert response.status_code == 302
    region = Region.objects.get(pk="84")
    assert (region.cress_name, region.name) == ("CRESS AURA", "Auvergne-Rhône-Alpes")


def test_admin_commune_list_runs_a_constant_number_of_queries(admin_client, django_assert_max_num_queries):
    url = reverse("admin:territories_commune_changelist")
    admin_client.get(url)  # session and permissions cached

    with django_assert_max_num_queries(8):
        admin_client.get(url)


@pytest.mark.parametrize(("term", "expected"), [("saint etienne", "Saint-Étienne"), ("42218", "Saint-Étienne")])
def test_admin_commune_search_ignores_accents_and_finds_codes(admin_client, term, expected):
    response = admin_client.get(reverse("admin:territories_commune_changelist"), {"q": term})

    assert [commune.name for commune in response.context["cl"].result_list][:1] == [expected]

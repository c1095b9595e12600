import pytest
from django.urls import reverse

URL = reverse("territories:autocomplete")


def suggest(client, q, **params):
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200
    return response.json()["results"]


def ids(results):
    return [result["id"] for result in results]


@pytest.mark.parametrize(
    "query", ["saint etienne", "saint-étienne", "SAINT ETIENNE", "Saint-Étienne", "St-Étienne", "st etienne"]
)
def test_autocomplete_ignores_accents_case_and_hyphens(client, referential, query):
    assert ids(suggest(client, query, kinds="commune")) == ["commune:42218", "commune:01350"]


@pytest.mark.parametrize("query", ["l abergement", "l'abergement", "L’Abergement", "labergement-clem"])
def test_autocomplete_ignores_apostrophes(client, referential, query):
    expected = [] if query == "labergement-clem" else ["commune:01001"]
    assert ids(suggest(client, query)) == expected


def test_autocomplete_ranks_name_prefixes_first_then_word_prefixes_then_population(client, referential):
    assert ids(suggest(client, "lyon")) == [
        "commune:69123",
        "commune:69382:arrondissement-municipal",
        "commune:69381:arrondissement-municipal",
        "commune:27377",
        "epci:200046977",
        "epci:200070142",
    ]


def test_autocomplete_ranks_by_population_within_a_tier(client, referential):
    assert ids(suggest(client, "sai", kinds="commune")) == [
        "commune:42218",
        "commune:97502",
        "commune:01350",
        "commune:01340:commune-deleguee",
    ]


def test_autocomplete_describes_a_commune(client, referential):
    assert suggest(client, "lyo", kinds="commune")[0] == {
        "id": "commune:69123",
        "kind": "commune",
        "label": "Lyon (69)",
        "detail": "Métropole de Lyon · 519\xa0127 hab.",
        "code": "69123",
    }


def test_autocomplete_names_the_parent_of_a_commune_deleguee_or_associee(client, referential):
    arbignieu = suggest(client, "arbignieu")[0]
    rochetaillee = suggest(client, "rochetaillee")[0]

    assert arbignieu["label"] == "Arbignieu (commune déléguée d'Arboys en Bugey, 01)"
    assert arbignieu["id"] == "commune:01015:commune-deleguee"
    assert arbignieu["detail"] == "CC Bugey Sud"
    assert rochetaillee["label"] == "Rochetaillée (commune associée de Saint-Étienne, 42)"


def test_autocomplete_finds_a_postcode_and_an_insee_code(client, referential):
    assert ids(suggest(client, "69001")) == [
        "commune:69123",
        "commune:69381:arrondissement-municipal",
        "commune:69001",
    ]


def test_autocomplete_finds_a_departement_then_its_communes_by_code(client, referential):
    assert ids(suggest(client, "69")) == [
        "departement:69",
        "commune:69123",
        "commune:69266",
        "commune:69382:arrondissement-municipal",
        "commune:69381:arrondissement-municipal",
        "commune:69001",
    ]


def test_autocomplete_finds_corsican_codes(client, referential):
    assert ids(suggest(client, "2a")) == ["departement:2A", "commune:2A004"]
    assert ids(suggest(client, "20090")) == ["commune:2A004"]


def test_autocomplete_finds_an_epci_by_siren(client, referential):
    results = suggest(client, "200046977")

    assert results == [
        {
            "id": "epci:200046977",
            "kind": "epci",
            "label": "Métropole de Lyon",
            "detail": "Métropole de Lyon · 1\xa0449\xa0118 hab.",
            "code": "200046977",
        }
    ]


def test_autocomplete_finds_a_departement_by_name(client, referential):
    assert suggest(client, "isère") == [
        {
            "id": "departement:38",
            "kind": "departement",
            "label": "Isère (38)",
            "detail": "Département · Auvergne-Rhône-Alpes",
            "code": "38",
        }
    ]


@pytest.mark.parametrize("query", ["", "l", " L ", "-", "'é"])
def test_autocomplete_needs_two_characters(client, referential, query):
    assert suggest(client, query) == []


def test_autocomplete_filters_kinds(client, referential):
    assert ids(suggest(client, "saint", kinds="epci")) == ["epci:244200770"]
    assert ids(suggest(client, "saint", kinds="epci,departement")) == ["epci:244200770", "departement:975"]
    assert len(suggest(client, "saint", kinds="nonsense")) == 6


def test_autocomplete_respects_the_limit(client, referential, settings):
    settings.TERRITORY_AUTOCOMPLETE_LIMIT = 2

    assert len(suggest(client, "lyon")) == 2


@pytest.mark.parametrize("query", ["100%", "a_b", "%%", "\\x", "é" * 300, "69%"])
def test_autocomplete_survives_odd_input(client, referential, query):
    assert isinstance(suggest(client, query), list)


def test_autocomplete_runs_at_most_three_queries(client, referential, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        suggest(client, "lyo")
    with django_assert_max_num_queries(3):
        suggest(client, "69001")


def test_autocomplete_is_cacheable_and_get_only(client, referential):
    response = client.get(URL, {"q": "lyon"})

    assert "max-age=3600" in response["Cache-Control"]
    assert client.post(URL, {"q": "lyon"}).status_code == 405


@pytest.mark.parametrize("query", ["%_" * 50_000, "Lyon\x00", "a" * 101])
def test_an_oversized_or_nul_query_suggests_nothing_instead_of_a_server_error(client, query):
    # Found by the fuzz suite (tests/fuzz): SQLite refused the huge pattern, PostgreSQL refuses a NUL byte.
    response = client.get(reverse("territories:autocomplete"), {"q": query})

    assert response.status_code == 200
    assert response.json() == {"results": []}

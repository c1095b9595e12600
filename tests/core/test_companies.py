"""The company lookup against recorded answers of the API "Recherche d'entreprises".

The JSON files in fixtures/recherche_entreprises/ follow the API's documented format (OpenAPI description in
annuaire-entreprises-data-gouv-fr/search-api, app/doc/open-api.yml) for a direct SIRET search with
``minimal=true&include=siege,matching_etablissements,complements``. The structures are made up (their numbers
only pass the checks); communes, postcodes and INSEE codes are real. No test reaches the network: every client
goes through an httpx.MockTransport.
"""

import copy
import json
import logging
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.core.cache import cache
from freezegun import freeze_time

from ptce_ami import test_settings
from ptce_ami.core import companies
from ptce_ami.core.companies import (
    CompanyInfo,
    LookupResult,
    LookupStatus,
    build_http_client,
    ess_legal_form_from_code,
    is_public_law_code,
    lookup_siret,
)

FIXTURES = Path(__file__).parent / "fixtures" / "recherche_entreprises"
API_URL = "https://recherche-entreprises.test/search"

ASSOCIATION_SIRET = "83412765600017"
SCIC_SIRET = "89105432200013"
SAS_SIRET = "52318977700023"  # a secondary establishment, not the head office
COMMUNE_SIRET = "21190272100011"
CLOSED_SIRET = "44219876800032"
CEASED_SIRET = "79315440200028"


def recorded(name):
    return json.loads((FIXTURES / f"{name}.json").read_text())


class FakeApi:
    """A MockTransport handler that answers from a queue of responses (the last one repeats) and counts calls."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, request):
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer)

    @property
    def calls(self):
        return len(self.requests)

    def client(self):
        return build_http_client(transport=httpx.MockTransport(self))


@pytest.fixture(autouse=True)
def lookup_settings(settings):
    settings.COMPANY_LOOKUP_URL = API_URL
    settings.COMPANY_LOOKUP_TIMEOUT = 3
    cache.clear()
    yield settings
    cache.clear()


def lookup(siret, api):
    return lookup_siret(siret, client=api.client())


# Found -----------------------------------------------------------------------------------------------------------


def test_association_is_found_with_its_ess_flags():
    api = FakeApi(recorded("association"))

    result = lookup(ASSOCIATION_SIRET, api)

    assert result.status == LookupStatus.FOUND
    assert result.found and not result.degraded
    assert result.company == CompanyInfo(
        siren="834127656",
        siret=ASSOCIATION_SIRET,
        name="LES JARDINS DU BOCAGE",
        legal_form_code="9220",
        legal_form_label="Association déclarée",
        commune_code="35238",
        commune_name="RENNES",
        postcode="35000",
        is_ess=True,
        is_association=True,
        is_public_body=False,
        is_active=True,
        naf_code="88.99B",
        collectivite_level=None,
        legal_unit_active=True,
        ceased_on=None,
        establishment_open=True,
    )
    assert result.company.ess_legal_form == "association"
    assert not result.company.is_public_law and not result.company.is_collectivite


def test_request_is_a_direct_siret_search_with_a_descriptive_user_agent():
    api = FakeApi(recorded("association"))

    lookup("834 127 656 00017", api)

    (request,) = api.requests
    assert request.url.copy_with(query=None) == API_URL
    assert request.url.params["q"] == ASSOCIATION_SIRET
    assert request.url.params["minimal"] == "true"
    assert set(request.url.params["include"].split(",")) == {"siege", "matching_etablissements", "complements"}
    assert request.headers["User-Agent"].startswith("PTCE-AMI (")
    assert request.extensions["timeout"]["read"] == 3


def test_timeout_comes_from_the_settings_at_call_time(settings):
    settings.COMPANY_LOOKUP_TIMEOUT = 7
    api = FakeApi(recorded("association"))

    lookup(ASSOCIATION_SIRET, api)

    assert api.requests[0].extensions["timeout"] == {"connect": 7, "read": 7, "write": 7, "pool": 7}


def test_sas_outside_the_ess_uses_the_searched_establishment_not_the_head_office():
    company = lookup(SAS_SIRET, FakeApi(recorded("sas"))).company

    assert company.is_ess is False
    assert company.ess_legal_form is None
    assert (company.legal_form_code, company.legal_form_label) == ("5710", "SAS, société par actions simplifiée")
    assert (company.commune_code, company.commune_name, company.postcode) == ("59646", "WASQUEHAL", "59290")
    assert company.is_public_body is False
    assert company.is_active is True


def test_scic_is_ess_by_the_flag_but_its_code_does_not_say_so():
    company = lookup(SCIC_SIRET, FakeApi(recorded("scic"))).company

    assert company.name == "SCIC ENERGIES PARTAGEES DES ALPES"
    assert company.is_ess is True
    assert company.legal_form_code == "5710"
    assert company.ess_legal_form is None


def test_commune_is_a_public_body():
    company = lookup(COMMUNE_SIRET, FakeApi(recorded("commune"))).company

    assert company.is_public_body is True
    assert company.is_public_law and company.is_collectivite
    assert company.collectivite_level == "commune"
    assert company.is_association is False
    assert company.legal_form_label == "Commune et commune nouvelle"
    assert (company.commune_code, company.postcode) == ("19272", "19000")


def test_closed_establishment_is_not_active():
    company = lookup(CLOSED_SIRET, FakeApi(recorded("closed_establishment"))).company

    assert company.is_active is False
    assert company.commune_name == "ROUBAIX"
    assert company.ess_legal_form == "cooperative_scop"


def test_closed_establishment_of_an_active_company_is_not_a_ceased_company():
    company = lookup(CLOSED_SIRET, FakeApi(recorded("closed_establishment"))).company

    assert (company.legal_unit_active, company.ceased_on, company.establishment_open) == (True, None, False)


def test_ceased_company_says_since_when():
    company = lookup(CEASED_SIRET, FakeApi(recorded("ceased"))).company

    assert company.is_active is False
    assert (company.legal_unit_active, company.ceased_on, company.establishment_open) == (False, "2023-06-30", False)
    assert (company.legal_form_code, company.legal_form_label) == (
        "5499",
        "Société à responsabilité limitée (sans autre indication)",
    )
    assert company.is_ess is False


def test_ceased_legal_unit_is_not_active():
    payload = recorded("association")
    payload["results"][0]["etat_administratif"] = "C"

    assert lookup(ASSOCIATION_SIRET, FakeApi(payload)).company.is_active is False


@pytest.mark.parametrize(
    ("code", "public_law", "collectivite", "individual"),
    [
        ("7210", True, True, False),  # commune
        ("7346", True, True, False),  # communauté de communes
        ("7383", True, False, False),  # université (EPSCP)
        ("5710", False, False, False),
        ("9220", False, False, False),
        ("1000", False, False, True),
    ],
)
def test_legal_category_tells_public_law_collectivites_and_individuals(code, public_law, collectivite, individual):
    payload = recorded("sas")
    payload["results"][0]["nature_juridique"] = code

    company = lookup(SAS_SIRET, FakeApi(payload)).company

    assert (company.is_public_law, company.is_collectivite, company.is_individual) == (
        public_law,
        collectivite,
        individual,
    )


def test_a_collectivite_object_without_level_still_marks_a_local_authority():
    payload = recorded("commune")
    payload["results"][0]["complements"]["collectivite_territoriale"] = {"code": "19272"}
    payload["results"][0]["nature_juridique"] = "9900"

    company = lookup(COMMUNE_SIRET, FakeApi(payload)).company

    assert company.collectivite_level == ""
    assert company.is_collectivite and company.is_public_law


def test_stored_data_without_the_new_fields_reads_with_their_defaults():
    company = lookup(SCIC_SIRET, FakeApi(recorded("scic"))).company
    old = {key: value for key, value in company.as_dict().items() if key not in ("legal_unit_active", "ceased_on")}

    assert CompanyInfo.from_dict(old) == company
    assert CompanyInfo.from_dict({"siren": "891054322", "unknown": 1}).legal_unit_active is True


def test_head_office_is_used_when_matching_establishments_are_missing():
    payload = recorded("association")
    del payload["results"][0]["matching_etablissements"]

    assert lookup(ASSOCIATION_SIRET, FakeApi(payload)).company.commune_code == "35238"


def test_masked_fields_of_a_non_diffusible_company_are_left_empty():
    payload = recorded("sas")
    result = payload["results"][0]
    result.update(statut_diffusion="P", nom_complet="[NON-DIFFUSIBLE]", nom_raison_sociale="[NON-DIFFUSIBLE]")
    result["matching_etablissements"][0]["libelle_commune"] = "[NON-DIFFUSIBLE]"

    company = lookup(SAS_SIRET, FakeApi(payload)).company

    assert company.name == ""
    assert company.commune_name is None
    assert company.legal_form_code == "5710"


def test_missing_ess_flag_is_unknown_not_false():
    payload = recorded("association")
    del payload["results"][0]["complements"]

    company = lookup(ASSOCIATION_SIRET, FakeApi(payload)).company

    assert company.is_ess is None
    assert company.is_association is True  # from the legal form code


# Not found -------------------------------------------------------------------------------------------------------


def test_empty_result_is_not_found():
    result = lookup(ASSOCIATION_SIRET, FakeApi(recorded("not_found")))

    assert result == LookupResult(LookupStatus.NOT_FOUND)
    assert not result.degraded


def test_result_for_another_siren_is_not_found():
    assert lookup(SCIC_SIRET, FakeApi(recorded("association"))).status == LookupStatus.NOT_FOUND


def test_invalid_siret_is_not_found_without_a_request():
    api = FakeApi(recorded("association"))

    assert lookup("83412765600018", api).status == LookupStatus.NOT_FOUND
    assert api.calls == 0


# Degraded mode ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.ReadTimeout("timed out"), "timeout"),
        (httpx.ConnectTimeout("timed out"), "timeout"),
        (httpx.ConnectError("name resolution failed"), "network error"),
        (httpx.Response(500, text="Internal Server Error"), "HTTP 500"),
        (httpx.Response(503, text="Service Unavailable"), "HTTP 503"),
        (httpx.Response(429, headers={"Retry-After": "2"}, json={"erreur": "Trop de requêtes"}), "Retry-After 2"),
        (httpx.Response(400, json={"erreur": "Veuillez indiquer au moins un paramètre de recherche."}), "HTTP 400"),
        (httpx.Response(200, text="<html>Maintenance</html>"), "malformed response"),
        (httpx.Response(200, json={"results": "none"}), "malformed response"),
        (httpx.Response(200, json={"results": [{"siren": "834127656", "siege": "?"}]}), "malformed response"),
        (httpx.Response(200, json=["not", "an", "object"]), "malformed response"),
        (
            httpx.Response(
                200, json={"results": [{"siren": "834127656", "complements": {"collectivite_territoriale": "?"}}]}
            ),
            "malformed response",
        ),
    ],
)
def test_failures_make_the_lookup_unavailable_and_are_logged(answer, reason, caplog):
    with caplog.at_level(logging.WARNING, logger="ptce_ami.core.companies"):
        result = lookup(ASSOCIATION_SIRET, FakeApi(answer))

    assert result.status == LookupStatus.UNAVAILABLE
    assert result.degraded
    assert result.company is None
    assert reason in result.reason
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert ASSOCIATION_SIRET in caplog.records[0].getMessage()


def test_a_misconfigured_url_is_unavailable(settings):
    settings.COMPANY_LOOKUP_URL = "recherche-entreprises.api.gouv.fr/search"  # no scheme

    result = lookup(ASSOCIATION_SIRET, FakeApi(recorded("association")))

    assert result.status == LookupStatus.UNAVAILABLE


def test_an_unexpected_error_is_unavailable_and_logged_with_its_traceback(monkeypatch, caplog):
    def buggy(payload, siret):
        raise KeyError("siege")

    monkeypatch.setattr(companies, "parse_search_response", buggy)

    with caplog.at_level(logging.WARNING, logger="ptce_ami.core.companies"):
        result = lookup(ASSOCIATION_SIRET, FakeApi(recorded("association")))

    assert result == LookupResult(LookupStatus.UNAVAILABLE, reason="unexpected error")
    assert caplog.records[0].levelname == "ERROR"
    assert caplog.records[0].exc_info is not None


@pytest.mark.parametrize("url", ["", None])
def test_disabled_when_no_url_is_configured(settings, url):
    settings.COMPANY_LOOKUP_URL = url
    api = FakeApi(recorded("association"))

    result = lookup(ASSOCIATION_SIRET, api)

    assert result == LookupResult(LookupStatus.DISABLED)
    assert result.degraded
    assert api.calls == 0


def test_the_test_settings_keep_the_lookup_off():

    assert test_settings.COMPANY_LOOKUP_URL == ""


def test_without_an_injected_client_the_shared_factory_is_used(monkeypatch):
    api = FakeApi(recorded("association"))
    built = []

    def factory(**kwargs):
        built.append(kwargs)
        return build_http_client(transport=httpx.MockTransport(api), **kwargs)

    monkeypatch.setattr(companies, "build_http_client", factory)

    assert lookup_siret(ASSOCIATION_SIRET).found
    assert built == [{}]
    assert api.requests[0].extensions["timeout"]["read"] == 3


# Cache -----------------------------------------------------------------------------------------------------------


def test_found_is_cached_for_a_day():
    api = FakeApi(recorded("association"))

    with freeze_time("2026-03-02 10:00") as clock:
        first = lookup(ASSOCIATION_SIRET, api)
        clock.tick(timedelta(hours=23))
        second = lookup("834 127 656 00017", api)
        assert api.calls == 1
        assert second == first
        clock.tick(timedelta(hours=2))
        lookup(ASSOCIATION_SIRET, api)

    assert api.calls == 2


def test_not_found_is_cached_for_ten_minutes():
    api = FakeApi(recorded("not_found"))

    with freeze_time("2026-03-02 10:00") as clock:
        lookup(ASSOCIATION_SIRET, api)
        clock.tick(timedelta(minutes=9))
        assert lookup(ASSOCIATION_SIRET, api).status == LookupStatus.NOT_FOUND
        assert api.calls == 1
        clock.tick(timedelta(minutes=2))
        lookup(ASSOCIATION_SIRET, api)

    assert api.calls == 2


def test_unavailable_is_not_cached():
    api = FakeApi(httpx.Response(502), recorded("association"))

    assert lookup(ASSOCIATION_SIRET, api).status == LookupStatus.UNAVAILABLE
    assert lookup(ASSOCIATION_SIRET, api).status == LookupStatus.FOUND
    assert api.calls == 2


def test_cache_is_keyed_by_siret():
    api = FakeApi(recorded("association"), recorded("sas"))

    lookup(ASSOCIATION_SIRET, api)
    lookup(SAS_SIRET, api)

    assert api.calls == 2


def test_a_broken_cache_does_not_break_the_lookup(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache server down")

    monkeypatch.setattr(companies.cache, "get", broken)
    monkeypatch.setattr(companies.cache, "set", broken)

    assert lookup(ASSOCIATION_SIRET, FakeApi(recorded("association"))).found


def test_cached_result_survives_a_round_trip_unchanged():
    payload = copy.deepcopy(recorded("commune"))
    api = FakeApi(payload)

    first = lookup(COMMUNE_SIRET, api)
    again = lookup(COMMUNE_SIRET, api)

    assert again.company == first.company
    assert isinstance(again.company, CompanyInfo)


# Legal forms -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "form"),
    [
        ("9220", "association"),
        ("9210", "association"),
        ("9221", "association"),
        ("9230", "association"),
        ("9260", "association"),  # droit local Alsace-Moselle
        ("5458", "cooperative_scop"),
        ("5558", "cooperative_scop"),
        ("5658", "cooperative_scop"),
        ("5459", "cooperative_autre"),  # union de sociétés coopératives, not a SCIC
        ("5560", "cooperative_autre"),
        ("6317", "cooperative_autre"),
        ("8210", "mutuelle"),
        ("6411", "mutuelle"),
        ("9300", "fondation"),
        ("5710", None),  # SAS: ESS only by its statutes
        ("5499", None),
        ("7210", None),
        ("9224", None),  # association d'avocats, not a 1901-law association
        ("5195", None),  # association coopérative inscrite: association or cooperative?
        ("1000", None),
        ("", None),
        (None, None),
    ],
)
def test_ess_legal_form_from_code(code, form):
    assert ess_legal_form_from_code(code) == form


def test_some_forms_are_never_inferred_from_the_code():
    inferred = {ess_legal_form_from_code(f"{code:04d}") for code in range(10000)}

    assert "cooperative_scic" not in inferred
    assert "societe_commerciale_ess" not in inferred
    assert inferred - {None} <= set(companies.ESS_LEGAL_FORMS)


def test_public_law_codes():
    assert is_public_law_code("7346")  # communauté de communes
    assert is_public_law_code("7210")
    assert not is_public_law_code("4140")  # EPIC: public, but under commercial law
    assert not is_public_law_code("9220")
    assert not is_public_law_code(None)

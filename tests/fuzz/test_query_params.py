"""Hostile query strings (issue 13, item 3): the filters of the staff's and the public lists (their GET forms, parsed
from the pages), the territory autocomplete, and the JSON API's parameters (cursor, limit, filters, the reference in
the path). Never a 5xx; no English message, in a page or in the API's JSON."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from ptce_ami.accounts.services import create_api_token
from tests.fuzz import checks
from tests.fuzz.engine import PHASES, examples_per_form, login
from tests.fuzz.forms import Control, Form, parse_forms
from tests.fuzz.hostile import anything, payloads

pytestmark = [
    pytest.mark.django_db,
    # The 100,000-character values make hypothesis warn about the size of a failing example's repr.
    pytest.mark.filterwarnings("ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"),
]

# Pages whose filters (GET forms) are fuzzed, as whom.
FILTER_PAGES = {
    "reviews:dossier_list": ("instructeur", lambda w: reverse("reviews:dossier_list")),
    "reviews:bouquet_requests": ("instructeur", lambda w: reverse("reviews:bouquet_requests")),
    "reviews:grant_list": ("instructeur", lambda w: reverse("reviews:grant_list")),
    "reviews:export_list": ("instructeur", lambda w: reverse("reviews:export_list")),
    "reviews:reviewers": ("instructeur", lambda w: reverse("reviews:reviewers")),
    "reviews:assign_auto": ("instructeur", lambda w: reverse("reviews:assign_auto")),
    "reviews:committee_phase": ("instructeur", lambda w: reverse("reviews:committee_phase", args=[w.p2.pk])),
    "reviews:regional_opinions": ("partner", lambda w: reverse("reviews:regional_opinions")),
    "reviews:queue": ("evaluateur", lambda w: reverse("reviews:queue")),
    "site:laureates": ("anonymous", lambda w: reverse("site:laureates")),
    "site:national_dashboard": ("instructeur", lambda w: reverse("site:national_dashboard")),
    "site:region_dashboard": ("partner", lambda w: reverse("site:region_dashboard", args=["84"])),
}
# Query keys the lists read besides their forms' fields.
EXTRA_KEYS = ["page", "tab", "sort", "order", "cursor", "q", "phase", "edition", "region", "state", "next"]

API_ENDPOINTS = ["regions", "departements", "dossiers", "reviews", "regional-opinions", "decisions", "grants"]
API_KEYS = [
    "limit",
    "cursor",
    "q",
    "edition",
    "phase",
    "state",
    "region",
    "departement",
    "category",
    "sector",
    "eligibility",
    "score_min",
    "score_max",
    "reviewer",
    "label",
]
# Pydantic's and django-ninja's English messages.
API_ENGLISH = ["Input should be", "Field required", "value is not", "Unable to", "Not Found", "Unauthorized"]


def check_page(response, where):
    assert response.status_code < 500, f"{where}: {response.status_code}"
    leaks = checks.english_leaks(checks.body_text(response))
    assert not leaks, f"{where}: English message(s) in the page: {leaks}"


@pytest.mark.parametrize("name", sorted(FILTER_PAGES))
def test_hostile_filters(name, world, client, record_property):
    role, path = FILTER_PAGES[name]
    path = path(world)
    login(client, world, role)
    page = client.get(path)
    assert page.status_code == 200, f"{name}: {path} answers {page.status_code} to {role}"
    forms = parse_forms(page.content.decode(), path, method="get") or [Form(action=path)]
    form = forms[0]
    form.controls += [Control(key, "text") for key in EXTRA_KEYS]
    tried = 0

    @settings(max_examples=examples_per_form() * 2, phases=PHASES)
    @given(query=payloads(form))
    def get_hostile(query):
        nonlocal tried
        tried += 1
        cache.clear()
        check_page(client.get(form.action, query), f"{name} ({form.action}) with {query!r:.300}")

    get_hostile()
    record_property("fuzz_forms", 1)
    record_property("fuzz_examples", tried)


def test_hostile_autocomplete(client, world, record_property):
    tried = 0

    @settings(max_examples=examples_per_form() * 3, phases=PHASES)
    @given(q=anything, kinds=anything | st.lists(anything, max_size=3))
    def search(q, kinds):
        nonlocal tried
        tried += 1
        response = client.get(reverse("territories:autocomplete"), {"q": q, "kinds": kinds})
        assert response.status_code < 500, f"autocomplete q={q!r:.100} kinds={kinds!r:.100}"

    search()
    record_property("fuzz_forms", 1)
    record_property("fuzz_examples", tried)


def api_query():
    value = anything | st.integers(min_value=-(10**30), max_value=10**30).map(str)
    return st.dictionaries(st.sampled_from(API_KEYS), value | st.lists(value, min_size=2, max_size=3), max_size=5)


@pytest.mark.parametrize("role", ["instructeur", "partner"])
def test_hostile_api_parameters(role, world, client, record_property):
    secret = create_api_token(world.users[role], name="Fuzz", days=30)[1]
    headers = {"Authorization": f"Bearer {secret}"}
    reference = world.in_review.reference
    paths = [f"/api/v1/{endpoint}" for endpoint in API_ENDPOINTS]
    tried = 0

    @settings(max_examples=examples_per_form() * 6, phases=PHASES)
    @given(
        path=st.sampled_from(paths)
        | anything.map(lambda ref: f"/api/v1/dossiers/{ref}")
        | anything.map(lambda ref: f"/api/v1/dossiers/{ref}/members")
        | st.just(f"/api/v1/dossiers/{reference}/members"),
        query=api_query(),
    )
    def call(path, query):
        nonlocal tried
        tried += 1
        cache.clear()  # the rate limit
        response = client.get(path, query, headers=headers)
        where = f"{path!r:.120} with {query!r:.300}"
        assert response.status_code < 500, f"{where}: {response.status_code}"
        if response.status_code >= 400 and "json" in response.get("Content-Type", ""):
            body = response.content.decode()
            leaks = [message for message in API_ENGLISH if message in body]
            assert not leaks, f"{where}: English message(s) in the API's answer: {body[:300]}"

    call()
    record_property("fuzz_forms", 1)
    record_property("fuzz_examples", tried)
